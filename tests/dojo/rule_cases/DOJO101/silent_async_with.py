async def get_session() -> AsyncIterator[AsyncSession]:
    async with sessions() as session:
        yield session
