"""One error shape for every failure: ``{"error": {"code", "message", "details"?}}``.

Clients branch on ``code`` (stable, machine-readable), show ``message`` (human-readable), and get
per-field ``details`` for validation errors. Handlers cover our own ``ApiError``, FastAPI's request
validation, Starlette's HTTP errors (unknown route, wrong method) and, last, anything unexpected:
a 500 that logs the traceback and never leaks it to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("deals_api.errors")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed"}


class ApiError(Exception):
    def __init__(
        self, status_code: int, code: str, message: str, details: Sequence[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = list(details) if details is not None else None


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


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return _envelope(exc.status_code, _HTTP_CODES.get(exc.status_code, "http_error"), str(exc.detail))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return _envelope(status.HTTP_500_INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _request_validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)
