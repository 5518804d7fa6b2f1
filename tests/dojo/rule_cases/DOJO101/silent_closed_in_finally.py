async def count_users(engine: AsyncEngine) -> int:
    session = AsyncSession(engine)
    try:
        return await session.scalar(select(func.count()).select_from(User))
    finally:
        await session.close()
