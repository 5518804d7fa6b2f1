"""url_shortener: base62 codes, collisions, a 307 redirect, and clicks counted after the response."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule
from starlette.types import Message, Receive, Scope, Send

from katas.url_shortener import (
    ALPHABET,
    MAX_ATTEMPTS,
    LinkStore,
    create_app,
    decode_base62,
    encode_base62,
    random_code,
)

DOCS = "https://example.com/docs?page=2"


class ScriptedCodes:
    """A code generator that hands out the given codes in order, and fails loudly if asked for too many."""

    def __init__(self, codes: Iterable[str], limit: int = 20) -> None:
        self.codes = list(codes)
        self.limit = limit
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.calls > self.limit:
            raise AssertionError(f"asked for {self.calls} codes: is the retry loop unbounded?")
        return self.codes[min(self.calls, len(self.codes)) - 1]


@asynccontextmanager
async def client_for(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def shorten(client: httpx.AsyncClient, url: str = DOCS, **extra: str) -> dict[str, Any]:
    response = await client.post("/links", json={"url": url, **extra})
    assert response.status_code == 201, f"POST /links {url!r} answered {response.status_code}: {response.text}"
    body: dict[str, Any] = response.json()
    return body


# ---- base62 ----


@pytest.mark.parametrize(
    ("number", "code"),
    [(0, "0"), (9, "9"), (10, "A"), (35, "Z"), (36, "a"), (61, "z"), (62, "10"), (3843, "zz"), (3844, "100")],
)
def test_encode_base62_uses_digits_then_upper_then_lower_case(number, code):
    assert encode_base62(number) == code, f"encode_base62({number}) should be {code!r}"
    assert decode_base62(code) == number, f"decode_base62({code!r}) should be {number}"


@given(st.integers(min_value=0, max_value=2**128))
def test_decode_inverts_encode(number):
    code = encode_base62(number)
    assert set(code) <= set(ALPHABET), f"encode_base62({number}) = {code!r} uses characters outside the alphabet"
    assert decode_base62(code) == number, f"decode_base62(encode_base62({number})) gave {decode_base62(code)}"


@given(st.integers(min_value=0, max_value=62**6), st.integers(min_value=0, max_value=62**6))
def test_codes_of_equal_length_sort_like_their_numbers(a, b):
    code_a, code_b = encode_base62(a), encode_base62(b)
    if len(code_a) == len(code_b):
        assert (a < b) == (code_a < code_b), f"{a} -> {code_a!r} and {b} -> {code_b!r} sort differently"
    else:
        assert (a < b) == (len(code_a) < len(code_b)), "a bigger number never gets a shorter code"


def test_encode_rejects_negative_numbers():
    with pytest.raises(ValueError, match="negative"):
        encode_base62(-1)


@pytest.mark.parametrize("code", ["", "ab-c", "é", "a b"], ids=["empty", "dash", "accent", "space"])
def test_decode_rejects_characters_outside_the_alphabet(code):
    with pytest.raises(ValueError):  # noqa: PT011 - the wording of the message is the learner's choice
        decode_base62(code)


def test_random_code_draws_seven_base62_characters_every_time():
    codes = [random_code() for _ in range(2_000)]
    wrong = [code for code in codes if len(code) != 7 or not set(code) <= set(ALPHABET)]
    assert not wrong, f"codes must be exactly 7 base62 characters (pad small numbers), got {wrong[:5]}"
    assert len(set(codes)) > 1_990, "2,000 random draws from 62**7 codes should almost never repeat"


# ---- shortening ----


async def test_shorten_answers_201_with_the_code_and_the_short_url():
    async with client_for(create_app(generate_code=ScriptedCodes(["Ab3xY9z"]))) as client:
        response = await client.post("/links", json={"url": DOCS})
        assert response.status_code == 201, f"creating a link is 201 Created, got {response.status_code}"
        body = response.json()
        assert (body["code"], body["url"], body["short_url"]) == ("Ab3xY9z", DOCS, "http://test/Ab3xY9z")
        assert response.headers.get("location", "").endswith("/links/Ab3xY9z")


async def test_the_default_generator_gives_seven_character_base62_codes():
    async with client_for(create_app()) as client:
        codes = [(await shorten(client))["code"] for _ in range(5)]
    assert all(len(code) == 7 and set(code) <= set(ALPHABET) for code in codes), f"got {codes}"
    assert len(set(codes)) == 5, "shortening the same URL again mints a new code"


async def test_the_same_url_twice_gets_two_codes_that_both_work():
    async with client_for(create_app(generate_code=ScriptedCodes(["first01", "second2"]))) as client:
        first, second = await shorten(client), await shorten(client)
        assert (first["code"], second["code"]) == ("first01", "second2")
        for code in ("first01", "second2"):
            assert (await client.get(f"/{code}")).headers["location"] == DOCS


async def test_a_custom_alias_becomes_the_code():
    async with client_for(create_app()) as client:
        body = await shorten(client, alias="spring-sale")
        assert (body["code"], body["short_url"]) == ("spring-sale", "http://test/spring-sale")
        assert (await client.get("/spring-sale")).headers["location"] == DOCS
        for alias in ("abc", "Z" * 32):  # the shortest and the longest an alias may be
            assert (await shorten(client, alias=alias))["code"] == alias


async def test_a_taken_alias_is_409_and_the_first_link_survives():
    async with client_for(create_app()) as client:
        await shorten(client, alias="promo")
        response = await client.post("/links", json={"url": "https://evil.example/", "alias": "promo"})
        assert response.status_code == 409, f"reusing an alias should be 409 Conflict, got {response.status_code}"
        assert (await client.get("/promo")).headers["location"] == DOCS, "the taken alias was overwritten"


async def test_a_colliding_random_code_is_retried_with_a_fresh_one():
    codes = ScriptedCodes(["dup4242", "dup4242", "fresh77"])
    async with client_for(create_app(generate_code=codes)) as client:
        await shorten(client)
        second = await shorten(client, url="https://example.org/other")
        assert second["code"] == "fresh77", "on a collision, draw another code instead of reusing the taken one"
        assert (await client.get("/dup4242")).headers["location"] == DOCS, "the existing link was overwritten"
        assert (await client.get("/fresh77")).headers["location"] == "https://example.org/other"


async def test_gives_up_with_503_after_a_bounded_number_of_collisions():
    codes = ScriptedCodes(["same000"])
    async with client_for(create_app(generate_code=codes)) as client:
        await shorten(client)
        before = codes.calls
        response = await client.post("/links", json={"url": "https://example.org/other"})
        assert response.status_code == 503, f"when every attempt collides, answer 503, got {response.status_code}"
        drawn = codes.calls - before
        assert 2 <= drawn <= MAX_ATTEMPTS, (
            f"{drawn} codes drawn: retry a few times, not once, and at most MAX_ATTEMPTS ({MAX_ATTEMPTS}) in all"
        )
        assert (await client.get("/same000")).headers["location"] == DOCS


@pytest.mark.parametrize(
    "payload",
    [
        {"url": "javascript:alert(document.cookie)"},
        {"url": "data:text/html,<script>alert(1)</script>"},
        {"url": "ftp://example.com/file"},
        {"url": "http://"},
        {"url": "example.com/no-scheme"},
        {"url": "not a url"},
        {},
        {"url": DOCS, "alias": "a b"},
        {"url": DOCS, "alias": "x"},
        {"url": DOCS, "alias": "../admin"},
        {"url": DOCS, "alias": "a" * 33},
    ],
    ids=[
        "javascript",
        "data",
        "ftp",
        "no_host",
        "no_scheme",
        "prose",
        "missing_url",
        "alias_with_space",
        "alias_too_short",
        "alias_with_slash",
        "alias_of_33",
    ],
)
async def test_rejects_what_is_not_an_http_url_or_a_valid_alias_with_422(payload):
    async with client_for(create_app()) as client:
        response = await client.post("/links", json=payload)
        assert response.status_code == 422, f"POST /links {payload} should be rejected, got {response.status_code}"


# ---- redirecting ----


async def test_a_code_redirects_with_307_to_the_original_url():
    async with client_for(create_app(generate_code=ScriptedCodes(["go12345"]))) as client:
        await shorten(client)
        response = await client.get("/go12345", follow_redirects=False)
        assert response.status_code == 307, (
            f"got {response.status_code}: a temporary redirect keeps browsers and CDNs coming back "
            "(so clicks are counted and the link can change); 301 is cached for good"
        )
        assert response.headers["location"] == DOCS


async def test_unknown_codes_are_404():
    async with client_for(create_app()) as client:
        assert (await client.get("/nothing", follow_redirects=False)).status_code == 404
        assert (await client.get("/links/nothing")).status_code == 404


async def test_every_redirect_counts_one_click():
    async with client_for(create_app(generate_code=ScriptedCodes(["cnt0001"]))) as client:
        await shorten(client)
        assert (await client.get("/links/cnt0001")).json()["clicks"] == 0
        for _ in range(3):
            assert (await client.get("/cnt0001", follow_redirects=False)).status_code == 307
        assert (await client.get("/links/cnt0001")).json()["clicks"] == 3


class LoggingStore(LinkStore):
    def __init__(self, log: list[str]) -> None:
        super().__init__()
        self.log = log

    async def record_click(self, code: str) -> None:
        self.log.append(f"click {code} recorded")
        await super().record_click(code)


class LogResponseSent:
    """ASGI wrapper: notes the moment the app hands over the last piece of a response body."""

    def __init__(self, app: FastAPI, log: list[str]) -> None:
        self.app = app
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def noting_send(message: Message) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.log.append(f"response to {scope['path']} sent")

        await self.app(scope, receive, noting_send)


async def test_the_click_is_recorded_after_the_redirect_response_is_sent():
    log: list[str] = []
    app = create_app(store=LoggingStore(log), generate_code=ScriptedCodes(["ord0001"]))
    async with client_for(LogResponseSent(app, log)) as client:
        await shorten(client)
        log.clear()
        assert (await client.get("/ord0001", follow_redirects=False)).status_code == 307
    assert log == ["response to /ord0001 sent", "click ord0001 recorded"], (
        f"events in order: {log}. Counting before responding makes every visitor wait on the counter: "
        "hand it to BackgroundTasks"
    )


def test_random_codes_come_from_a_secure_source_not_the_seedable_random_module():
    state = random.getstate()
    try:
        random.seed(1234)
        first = [random_code() for _ in range(5)]
        random.seed(1234)
        second = [random_code() for _ in range(5)]
    finally:
        random.setstate(state)
    assert first != second, (
        "re-seeding the random module replayed the same codes: anyone can guess them. Draw from secrets"
    )


async def test_errors_say_what_went_wrong():
    async with client_for(create_app(generate_code=ScriptedCodes(["same000"] * 30))) as client:
        await shorten(client, alias="promo")
        taken = await client.post("/links", json={"url": DOCS, "alias": "promo"})
        assert taken.status_code == 409
        assert "promo" in str(taken.json().get("detail")), f"the 409 should name the taken alias, got {taken.json()}"
        await shorten(client)
        exhausted = await client.post("/links", json={"url": DOCS})
        assert exhausted.status_code == 503
        assert "code" in str(exhausted.json().get("detail")), (
            f"the 503 should say no free code was found, under 'detail', got {exhausted.json()}"
        )


@pytest.mark.parametrize("code", ["", "ab!"], ids=["empty", "bad_character"])
def test_decode_errors_name_the_problem(code):
    with pytest.raises(ValueError, match="empty" if not code else "!"):
        decode_base62(code)


class LinksAgainstModel(RuleBasedStateMachine):
    """Random shortens (with and without aliases), redirects and lookups must match a dict of links."""

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.stack = contextlib.AsyncExitStack()
        self.client: httpx.AsyncClient = self.run(self.stack.enter_async_context(client_for(create_app())))
        self.model: dict[str, dict[str, Any]] = {}  # code -> {"url", "clicks"}

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    def teardown(self) -> None:
        self.run(self.stack.aclose())
        self.loop.close()

    @rule(path=st.sampled_from(["a", "b/c?d=1", ""]), alias=st.none() | st.sampled_from(["promo", "sale-1", "x_y"]))
    def shorten(self, path: str, alias: str | None) -> None:
        url = f"https://example.com/{path}"
        response = self.run(self.client.post("/links", json={"url": url} | ({"alias": alias} if alias else {})))
        if alias is not None and alias in self.model:
            assert response.status_code == 409
            return
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["code"] not in self.model, "a new link never reuses a code"
        if alias is not None:
            assert body["code"] == alias
        assert (body["url"], body["clicks"]) == (url, 0)
        self.model[body["code"]] = {"url": url, "clicks": 0}

    @rule(pick=st.integers(0, 20))
    def follow(self, pick: int) -> None:
        if not self.model:
            assert self.run(self.client.get("/nothing0", follow_redirects=False)).status_code == 404
            return
        code = sorted(self.model)[pick % len(self.model)]
        response = self.run(self.client.get(f"/{code}", follow_redirects=False))
        assert (response.status_code, response.headers.get("location")) == (307, self.model[code]["url"])
        self.model[code]["clicks"] += 1

    @rule(pick=st.integers(0, 20))
    def look_up(self, pick: int) -> None:
        if not self.model:
            return
        code = sorted(self.model)[pick % len(self.model)]
        body = self.run(self.client.get(f"/links/{code}")).json()
        assert (body["code"], body["url"], body["clicks"]) == (code, self.model[code]["url"], self.model[code]["clicks"])


TestLinksAgainstModel = LinksAgainstModel.TestCase
TestLinksAgainstModel.settings = settings(max_examples=25, stateful_step_count=20)
