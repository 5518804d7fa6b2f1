"""A login endpoint, reviewed: bound parameters, salted scrypt hashes, a secret from settings, expiring tokens.

- The query is built by SQLAlchemy with bound parameters, so a username or password is only ever data:
  ``' OR '1'='1`` is a password that matches nobody, not a clause.
- Passwords are stored as ``scrypt$<salt>$<hash>`` with a random salt per user: a stolen table gives
  nothing to log in with, and equal passwords do not look equal. The check recomputes the hash and
  compares with ``hmac.compare_digest``, whose time does not depend on where the bytes first differ.
  scrypt is deliberately slow, so it runs in a worker thread instead of on the event loop.
- Unknown user and wrong password are the same 401 with the same body, and an unknown user still costs
  one hash, so neither the body nor the timing tells an attacker which usernames exist.
- The signing key comes from the environment (``Settings``): the app refuses to start without one, and
  a key in the source is a key in every clone, backup and CI log.
- Tokens carry ``exp`` (``token_ttl`` after the injected clock's now); GET /me refuses a token whose
  ``exp`` has passed on that same clock, and one without ``exp`` or ``sub``.

No ``from __future__ import annotations``: FastAPI reads the endpoint's annotations at runtime.
"""

import asyncio
import hashlib
import hmac
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Final

import jwt
from fastapi import Depends, FastAPI, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ALGORITHM: Final = "HS256"
SCRYPT_N: Final = 2**14  # CPU and memory cost: about 16 MiB and tens of milliseconds per hash
SCRYPT_R: Final = 8
SCRYPT_P: Final = 1
SALT_BYTES: Final = 16
INVALID_CREDENTIALS: Final = "invalid username or password"
BEARER: Final = "bearer"


class Settings(BaseSettings):
    """Read from the environment: LOGIN_JWT_SECRET (required), LOGIN_TOKEN_TTL (seconds or ISO 8601)."""

    model_config = SettingsConfigDict(env_prefix="LOGIN_")

    jwt_secret: SecretStr = Field(min_length=32)
    token_ttl: timedelta = timedelta(minutes=15)


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))


class Credentials(BaseModel):
    username: str = Field(max_length=100)
    password: str = Field(max_length=1024)  # hashing a megabyte of "password" is a denial of service


class Token(BaseModel):
    access_token: str
    token_type: str = BEARER


class Me(BaseModel):
    username: str


def utc_now() -> datetime:
    return datetime.now(UTC)


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P)


def hash_password(password: str) -> str:
    salt = os.urandom(SALT_BYTES)
    return f"scrypt${salt.hex()}${_scrypt(password, salt).hex()}"


def verify_password(password: str, stored: str) -> bool:
    _, salt, expected = stored.split("$")
    return hmac.compare_digest(_scrypt(password, bytes.fromhex(salt)), bytes.fromhex(expected))


# Checked against when the username is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH: Final = hash_password("not a real password")


def add_user(session: Session, username: str, password: str) -> None:
    session.add(User(username=username, password_hash=hash_password(password)))


def create_app(database_path: Path, now: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = Settings()  # type: ignore[call-arg]  # pydantic-settings fills jwt_secret from the environment
    secret = settings.jwt_secret.get_secret_value()
    engine = create_async_engine(f"sqlite+aiosqlite:///{database_path}")
    sessions = async_sessionmaker(engine)
    bearer = HTTPBearer(auto_error=False)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    def unauthorized(detail: str) -> HTTPException:
        return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})

    @app.post("/login")
    async def login(credentials: Credentials, session: Annotated[AsyncSession, Depends(get_session)]) -> Token:
        user = await session.scalar(select(User).where(User.username == credentials.username))
        stored = user.password_hash if user is not None else _DUMMY_HASH
        matches = await asyncio.to_thread(verify_password, credentials.password, stored)
        if user is None or not matches:
            raise unauthorized(INVALID_CREDENTIALS)
        claims = {"sub": user.username, "iat": now(), "exp": now() + settings.token_ttl}
        return Token(access_token=jwt.encode(claims, secret, algorithm=ALGORITHM))

    @app.get("/me")
    async def me(authorization: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Me:
        if authorization is None:
            raise unauthorized("missing bearer token")
        try:
            # The expiry is checked below against the app's clock (injectable), not PyJWT's wall clock.
            claims = jwt.decode(
                authorization.credentials,
                secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "sub"], "verify_exp": False, "verify_iat": False},
            )
        except jwt.InvalidTokenError as error:
            raise unauthorized("invalid token") from error
        if now().timestamp() >= claims["exp"]:
            raise unauthorized("token expired")
        return Me(username=claims["sub"])

    return app
