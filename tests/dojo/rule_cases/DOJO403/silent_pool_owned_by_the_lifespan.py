@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    with ProcessPoolExecutor() as pool:
        app.state.executor = pool
        yield
