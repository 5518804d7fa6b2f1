def tracked(engine: Engine) -> Session:
    session = Session(engine)
    _open_sessions.add(session)
    return session
