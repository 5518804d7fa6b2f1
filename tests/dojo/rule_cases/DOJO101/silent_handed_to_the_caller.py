class Registry:
    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self.factory = factory

    def session(self) -> AsyncSession:
        created = self.factory()
        self.current = created
        return created


def open_session(engine: AsyncEngine) -> AsyncSession:
    session = AsyncSession(engine)
    return session
