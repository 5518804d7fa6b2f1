async def rename(session: AsyncSession, user_id: int, name: str) -> None:
    await session.execute(update(User).where(User.id == user_id).values(name=name))
    await session.commit()
