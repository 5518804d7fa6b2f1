async def count_users(engine: AsyncEngine) -> int:
    session = AsyncSession(engine)  # expect: DOJO101
    return await session.scalar(select(func.count()).select_from(User))
