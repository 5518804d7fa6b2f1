async def import_rows(session: AsyncSession, rows: list[ProductIn]) -> None:
    for row in rows:
        session.add(Product(**row.model_dump()))
    await session.commit()
