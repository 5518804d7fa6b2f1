"""login: POST /login answers 401 alike for every failure, resists SQL injection, signs expiring tokens with
the configured secret, and stores passwords salted and hashed, checked in constant time."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

import reviews.login
from dojo.testing import count_connections, serve
from reviews.login import Base, add_user, create_app

SECRET = "a-test-secret-that-is-long-enough-for-hs256"  # what the operator put in LOGIN_JWT_SECRET
ADA = ("ada", "correct horse battery staple")
BOB = ("bob", "hunter2-hunter2")
START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
# The brief's floor for a slow password hash (OWASP's, rounded): scrypt's memory cost, PBKDF2's rounds.
MIN_SCRYPT_N, MIN_SCRYPT_R = 2**14, 8
MIN_PBKDF2_ITERATIONS = 600_000


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


@dataclass(frozen=True)
class HashCall:
    function: str  # "scrypt" | "pbkdf2_hmac"
    cost: tuple[int, ...]  # (n, r, p) for scrypt, (iterations,) for PBKDF2
    on_event_loop: bool  # called from a thread that is running an event loop

    @property
    def slow_enough(self) -> bool:
        if self.function == "scrypt":
            n, r, _ = self.cost
            return n >= MIN_SCRYPT_N and r >= MIN_SCRYPT_R
        return self.cost[0] >= MIN_PBKDF2_ITERATIONS


@dataclass
class Spies:
    """What the code under test asked of hashlib's key-derivation functions and of compare_digest."""

    hashes: list[HashCall] = field(default_factory=list)
    comparisons: list[bool] = field(default_factory=list)  # what each compare_digest call answered

    def clear(self) -> None:
        self.hashes.clear()
        self.comparisons.clear()


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _replace_everywhere(monkeypatch: pytest.MonkeyPatch, modules: list[object], real: object, spy: object) -> None:
    """Put `spy` wherever `real` is reachable: `hashlib.scrypt` and a `from hashlib import scrypt` alike."""
    for module in modules:
        for name, value in list(vars(module).items()):
            if value is real:
                monkeypatch.setattr(module, name, spy)


@pytest.fixture
def spies(monkeypatch: pytest.MonkeyPatch) -> Spies:
    seen = Spies()
    real_scrypt, real_pbkdf2, real_compare = hashlib.scrypt, hashlib.pbkdf2_hmac, hmac.compare_digest

    def scrypt(password: bytes, *, salt: bytes, n: int, r: int, p: int, **options: Any) -> bytes:
        seen.hashes.append(HashCall("scrypt", (n, r, p), _on_event_loop()))
        return real_scrypt(password, salt=salt, n=n, r=r, p=p, **options)

    def pbkdf2_hmac(name: str, password: bytes, salt: bytes, iterations: int, dklen: int | None = None) -> bytes:
        seen.hashes.append(HashCall("pbkdf2_hmac", (iterations,), _on_event_loop()))
        return real_pbkdf2(name, password, salt, iterations, dklen)

    def compare_digest(a: Any, b: Any) -> bool:
        answer = real_compare(a, b)
        seen.comparisons.append(answer)
        return answer

    modules: list[object] = [hashlib, hmac, secrets, reviews.login]
    _replace_everywhere(monkeypatch, modules, real_scrypt, scrypt)
    _replace_everywhere(monkeypatch, modules, real_pbkdf2, pbkdf2_hmac)
    _replace_everywhere(monkeypatch, modules, real_compare, compare_digest)
    return seen


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
    challenge = response.headers.get("WWW-Authenticate", "")
    assert challenge.split(" ")[0].lower() == "bearer", (
        f"a 401 must say how to authenticate (RFC 6750): WWW-Authenticate: Bearer; got {challenge!r}"
    )


async def test_an_unknown_user_gets_the_same_401_as_a_wrong_password(database):
    wrong_password = await log_in(database, ADA[0], "not her password")
    unknown_user = await log_in(database, "mallory", "not her password")
    assert unknown_user.status_code == 401, f"an unknown user answered {unknown_user.status_code}: {unknown_user.text}"
    assert unknown_user.json() == wrong_password.json(), (
        f"unknown user answered {unknown_user.json()}, wrong password {wrong_password.json()}: when they differ,"
        " anyone can find out which usernames exist"
    )
    assert dict(unknown_user.headers) == dict(wrong_password.headers), (
        f"unknown user answered with headers {dict(unknown_user.headers)}, wrong password with"
        f" {dict(wrong_password.headers)}: any difference tells which usernames exist"
    )


async def test_an_unknown_user_costs_the_same_work_as_a_wrong_password(database, spies):
    spies.clear()
    await log_in(database, ADA[0], "not her password")
    wrong_password = (list(spies.hashes), len(spies.comparisons))
    spies.clear()
    await log_in(database, "mallory", "not her password")
    unknown_user = (list(spies.hashes), len(spies.comparisons))
    assert wrong_password[0], "a wrong password for ada was never hashed: how was it checked?"
    assert unknown_user == wrong_password, (
        f"a wrong password cost {wrong_password[0]} and {wrong_password[1]} compare_digest call(s); an unknown user"
        f" cost {unknown_user[0]} and {unknown_user[1]}: answering an unknown user without the slow hash is"
        " measurably faster, so the response time tells which usernames exist. Hash the password against a"
        " dummy hash instead"
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


async def test_the_app_refuses_a_secret_shorter_than_32_characters(database, monkeypatch):
    monkeypatch.setenv("LOGIN_JWT_SECRET", "x" * 31)
    # Expected: building the app (or starting it) fails loudly; a short HS256 key can be brute-forced offline.
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


async def test_a_token_is_refused_from_its_exp_second_on(database):
    clock = Clock()
    async with serve(create_app(database, now=clock)) as client:
        login = await client.post("/login", json={"username": ADA[0], "password": ADA[1]})
        assert login.status_code == 200, f"logging in as ada answered {login.status_code}: {login.text}"
        token = login.json()["access_token"]
        expires = claims_of(token)["exp"]
        headers = {"Authorization": f"Bearer {token}"}
        clock.now = datetime.fromtimestamp(expires - 1, UTC)
        last_second = await client.get("/me", headers=headers)
        clock.now = datetime.fromtimestamp(expires, UTC)
        at_exp = await client.get("/me", headers=headers)
    assert last_second.status_code == 200, (
        f"GET /me one second before the token's exp answered {last_second.status_code}: {last_second.text}"
    )
    assert at_exp.status_code == 401, (
        f"GET /me at the token's exp second answered {at_exp.status_code}: `exp` is the time on or after which a"
        " token must not be accepted (RFC 7519), on the app's clock"
    )


async def test_get_me_accepts_only_a_token_it_signed_with_an_exp(database):
    issued = int(START.timestamp())
    genuine = {"sub": "ada", "iat": issued, "exp": issued + 600}
    forgeries = {
        "no exp": jwt.encode({"sub": "ada", "iat": issued}, SECRET, algorithm="HS256"),
        "another key": jwt.encode(genuine, "another-secret-that-is-long-enough-for-hs256", algorithm="HS256"),
        "unsigned": jwt.encode(genuine, None, algorithm="none"),
    }
    async with serve(create_app(database, now=Clock())) as client:
        ours = await client.get("/me", headers={"Authorization": f"Bearer {jwt.encode(genuine, SECRET)}"})
        answers = {
            name: (await client.get("/me", headers={"Authorization": f"Bearer {token}"})).status_code
            for name, token in forgeries.items()
        }
        answers["no token"] = (await client.get("/me")).status_code
    assert ours.status_code == 200, (
        f"GET /me with a token signed with LOGIN_JWT_SECRET, 10 minutes from expiry, answered {ours.status_code}:"
        f" {ours.text}"
    )
    assert answers == dict.fromkeys([*forgeries, "no token"], 401), (
        f"GET /me answered {answers}: a token without exp never expires, and one the app did not sign is a forgery"
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


async def test_passwords_are_hashed_with_a_slow_key_derivation_function(tmp_path, spies):
    make_database(tmp_path / "users.db", [ADA, BOB])
    assert len(spies.hashes) >= 2, (
        f"creating 2 users called hashlib.scrypt or hashlib.pbkdf2_hmac {len(spies.hashes)} time(s): a password"
        " hash must be slow on purpose (a fast hash such as sha256, salted or not, is tried billions of times a"
        " second on a stolen table)"
    )
    fast = [call for call in spies.hashes if not call.slow_enough]
    assert not fast, (
        f"password hashes made with {fast}: too cheap. The floor is scrypt with n >= {MIN_SCRYPT_N} and"
        f" r >= {MIN_SCRYPT_R}, or PBKDF2 with at least {MIN_PBKDF2_ITERATIONS:,} iterations"
    )


async def test_the_password_hash_runs_off_the_event_loop(database, spies):
    spies.clear()
    right = await log_in(database, *ADA)
    await log_in(database, ADA[0], "not her password")
    assert right.status_code == 200, f"logging in as ada answered {right.status_code}: {right.text}"
    assert spies.hashes, "logging in never called hashlib.scrypt or hashlib.pbkdf2_hmac"
    on_loop = [call for call in spies.hashes if call.on_event_loop]
    assert not on_loop, (
        f"{len(on_loop)} of {len(spies.hashes)} password hashes ran on the event loop's thread: a deliberately slow"
        " hash there stops every other request for its whole duration; run it in a worker thread"
        " (asyncio.to_thread)"
    )


async def test_passwords_are_checked_in_constant_time(database, spies):
    spies.clear()
    right = await log_in(database, *ADA)
    on_right = list(spies.comparisons)
    spies.clear()
    wrong = await log_in(database, ADA[0], "not her password")
    on_wrong = list(spies.comparisons)
    assert right.status_code == 200, f"logging in as ada answered {right.status_code}: {right.text}"
    assert wrong.status_code == 401, f"a wrong password answered {wrong.status_code}: {wrong.text}"
    decided = (True in on_right, False in on_wrong)
    assert decided == (True, True), (
        f"hmac.compare_digest answered {on_right} for the right password and {on_wrong} for a wrong one: the"
        " password check must be decided by it. `==` on secrets stops at the first differing byte, and the time"
        " that takes tells an attacker how much of the guess was right"
    )


@pytest.mark.guard
async def test_the_app_closes_its_database_connections_when_it_shuts_down(database):
    with count_connections() as connections:
        async with serve(create_app(database, now=Clock())) as client:
            await client.post("/login", json={"username": ADA[0], "password": ADA[1]})
    connections.assert_all_closed()
