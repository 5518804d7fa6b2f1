"""notification_service: 202 at once, a delivery per channel, backoff retries, idempotency keys, status."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from starlette.types import Message, Receive, Scope, Send

from dojo.testing import FakeClock
from katas.notification_service import (
    MAX_ATTEMPTS,
    Delivery,
    PermanentError,
    TransientError,
    backoff_delay,
    create_app,
)

BODY = {"recipient": "ada@example.com", "message": "Your order shipped", "channels": ["email"]}


class ScriptedSender:
    """A channel's sender: plays the given outcomes in order (None: delivered), then keeps delivering."""

    def __init__(self, name: str, log: list[str], outcomes: Iterable[Exception | None] = ()) -> None:
        self.name = name
        self.log = log
        self.outcomes = list(outcomes)
        self.deliveries: list[Delivery] = []

    async def __call__(self, delivery: Delivery) -> None:
        self.deliveries.append(delivery)
        self.log.append(f"{self.name} attempt {len(self.deliveries)}")
        outcome = self.outcomes.pop(0) if self.outcomes else None
        if outcome is not None:
            raise outcome


class FakeSleeper:
    """Records every delay, moves the fake clock by it, and yields to the loop once, never waiting."""

    def __init__(self, clock: FakeClock, log: list[str]) -> None:
        self.clock = clock
        self.log = log
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.log.append(f"sleep {seconds:g}")
        self.clock.advance(seconds)
        await asyncio.sleep(0)


class Kit:
    """An app with one scripted sender per channel, a fake clock and a fake sleeper."""

    def __init__(self, **outcomes: Iterable[Exception | None]) -> None:
        self.log: list[str] = []
        self.clock = FakeClock(start=1_000.0)
        self.sleeper = FakeSleeper(self.clock, self.log)
        self.senders = {
            channel: ScriptedSender(channel, self.log, outcomes.get(channel, ()))
            for channel in ("email", "sms", "push")
        }
        self.app = create_app(self.senders, sleep=self.sleeper, clock=self.clock)


@asynccontextmanager
async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def accept(client: httpx.AsyncClient, body: dict[str, Any] = BODY, key: str | None = None) -> str:
    headers = {"Idempotency-Key": key} if key is not None else {}
    response = await client.post("/notifications", json=body, headers=headers)
    assert response.status_code == 202, f"POST /notifications {body} answered {response.status_code}: {response.text}"
    notification_id: str = response.json()["id"]
    return notification_id


async def status_of(client: httpx.AsyncClient, notification_id: str) -> dict[str, Any]:
    response = await client.get(f"/notifications/{notification_id}")
    assert response.status_code == 200, f"GET /notifications/{notification_id} answered {response.status_code}"
    body: dict[str, Any] = response.json()
    return body


def boom(kind: type[Exception], times: int) -> list[Exception | None]:
    return [kind(f"gateway said no ({n + 1})") for n in range(times)]


# ---- accepting ----


async def test_post_answers_202_with_an_id_and_a_location():
    kit = Kit()
    async with client_for(kit.app) as client:
        response = await client.post("/notifications", json=BODY)
        assert response.status_code == 202, f"accepted for delivery is 202 Accepted, got {response.status_code}"
        body = response.json()
        assert isinstance(body.get("id"), str), f"the 202 carries the notification's id, got {body}"
        assert body["id"], "the id is not empty"
        assert body["status"] == "pending", "nothing has been delivered when the 202 is sent"
        assert response.headers.get("location", "").endswith(f"/notifications/{body['id']}")
        assert (await accept(client)) != body["id"], "every new notification gets its own id"


class LogResponseSent:
    """ASGI wrapper: notes the moment the app hands over the last piece of a response body."""

    def __init__(self, app: FastAPI, log: list[str]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def noting_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.log.append(f"{scope['method']} {scope['path']} answered")

        await self.app(scope, receive, noting_send)


async def test_delivery_starts_only_after_the_202_has_been_sent():
    kit = Kit(email=boom(TransientError, 1))
    async with client_for(LogResponseSent(kit.app, kit.log)) as client:
        await accept(client)
    assert kit.log == ["POST /notifications answered", "email attempt 1", "sleep 1", "email attempt 2"], (
        f"events in order: {kit.log}. The client must not wait for gateways or retries: deliver in the background"
    )


async def test_every_channel_gets_the_message_with_the_notification_id():
    kit = Kit()
    body = BODY | {"channels": ["email", "sms", "push"]}
    async with client_for(kit.app) as client:
        notification_id = await accept(client, body)
        status = await status_of(client, notification_id)
    for channel in ("email", "sms", "push"):
        assert kit.senders[channel].deliveries == [
            Delivery(notification_id, channel, "ada@example.com", "Your order shipped")
        ], f"the {channel} sender should get the message once"
    assert status["status"] == "delivered"
    assert {name: (channel["channel"], channel["status"]) for name, channel in status["channels"].items()} == {
        "email": ("email", "delivered"),
        "sms": ("sms", "delivered"),
        "push": ("push", "delivered"),
    }


async def test_only_the_requested_channels_are_used():
    kit = Kit()
    async with client_for(kit.app) as client:
        notification_id = await accept(client, BODY | {"channels": ["sms"]})
        status = await status_of(client, notification_id)
    assert [len(kit.senders[c].deliveries) for c in ("email", "sms", "push")] == [0, 1, 0]
    assert list(status["channels"]) == ["sms"]


# ---- retries ----


def test_backoff_doubles_from_one_second():
    assert [backoff_delay(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 8.0], "delay after failed attempt n"


async def test_a_transient_failure_is_retried_with_exponential_backoff():
    kit = Kit(email=boom(TransientError, 2))
    async with client_for(kit.app) as client:
        notification_id = await accept(client)
        status = await status_of(client, notification_id)
    assert kit.sleeper.delays == [1.0, 2.0], f"two failures, then success: wait 1 s then 2 s, got {kit.sleeper.delays}"
    email = status["channels"]["email"]
    assert email["status"] == "delivered"
    assert [a["number"] for a in email["attempts"]] == [1, 2, 3]
    assert [a["at"] for a in email["attempts"]] == [1_000.0, 1_001.0, 1_003.0], "each attempt's time, from the clock"
    assert "gateway said no (1)" in (email["attempts"][0]["error"] or ""), "a failed attempt records its error"
    assert email["attempts"][2]["error"] is None, "a delivered attempt has no error"


async def test_gives_up_after_max_attempts_without_a_sleep_after_the_last():
    kit = Kit(email=boom(TransientError, 10))
    async with client_for(kit.app) as client:
        notification_id = await accept(client)
        status = await status_of(client, notification_id)
    assert MAX_ATTEMPTS == 4
    assert len(kit.senders["email"].deliveries) == 4, "at most MAX_ATTEMPTS attempts in all"
    assert kit.sleeper.delays == [1.0, 2.0, 4.0], (
        f"no sleep before the first attempt or after the last: {kit.sleeper.delays}"
    )
    assert (status["status"], status["channels"]["email"]["status"]) == ("failed", "failed")
    assert all(a["error"] for a in status["channels"]["email"]["attempts"])


@pytest.mark.parametrize("error", [PermanentError("no such address"), ValueError("a bug")], ids=["permanent", "other"])
async def test_a_permanent_failure_is_not_retried(error):
    kit = Kit(email=[error])
    async with client_for(kit.app) as client:
        notification_id = await accept(client)
        status = await status_of(client, notification_id)
    assert len(kit.senders["email"].deliveries) == 1, "retrying cannot fix a permanent error"
    assert kit.sleeper.delays == []
    email = status["channels"]["email"]
    assert email["status"] == "failed"
    assert str(error) in email["attempts"][0]["error"], f"the attempt says what went wrong, got {email['attempts']}"


async def test_one_failing_channel_neither_stops_nor_delays_the_others():
    kit = Kit(email=boom(TransientError, 10), sms=[PermanentError("unsubscribed")])
    body = BODY | {"channels": ["email", "sms", "push"]}
    async with client_for(kit.app) as client:
        notification_id = await accept(client, body)
        status = await status_of(client, notification_id)
    assert {name: channel["status"] for name, channel in status["channels"].items()} == {
        "email": "failed",
        "sms": "failed",
        "push": "delivered",
    }
    assert status["status"] == "partial", "some channels delivered and some failed is 'partial'"
    first_sleep = kit.log.index("sleep 1")
    assert {"sms attempt 1", "push attempt 1"} <= set(kit.log[: first_sleep + 3]), (
        f"events in order: {kit.log}. Channels are delivered concurrently: the push must not wait for the email's retries"
    )


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        ({}, "delivered"),
        ({"email": [PermanentError("x")], "sms": [PermanentError("y")]}, "failed"),
        ({"sms": [PermanentError("y")]}, "partial"),
    ],
    ids=["all_delivered", "all_failed", "some_failed"],
)
async def test_the_overall_status_sums_up_the_channels(outcomes, expected):
    kit = Kit(**outcomes)
    async with client_for(kit.app) as client:
        notification_id = await accept(client, BODY | {"channels": ["email", "sms"]})
        assert (await status_of(client, notification_id))["status"] == expected


async def test_a_channel_is_pending_until_it_settles():
    kit = Kit(email=boom(TransientError, 1))
    seen: list[tuple[str, str]] = []
    app = kit.app

    async def peeking_sleep(seconds: float) -> None:  # look at the status while the email waits to retry
        async with client_for(app) as inner:
            status = await status_of(inner, kit.senders["email"].deliveries[0].notification_id)
        seen.append((status["status"], status["channels"]["email"]["status"]))

    kit.app = app = create_app(kit.senders, sleep=peeking_sleep, clock=kit.clock)
    async with client_for(app) as client:
        await accept(client)
    assert seen == [("pending", "pending")], f"while a retry is due the channel is still pending, got {seen}"


# ---- status ----


async def test_the_channel_endpoint_lists_its_attempts():
    kit = Kit(sms=boom(TransientError, 1))
    async with client_for(kit.app) as client:
        notification_id = await accept(client, BODY | {"channels": ["email", "sms"]})
        response = await client.get(f"/notifications/{notification_id}/channels/sms")
        assert response.status_code == 200
        body = response.json()
        assert (body["channel"], body["status"]) == ("sms", "delivered")
        assert [(a["number"], a["at"], a["error"] is None) for a in body["attempts"]] == [
            (1, 1_000.0, False),
            (2, 1_001.0, True),
        ]
        missing = await client.get(f"/notifications/{notification_id}/channels/push")
        assert missing.status_code == 404, "a channel the notification does not use is 404"
        assert "push" in str(missing.json().get("detail"))


async def test_unknown_notifications_are_404_with_a_detail():
    async with client_for(Kit().app) as client:
        for path in ("/notifications/nope", "/notifications/nope/channels/email"):
            response = await client.get(path)
            assert response.status_code == 404, f"GET {path} should be 404, got {response.status_code}"
            assert "nope" in str(response.json().get("detail")), "the 404's detail names the id"


async def test_the_status_shows_the_request():
    async with client_for(Kit().app) as client:
        notification_id = await accept(client)
        status = await status_of(client, notification_id)
    assert (status["id"], status["recipient"], status["message"]) == (
        notification_id,
        BODY["recipient"],
        BODY["message"],
    )


# ---- idempotency ----


async def test_the_same_key_and_request_find_the_same_notification_and_send_once():
    kit = Kit()
    async with client_for(kit.app) as client:
        first = await accept(client, key="order-17-shipped")
        replay = await client.post(
            "/notifications",
            content=b'{"channels": ["email"], "message": "Your order shipped",   "recipient": "ada@example.com"}',
            headers={"Idempotency-Key": "order-17-shipped", "Content-Type": "application/json"},
        )
        assert replay.status_code == 202, f"a retried POST is still 202, got {replay.status_code}: {replay.text}"
        assert replay.json()["id"] == first, "same key, same request (field order and spacing aside): same notification"
        assert replay.json()["status"] == "delivered", "the replay reports the notification's current status"
        assert replay.headers.get("location", "").endswith(f"/notifications/{first}")
    assert len(kit.senders["email"].deliveries) == 1, "a retried POST must not send the message again"


async def test_the_same_key_with_a_different_request_is_409():
    kit = Kit()
    async with client_for(kit.app) as client:
        first = await accept(client, key="k-1")
        for change in (
            {"message": "Your order was cancelled"},
            {"recipient": "bob@example.com"},
            {"channels": ["sms"]},
        ):
            response = await client.post("/notifications", json=BODY | change, headers={"Idempotency-Key": "k-1"})
            assert response.status_code == 409, f"key reused with {change}: 409 Conflict, got {response.status_code}"
            assert "k-1" in str(response.json().get("detail")), "the 409's detail names the key"
        assert (await status_of(client, first))["message"] == BODY["message"], "the first request stands"
    assert [len(s.deliveries) for s in kit.senders.values()] == [1, 0, 0], "nothing new was sent"


async def test_without_a_key_or_with_another_key_every_post_is_new():
    kit = Kit()
    async with client_for(kit.app) as client:
        ids = {await accept(client), await accept(client), await accept(client, key="a"), await accept(client, key="b")}
    assert len(ids) == 4, "only the same Idempotency-Key makes a POST a replay"
    assert len(kit.senders["email"].deliveries) == 4


# ---- bad input ----


@pytest.mark.parametrize(
    ("body", "headers", "word"),
    [
        (BODY | {"channels": []}, {}, None),
        (BODY | {"channels": ["email"] * 11}, {}, None),
        (BODY | {"channels": ["fax"]}, {}, "fax"),
        (BODY | {"channels": ["email", "email"]}, {}, "twice"),
        (BODY | {"recipient": ""}, {}, None),
        (BODY | {"message": ""}, {}, None),
        (BODY | {"message": "x" * 2001}, {}, None),
        (BODY | {"recipient": "x" * 201}, {}, None),
        ({"recipient": "ada@example.com", "channels": ["email"]}, {}, None),
        (BODY | {"priority": "high"}, {}, None),
        (BODY, {"Idempotency-Key": "k" * 256}, None),
        (BODY, {"Idempotency-Key": ""}, None),
    ],
    ids=[
        "no_channels",
        "too_many_channels",
        "unknown_channel",
        "repeated_channel",
        "empty_recipient",
        "empty_message",
        "long_message",
        "long_recipient",
        "missing_message",
        "unknown_field",
        "long_key",
        "empty_key",
    ],
)
async def test_bad_requests_are_422_and_send_nothing(body, headers, word):
    kit = Kit()
    async with client_for(kit.app) as client:
        response = await client.post("/notifications", json=body, headers=headers)
    assert response.status_code == 422, f"POST {body} with {headers} should be 422, got {response.status_code}"
    assert "detail" in response.json(), "errors use FastAPI's envelope: {'detail': ...}"
    if word is not None:
        assert word in str(response.json()["detail"]), f"the detail should say what is wrong ({word!r})"
    assert not any(s.deliveries for s in kit.senders.values())


async def test_the_longest_allowed_fields_are_accepted():
    kit = Kit()
    body = {"recipient": "r" * 200, "message": "m" * 2000, "channels": ["push"]}
    async with client_for(kit.app) as client:
        await accept(client, body, key="k" * 255)
    assert len(kit.senders["push"].deliveries) == 1


# ---- the model: idempotency and outcomes under random sequences ----

RECIPIENTS = {  # a recipient's outcome on every channel: the senders below read it from the delivery
    "ok@example.com": ("delivered", 1),
    "flaky@example.com": ("delivered", 3),
    "down@example.com": ("failed", MAX_ATTEMPTS),
    "bad@example.com": ("failed", 1),
}


class ByRecipient:
    """A sender whose outcome depends on the recipient, so the model can predict every attempt."""

    def __init__(self) -> None:
        self.calls: dict[tuple[str, str], int] = {}

    async def __call__(self, delivery: Delivery) -> None:
        key = (delivery.notification_id, delivery.channel)
        self.calls[key] = self.calls.get(key, 0) + 1
        if delivery.recipient == "bad@example.com":
            raise PermanentError("invalid address")
        if delivery.recipient == "down@example.com" or (
            delivery.recipient == "flaky@example.com" and self.calls[key] < 3
        ):
            raise TransientError("timeout")


class NotificationsAgainstModel(RuleBasedStateMachine):
    """Random POSTs (with and without keys) and status reads must match a model of keys and outcomes."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.sender = ByRecipient()
        clock = FakeClock()
        app = create_app({"email": self.sender, "sms": self.sender}, sleep=FakeSleeper(clock, []), clock=clock)
        self.client: httpx.AsyncClient = self.run(self.stack.enter_async_context(client_for(app)))
        self.keys: dict[str, tuple[dict[str, Any], str]] = {}
        self.notifications: dict[str, dict[str, Any]] = {}

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.stack.aclose())
        self.loop.close()

    @rule(
        recipient=st.sampled_from(sorted(RECIPIENTS)),
        channels=st.sampled_from([["email"], ["sms"], ["email", "sms"], ["sms", "email"]]),
        key=st.none() | st.sampled_from(["k1", "k2", "k3"]),
    )
    def post(self, recipient: str, channels: list[str], key: str | None) -> None:
        body = {"recipient": recipient, "message": "hi", "channels": channels}
        headers = {"Idempotency-Key": key} if key else {}
        response = self.run(self.client.post("/notifications", json=body, headers=headers))
        if key is not None and key in self.keys:
            seen, notification_id = self.keys[key]
            if seen != body:
                assert response.status_code == 409, f"key {key} reused with another body: {response.status_code}"
                return
            assert (response.status_code, response.json()["id"]) == (202, notification_id)
            return
        assert response.status_code == 202, response.text
        notification_id = response.json()["id"]
        assert notification_id not in self.notifications, "a new notification never reuses an id"
        self.notifications[notification_id] = body
        if key is not None:
            self.keys[key] = (body, notification_id)

    @rule(pick=st.integers(0, 30))
    def check(self, pick: int) -> None:
        if not self.notifications:
            assert self.run(self.client.get("/notifications/none")).status_code == 404
            return
        notification_id = sorted(self.notifications)[pick % len(self.notifications)]
        body = self.notifications[notification_id]
        outcome, attempts = RECIPIENTS[body["recipient"]]
        status = self.run(self.client.get(f"/notifications/{notification_id}")).json()
        assert status["status"] == outcome
        for channel in body["channels"]:
            assert status["channels"][channel]["status"] == outcome
            assert len(status["channels"][channel]["attempts"]) == attempts
            assert self.sender.calls[(notification_id, channel)] == attempts, "each channel delivered exactly once"


TestNotificationsAgainstModel = NotificationsAgainstModel.TestCase
TestNotificationsAgainstModel.settings = settings(max_examples=25, stateful_step_count=15)


async def test_the_same_key_with_the_channels_in_another_order_is_409() -> None:
    kit = Kit()
    async with client_for(kit.app) as client:
        await accept(client, BODY | {"channels": ["email", "sms"]}, key="k-1")
        response = await client.post(
            "/notifications", json=BODY | {"channels": ["sms", "email"]}, headers={"Idempotency-Key": "k-1"}
        )
        assert response.status_code == 409, f"the order of channels is part of the request, got {response.status_code}"
        assert "k-1" in str(response.json().get("detail"))
    assert [len(s.deliveries) for s in kit.senders.values()] == [1, 1, 0], "nothing new was sent"


class SlowSender(ScriptedSender):
    """A gateway that takes ``seconds`` of (fake) time to answer."""

    def __init__(self, clock: FakeClock, seconds: float, *args: Any) -> None:
        super().__init__(*args)
        self.clock = clock
        self.seconds = seconds

    async def __call__(self, delivery: Delivery) -> None:
        self.clock.advance(self.seconds)
        await super().__call__(delivery)


async def test_an_attempt_is_timed_when_it_starts_not_when_it_ends() -> None:
    log: list[str] = []
    clock = FakeClock(start=1_000.0)
    sender = SlowSender(clock, 5.0, "email", log, boom(TransientError, 1))
    app = create_app({"email": sender}, sleep=FakeSleeper(clock, log), clock=clock)
    async with client_for(app) as client:
        notification_id = await accept(client)
        attempts = (await status_of(client, notification_id))["channels"]["email"]["attempts"]
    # attempt 1 starts at 1000 and takes 5 s; 1 s of backoff; attempt 2 starts at 1006
    assert [(a["number"], a["at"]) for a in attempts] == [(1, 1_000.0), (2, 1_006.0)], (
        f"`at` is clock() when the attempt starts, before the sender is called: {attempts}"
    )
