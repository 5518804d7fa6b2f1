"""login: POST /login answers 401 alike for every failure, resists SQL injection, signs expiring tokens with
the configured secret, and stores passwords salted and hashed, checked in constant time."""

from __future__ import annotations

import hmac
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from dojo.testing import serve
from reviews.login import Base, add_user, create_app

SECRET = "a-test-secret-that-is-long-enough-for-hs256"  # what the operator put in LOGIN_JWT_SECRET
ADA = ("ada", "correct horse battery staple")
BOB = ("bob", "hunter2-hunter2")
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    """A settable `now()` for the app: the tests move time by hand."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture(autouse=True)
def jwt_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOGIN_JWT_SECRET", SECRET)
    return SECRET


def make_database(path: Path, users: list[tuple[str, str]]) -> Path:
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        for username, password in users:
            add_user(session, username, password)
        session.commit()
    engine.dispose()
    return path


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return make_database(tmp_path / "users.db", [ADA, BOB])




async def log_in(
    database: Path, username: str, password: str, clock: Callable[[], datetime] | None = None
) -> httpx.Response:
    async with serve(create_app(database, now=clock or Clock())) as client:
        return await client.post("/login", json={"username": username, "password": password})


def claims_of(token: str, secret: str = SECRET) -> dict[str, Any]:
    """The token's claims, its signature checked with `secret`; expiry is the tests' business, not the wall clock's."""
    return jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False, "verify_iat": False})


@pytest.mark.guard
async def test_the_right_password_gets_a_token(database):
    response = await log_in(database, *ADA)
    assert response.status_code == 200, f"logging in as ada answered {response.status_code}: {response.text}"
    assert isinstance(response.json().get("access_token"), str), f"no access_token in {response.json()}"


async def test_a_wrong_password_is_a_401(database):
    response = await log_in(database, ADA[0], "not her password")
    assert response.status_code == 401, (
        f"a wrong password answered {response.status_code} {response.text}: a failed login must be a 401, or"
        " clients, rate limiters and alerting all read it as a success"
    )
    assert "access_token" not in response.text


async def test_an_unknown_user_gets_the_same_401_as_a_wrong_password(database):
    wrong_password = await log_in(database, ADA[0], "not her password")
    unknown_user = await log_in(database, "mallory", "not her password")
    assert unknown_user.status_code == 401, f"an unknown user answered {unknown_user.status_code}: {unknown_user.text}"
    assert unknown_user.json() == wrong_password.json(), (
        f"unknown user answered {unknown_user.json()}, wrong password {wrong_password.json()}: when they differ,"
        " anyone can find out which usernames exist"
    )


@pytest.mark.parametrize(
    ("username", "password"),
    [
        ("ada", "' OR '1'='1"),
        ("ada' --", "anything"),
        ("' OR '1'='1' --", "anything"),
        ("nobody' OR username LIKE '%", "' OR '1'='1"),
        ("ada'", "anything"),
    ],
    ids=["or-true-in-password", "comment-out-password", "or-true-in-username", "like-wildcard", "unbalanced-quote"],
)
async def test_sql_injection_does_not_log_anyone_in(database, username, password):
    response = await log_in(database, username, password)
    assert response.status_code == 401, (
        f"logging in as {username!r} with password {password!r} answered {response.status_code} {response.text}:"
        " input pasted into SQL became part of the query"
    )
    assert "access_token" not in response.text, f"the injection got a token: {response.text}"
    assert "ada" not in response.text, f"the injection got ada's account: {response.text}"


async def test_the_token_is_signed_with_the_configured_secret(database, jwt_secret):
    response = await log_in(database, *ADA)
    assert response.status_code == 200, f"logging in as ada answered {response.status_code}: {response.text}"
    token = response.json()["access_token"]
    try:
        claims = claims_of(token, jwt_secret)
    except jwt.InvalidSignatureError:
        pytest.fail("the token is not signed with LOGIN_JWT_SECRET: the signing key is still in the source code")
    assert claims["sub"] == "ada"


async def test_the_app_refuses_to_start_without_a_secret(database, monkeypatch):
    monkeypatch.delenv("LOGIN_JWT_SECRET")
    # Expected: building the app (or starting it) fails loudly. It must not fall back to a default key.
    with pytest.raises((ValueError, RuntimeError, KeyError)):
        await log_in(database, *ADA)


async def test_the_token_expires_within_a_day(database):
    clock = Clock()
    response = await log_in(database, *ADA, clock=clock)
    assert response.status_code == 200, f"logging in as ada answered {response.status_code}: {response.text}"
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert "exp" in claims, f"the token's claims are {claims}: without `exp`, a stolen token works forever"
    lifetime = claims["exp"] - START.timestamp()
    assert 0 < lifetime <= timedelta(days=1).total_seconds(), (
        f"the token expires {lifetime} s after it was issued: expected a short lifetime (minutes to hours)"
    )


async def test_an_expired_token_is_refused(database):
    clock = Clock()
    async with serve(create_app(database, now=clock)) as client:
        login = await client.post("/login", json={"username": ADA[0], "password": ADA[1]})
        assert login.status_code == 200, f"logging in as ada answered {login.status_code}: {login.text}"
        token = login.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        fresh = await client.get("/me", headers=headers)
        clock.advance(timedelta(days=30))
        stale = await client.get("/me", headers=headers)
    assert fresh.status_code == 200, f"GET /me with a fresh token answered {fresh.status_code}: {fresh.text}"
    assert fresh.json()["username"] == "ada"
    assert stale.status_code == 401, (
        f"GET /me with a token issued 30 days ago answered {stale.status_code} {stale.text}: tokens must expire"
    )


async def test_passwords_are_stored_salted_and_hashed(tmp_path):
    same = "the same password for both"
    path = make_database(tmp_path / "users.db", [("ada", same), ("bob", same)])
    connection = sqlite3.connect(path)
    try:
        cursor = connection.execute("SELECT * FROM users ORDER BY username")
        columns = [description[0] for description in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        connection.close()
    stored = [{k: v for k, v in row.items() if k not in ("id", "username")} for row in rows]
    for row in stored:
        assert same not in str(row), f"the users table holds the password as typed: {row}"
    assert stored[0] != stored[1], (
        f"two users with the same password are stored identically ({stored[0]}): without a per-user salt, one"
        " cracked hash cracks every account that shares it, and precomputed tables work"
    )
    assert (await log_in(path, "ada", same)).status_code == 200, "ada cannot log in with her password any more"


async def test_passwords_are_checked_in_constant_time(database, monkeypatch):
    calls: list[tuple[object, object]] = []
    real_compare_digest = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return real_compare_digest(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    right = await log_in(database, *ADA)
    wrong = await log_in(database, ADA[0], "not her password")
    assert len(calls) >= 2, (
        "hmac.compare_digest was not called for each login: `==` on secrets stops at the first differing byte,"
        " and the time that takes tells an attacker how much of the guess was right"
    )
    assert right.status_code == 200, f"logging in as ada answered {right.status_code}: {right.text}"
    assert wrong.status_code == 401, f"a wrong password answered {wrong.status_code}: {wrong.text}"
