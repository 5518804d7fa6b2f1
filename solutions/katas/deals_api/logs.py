"""Logging: one line per record, tagged with the current request's id (see ``middleware.py``)."""

from __future__ import annotations

import logging
from contextvars import ContextVar

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


def configure_logging(debug: bool = False) -> None:
    """Route the ``deals_api`` loggers to stderr (idempotent: safe to call once per app)."""
    logger = logging.getLogger("deals_api")
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    if not any(getattr(handler, "deals_api", False) for handler in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(RequestIdFilter())
        handler.deals_api = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.propagate = False
