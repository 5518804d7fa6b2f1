def create_app(engine: AsyncEngine) -> FastAPI:
    app = FastAPI()
    session = AsyncSession(engine)  # expect: DOJO102

    @app.post("/items")
    async def create(item: ItemIn) -> ItemOut:
        session.add(Item(name=item.name))
        await session.commit()
        return ItemOut(name=item.name)

    return app
