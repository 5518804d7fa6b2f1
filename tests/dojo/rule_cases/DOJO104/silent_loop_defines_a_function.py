def handlers(sessions: list[Session]) -> list[Callable[[], None]]:
    result = []
    for session in sessions:
        def save(session: Session = session) -> None:
            session.commit()
        result.append(save)
    return result
