"""Notification service (system design kata, ~40 min).

"Other services ask us to notify a user by email, SMS and push. Accept the request at once, deliver on
every channel, retry what can be retried, and make it safe for a caller to retry its POST."

- `create_app(senders, *, sleep, clock)`: `senders` maps a channel name to its async sender; `sleep`
  (awaited for every wait) and `clock` (the time an attempt starts) are injected, so tests never sleep.
- `POST /notifications` `{"recipient", "message", "channels"}` -> 202 `{"id", "status": "pending"}`
  with `Location: /notifications/{id}`; every new notification gets a new id. 422 (FastAPI's
  `{"detail": ...}`) for a recipient outside 1-200 characters, a message outside 1-2000, an unknown
  field, an empty channel list or one longer than `MAX_CHANNELS` (10), a channel with no sender (the
  detail names it) or a channel listed twice (the detail says "twice"). A rejected request sends
  nothing.
- Deliver only after the 202 has been sent (the client never waits on a gateway), on every requested
  channel and no other: call its sender once per attempt with a `Delivery`. Channels are delivered
  concurrently: one channel's failures and retry waits never hold up another.
- A `TransientError` is retried: after failed attempt n, await `sleep(backoff_delay(n))` (1 s, 2 s,
  4 s: `BASE_DELAY_SECONDS * 2**(n - 1)`), at most `MAX_ATTEMPTS` attempts in all, no sleep before the
  first attempt or after the last. A `PermanentError`, or any other exception, fails the channel at
  once: no retry.
- Record every attempt: `number` (from 1), `at` (`clock()` when it starts), `error` (None when
  delivered, else a string containing the exception's message). A channel is `pending` until it
  settles (also while it waits to retry), then `delivered` or `failed`. A notification is `pending`
  while any channel is, else `delivered` (all), `failed` (all) or `partial`.
- `GET /notifications/{id}` -> `{"id", "status", "recipient", "message", "channels": {name:
  {"channel", "status", "attempts": [...]}}}`; `GET /notifications/{id}/channels/{channel}` -> that
  channel alone. 404 for an unknown id (the detail names it) or a channel the notification does not
  use (the detail names the channel).
- An optional `Idempotency-Key` header (1-255 characters, else 422): the same key with the same request
  (as validated: the JSON's field order and spacing do not matter, the order of `channels` does)
  answers 202 with the same id, its current status and Location, and sends nothing again; the same key
  with a different request is 409 (the detail names the key) and the first request stands. Without a
  key, every POST is new.

Run `dojo check notification_service`; `dojo hint notification_service` when stuck.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import BackgroundTasks, FastAPI, Header, HTTPException, Response, status
from pydantic import BaseModel, ConfigDict, Field

MAX_ATTEMPTS = 4
BASE_DELAY_SECONDS = 1.0
MAX_CHANNELS = 10


class TransientError(Exception):
    """The channel may work if asked again: a timeout, a 503, a rate limit."""


class PermanentError(Exception):
    """Asking again cannot help: an invalid address, an unsubscribed device."""


@dataclass(frozen=True)
class Delivery:
    """What a sender gets: one message for one channel (the id lets a provider drop duplicates)."""

    notification_id: str
    channel: str
    recipient: str
    message: str


Sender = Callable[[Delivery], Awaitable[None]]
Sleeper = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def backoff_delay(failed_attempt: int) -> float:
    """Seconds to wait after the given failed attempt (1-based) before the next one: 1, 2, 4, ..."""
    raise NotImplementedError("backoff_delay")  # TODO


# ---- records (given: an in-memory stand-in for a notifications table) ----


@dataclass
class Attempt:
    number: int
    at: float
    error: str | None = None  # None: delivered


@dataclass
class ChannelState:
    status: str = "pending"  # pending | delivered | failed
    attempts: list[Attempt] = field(default_factory=list)


@dataclass
class Notification:
    id: str
    recipient: str
    message: str
    channels: dict[str, ChannelState]


def overall_status(notification: Notification) -> str:
    """pending while any channel is; otherwise delivered, failed, or partial (some of each)."""
    raise NotImplementedError("overall_status")  # TODO


# ---- HTTP ----


class NotificationIn(BaseModel):
    """The POST body."""

    # TODO: recipient, message and channels, validated as the brief says


class Accepted(BaseModel):
    id: str
    status: str


class AttemptOut(BaseModel):
    number: int
    at: float
    error: str | None


class ChannelOut(BaseModel):
    channel: str
    status: str
    attempts: list[AttemptOut]


class NotificationOut(BaseModel):
    id: str
    status: str
    recipient: str
    message: str
    channels: dict[str, ChannelOut]


def create_app(
    senders: Mapping[str, Sender],
    *,
    sleep: Sleeper = asyncio.sleep,
    clock: Clock = time.time,
) -> FastAPI:
    notifications: dict[str, Notification] = {}
    by_key: dict[str, tuple[dict[str, Any], str]] = {}  # Idempotency-Key -> (validated request, id)
    app = FastAPI(title="Notifications")

    async def deliver(notification: Notification) -> None:
        """Every channel of the notification, with its retries."""
        raise NotImplementedError("deliver")  # TODO

    # Add status codes where the default 200 is wrong.

    @app.post("/notifications")
    async def send(
        payload: NotificationIn,
        response: Response,
        background_tasks: BackgroundTasks,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> Accepted:
        raise NotImplementedError("POST /notifications")  # TODO

    @app.get("/notifications/{notification_id}")
    async def notification_status(notification_id: str) -> NotificationOut:
        raise NotImplementedError("GET /notifications/{id}")  # TODO

    @app.get("/notifications/{notification_id}/channels/{channel}")
    async def channel_status(notification_id: str, channel: str) -> ChannelOut:
        raise NotImplementedError("GET /notifications/{id}/channels/{channel}")  # TODO

    return app
