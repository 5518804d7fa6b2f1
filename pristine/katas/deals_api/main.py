"""The app factory: ``create_app(settings)`` builds a fresh app with its own engine.

Seam (the capstone's tests call it): ``create_app(settings: Settings | None = None) -> FastAPI``.
The engine and session factory are created when the app starts (lifespan) and disposed when it
stops, so tests can run many apps against many databases in one process; nothing connects at import.

Run it: ``uvicorn --factory katas.deals_api.main:create_app --reload`` (or ``dojo serve``), then
open http://127.0.0.1:8000/docs. Add your routers below ``/health``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from .config import Settings
from .db import create_engine, create_sessionmaker
from .logs import configure_logging
from .middleware import RequestIdMiddleware


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.debug)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)  # read by db.get_db, once per request
        try:
            yield
        finally:
            await engine.dispose()

    # Swagger UI (/docs) and ReDoc (/redoc) from files shipped in the fastapi-offline package, not a CDN:
    # the docs work with no network.
    app = FastAPIOffline(title="Deals API", version="0.1.0", lifespan=lifespan)
    app.state.settings = settings
    app.add_middleware(RequestIdMiddleware)

    @app.get("/health", tags=["ops"])
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app
