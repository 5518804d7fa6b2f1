"""One error shape for every failure: ``{"error": {"code", "message", "details"?}}``.

Clients branch on ``code`` (stable, machine-readable), show ``message`` (human-readable), and get
per-field ``details`` for validation errors. Handlers cover our own ``ApiError``, FastAPI's request
validation, Starlette's HTTP errors (unknown route, wrong method, a body that is not UTF-8 JSON),
the database being out of reach and, last, anything unexpected: a 500 that logs the traceback and
never leaks it to the client.

503 or 500? A database that refuses connections, is shutting down, or whose pool has no free
connection within ``pool_timeout`` is a dependency that is down: ``503 database_unavailable`` with
``Retry-After``, which load balancers and clients retry. A bug (a bad query, a broken invariant)
stays a 500: retrying it would fail the same way.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from typing import Any, Final

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

logger = logging.getLogger("deals_api.errors")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}
RETRY_AFTER_SECONDS: Final = 5
# PostgreSQL SQLSTATE classes that mean "the server cannot serve you now": connection exception (08),
# insufficient resources (53: too many connections, out of disk), operator intervention (57: shutting
# down, starting up, connection terminated); 55000 is "database is not currently accepting connections".
_UNAVAILABLE_SQLSTATE_CLASSES: Final = ("08", "53", "57")
_UNAVAILABLE_SQLSTATES: Final = ("55000",)
_UNAVAILABLE_SQLITE_CODES: Final = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL}
)


class ApiError(Exception):
    def __init__(
        self, status_code: int, code: str, message: str, details: Sequence[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = list(details) if details is not None else None


class MethodNotAllowed(StarletteHTTPException):
    """A 405 raised by a route itself, naming the methods that path does serve."""

    def __init__(self, *allowed: str) -> None:
        super().__init__(status.HTTP_405_METHOD_NOT_ALLOWED, headers={"Allow": ", ".join(allowed)})


def not_found(code: str, message: str) -> ApiError:
    return ApiError(status.HTTP_404_NOT_FOUND, code, message)


def validation_failed(message: str, details: Sequence[dict[str, Any]]) -> ApiError:
    return ApiError(status.HTTP_422_UNPROCESSABLE_CONTENT, "validation_error", message, details)


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic errors as ``[{"field": "price_per_night", "message": ...}]`` (location prefix dropped)."""
    details = []
    for error in errors:
        location = [str(part) for part in error["loc"]]
        if location and location[0] in {"body", "query", "path", "header"}:
            location = location[1:]
        details.append({"field": ".".join(location) or "request", "message": error["msg"]})
    return details


def from_validation_error(error: ValidationError) -> ApiError:
    return validation_failed("the request is invalid", field_errors(error.errors()))


def _envelope(status_code: int, code: str, message: str, details: list[dict[str, Any]] | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return JSONResponse({"error": body}, status_code=status_code)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return _envelope(exc.status_code, exc.code, exc.message, exc.details)


async def _request_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = field_errors(exc.errors())
    return _envelope(status.HTTP_422_UNPROCESSABLE_CONTENT, "validation_error", "the request is invalid", details)


_METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method some route serves at this path (Starlette's 405 names only the first route it tried)."""
    routes = request.app.router.routes
    allowed = (m for m in _METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes))
    return ", ".join(allowed)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == status.HTTP_400_BAD_REQUEST:
        # FastAPI raises 400 when the body cannot be decoded at all (not UTF-8, not JSON text): to the
        # client that is one more invalid input, so it gets the same 422 as any other.
        message = "the body is not valid JSON text (UTF-8)"
        return _envelope(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "validation_error", message, [{"field": "body", "message": message}]
        )
    response = _envelope(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED:
        # RFC 9110: a 405 must say what is allowed
        response.headers["Allow"] = (
            (exc.headers or {})["Allow"] if isinstance(exc, MethodNotAllowed) else _allowed_methods(request)
        )
    return response


def database_unavailable(error: BaseException) -> bool:
    """Is ``error`` the database being out of reach (retry later) rather than a bug?"""
    if isinstance(error, PoolTimeoutError | OSError):  # no free connection in time; refused, reset, timed out
        return True
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        return database_unavailable(error.orig) if error.orig is not None else False
    if isinstance(error, sqlite3.Error):
        return getattr(error, "sqlite_errorcode", None) in _UNAVAILABLE_SQLITE_CODES
    sqlstate = getattr(error, "sqlstate", None)  # asyncpg's PostgresError, under SQLAlchemy's adapter
    if isinstance(sqlstate, str):
        return sqlstate.startswith(_UNAVAILABLE_SQLSTATE_CLASSES) or sqlstate in _UNAVAILABLE_SQLSTATES
    cause = error.__cause__
    return cause is not None and database_unavailable(cause)


def unavailable_response() -> JSONResponse:
    response = _envelope(
        status.HTTP_503_SERVICE_UNAVAILABLE, "database_unavailable", "the database is unavailable; retry later"
    )
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    if database_unavailable(exc):
        logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return unavailable_response()
    return await _unexpected_error(request, exc)


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return _envelope(status.HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Registered by class, not under Exception: Starlette runs the Exception handler last and re-raises.
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(OSError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
