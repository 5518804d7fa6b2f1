def create_app(engine: AsyncEngine) -> FastAPI:
    sessions = async_sessionmaker(engine)
    return build(sessions)
