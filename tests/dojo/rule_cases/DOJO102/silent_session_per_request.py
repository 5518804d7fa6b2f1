def create_app(engine: AsyncEngine) -> FastAPI:
    app = FastAPI()
    sessions = async_sessionmaker(engine)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.post("/items")
    async def create(item: ItemIn, session: Annotated[AsyncSession, Depends(get_session)]) -> ItemOut:
        session.add(Item(name=item.name))
        await session.commit()
        return ItemOut(name=item.name)

    return app
