async def rename(session: Session, user_id: int, name: str) -> None:
    session.execute(update(User).where(User.id == user_id).values(name=name))  # expect: DOJO103
