"""Notification service: 202 and an id at once, one delivery per channel, retries with backoff, idempotency keys.

The decisions worth defending:

- POST answers 202 Accepted as soon as the request is recorded; delivery runs after the response has
  been sent (a BackgroundTask here, a queue and workers in production). A client never waits on an SMS
  gateway, let alone on its retries.
- Every channel is delivered on its own, concurrently: a failing SMS gateway neither stops nor delays
  the email. Each channel keeps its own status and its own list of attempts.
- Only a TransientError is retried, with exponential backoff (1 s, 2 s, 4 s) and at most MAX_ATTEMPTS
  attempts in all; a PermanentError (or any other exception) fails the channel at once, because trying
  again cannot help. No sleep before the first attempt, and none after the last.
- An Idempotency-Key makes a retried POST safe: the key is recorded before the response, together with
  the validated request, so the same key with the same request finds the same notification (nothing is
  sent twice) and the same key with a different request is a 409, never a silent replay of the old one.
- The sleeper and the clock are injected: tests never sleep, and attempt times are exact.
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
    return BASE_DELAY_SECONDS * 2.0 ** (failed_attempt - 1)


# ---- records (an in-memory stand-in for a notifications table) ----


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
    statuses = {state.status for state in notification.channels.values()}
    if "pending" in statuses:
        return "pending"
    if statuses == {"delivered"}:
        return "delivered"
    if statuses == {"failed"}:
        return "failed"
    return "partial"


# ---- HTTP ----


class NotificationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    recipient: str = Field(min_length=1, max_length=200)
    message: str = Field(min_length=1, max_length=2000)
    channels: list[str] = Field(min_length=1, max_length=MAX_CHANNELS)


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


def channel_out(channel: str, state: ChannelState) -> ChannelOut:
    attempts = [AttemptOut(number=a.number, at=a.at, error=a.error) for a in state.attempts]
    return ChannelOut(channel=channel, status=state.status, attempts=attempts)


def create_app(
    senders: Mapping[str, Sender],
    *,
    sleep: Sleeper = asyncio.sleep,
    clock: Clock = time.time,
) -> FastAPI:
    notifications: dict[str, Notification] = {}
    by_key: dict[str, tuple[dict[str, Any], str]] = {}  # Idempotency-Key -> (validated request, id)
    app = FastAPI(title="Notifications")

    async def deliver_channel(notification: Notification, channel: str) -> None:
        state = notification.channels[channel]
        delivery = Delivery(notification.id, channel, notification.recipient, notification.message)
        for number in range(1, MAX_ATTEMPTS + 1):
            if number > 1:
                await sleep(backoff_delay(number - 1))  # between attempts: never before the first or after the last
            attempt = Attempt(number=number, at=clock())
            state.attempts.append(attempt)
            try:
                await senders[channel](delivery)
            except TransientError as error:
                attempt.error = f"transient: {error}"
            except Exception as error:  # a permanent error, or a bug in the sender: retrying cannot help
                attempt.error = f"permanent: {error}"
                break
            else:
                state.status = "delivered"
                return
        state.status = "failed"

    async def deliver(notification: Notification) -> None:
        await asyncio.gather(*(deliver_channel(notification, channel) for channel in notification.channels))

    def found(notification_id: str) -> Notification:
        notification = notifications.get(notification_id)
        if notification is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no notification {notification_id!r}")
        return notification

    @app.post("/notifications", status_code=status.HTTP_202_ACCEPTED)
    async def send(
        payload: NotificationIn,
        response: Response,
        background_tasks: BackgroundTasks,
        idempotency_key: Annotated[str | None, Header(min_length=1, max_length=255)] = None,
    ) -> Accepted:
        unknown = [channel for channel in payload.channels if channel not in senders]
        if unknown:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail=f"unknown channel {unknown[0]!r}")
        if len(set(payload.channels)) != len(payload.channels):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, detail="a channel is listed twice")
        request = payload.model_dump()
        if idempotency_key is not None and idempotency_key in by_key:
            seen, notification_id = by_key[idempotency_key]
            if seen != request:
                raise HTTPException(
                    status.HTTP_409_CONFLICT,
                    detail=f"Idempotency-Key {idempotency_key!r} was used with a different request",
                )
            existing = notifications[notification_id]
            response.headers["Location"] = f"/notifications/{existing.id}"
            return Accepted(id=existing.id, status=overall_status(existing))
        notification = Notification(
            id=uuid.uuid4().hex,
            recipient=payload.recipient,
            message=payload.message,
            channels={channel: ChannelState() for channel in payload.channels},
        )
        notifications[notification.id] = notification
        if idempotency_key is not None:
            by_key[idempotency_key] = (request, notification.id)  # before any await: a retry finds it
        background_tasks.add_task(deliver, notification)  # runs after the response is sent
        response.headers["Location"] = f"/notifications/{notification.id}"
        return Accepted(id=notification.id, status=overall_status(notification))

    @app.get("/notifications/{notification_id}")
    async def notification_status(notification_id: str) -> NotificationOut:
        notification = found(notification_id)
        return NotificationOut(
            id=notification.id,
            status=overall_status(notification),
            recipient=notification.recipient,
            message=notification.message,
            channels={channel: channel_out(channel, state) for channel, state in notification.channels.items()},
        )

    @app.get("/notifications/{notification_id}/channels/{channel}")
    async def channel_status(notification_id: str, channel: str) -> ChannelOut:
        notification = found(notification_id)
        state = notification.channels.get(channel)
        if state is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND, detail=f"notification {notification_id!r} has no {channel!r} channel"
            )
        return channel_out(channel, state)

    return app
