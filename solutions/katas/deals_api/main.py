"""The app factory: ``create_app(settings)`` builds a fresh app with its own engine.

The engine is created when the app starts (lifespan) and disposed when it stops, so tests can run
many apps against many databases in one process, and nothing connects at import time.

Run it: ``uvicorn --factory katas.deals_api.main:create_app --reload`` (or ``dojo serve``), then
open http://127.0.0.1:8000/docs.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from .config import Settings
from .db import create_engine, create_sessionmaker
from .errors import install_error_handlers
from .logs import configure_logging
from .middleware import RequestIdMiddleware
from .ops import router as ops_router
from .routes import router as deals_router
from .timing import ServerTimingMiddleware, instrument


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    configure_logging(settings.debug)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(
            settings.database_url,
            connect_timeout=settings.connect_timeout,
            pool_size=settings.pool_size,
            max_overflow=settings.max_overflow,
            pool_timeout=settings.pool_timeout,
        )
        if settings.debug:
            instrument(engine)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    # Swagger UI (/docs) and ReDoc (/redoc) from files shipped in the fastapi-offline package, not a CDN:
    # the docs work with no network.
    app = FastAPIOffline(title="Deals API", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    install_error_handlers(app)
    if settings.debug:
        app.add_middleware(ServerTimingMiddleware)
    app.add_middleware(RequestIdMiddleware)  # added last: outermost, so even errors carry the id

    app.include_router(ops_router)
    app.include_router(deals_router)
    return app
