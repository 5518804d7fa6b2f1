ROUTES: dict[str, str] = {"health": "/health"}


def create_app() -> FastAPI:
    app = FastAPI()
    app.state.seen = {}
    return app
