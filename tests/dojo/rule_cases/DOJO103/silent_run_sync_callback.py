async def create_tables(connection: AsyncConnection) -> None:
    await connection.run_sync(lambda session: session.execute(text("select 1")))
