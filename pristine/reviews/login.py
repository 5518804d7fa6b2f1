"""Code review: a login endpoint that hands out JWTs (~20 min).

The pull request says: "Adds POST /login, which checks a username and password and returns a JWT the
mobile app sends back as `Authorization: Bearer <token>`, and GET /me, which says who the token
belongs to." It works on the author's laptop. Review it as you would at work: name every problem, say
what it breaks in production and how badly, then fix this file in place.

The contract the tests hold you to: a wrong password and an unknown user get the same answer (401
with `WWW-Authenticate: Bearer`, same body, same headers) for the same work; no input logs anyone in
without their password; the token is signed with the secret in the environment variable
LOGIN_JWT_SECRET (at least 32 characters; without one the app refuses to start) and carries an `exp`
claim at most a day after it was issued; GET /me answers 401 to a token from its `exp` second on, one
without `exp`, one it did not sign, and to no token. Passwords are stored salted and hashed with a slow
key-derivation function (`hashlib.scrypt` with n >= 2**14 and r >= 8, or `hashlib.pbkdf2_hmac` with at
least 600,000 iterations), run off the event loop, and checked with `hmac.compare_digest`.

Keep the seams the tests use: `create_app(database_path, now=...)` builds the app on that SQLite file,
reading the time from `now` (the tests pass a fake clock); `Base` holds the tables, and
`add_user(session, username, password)` is how accounts are created (the tests seed with it).

Run `dojo check login` (behaviour) and `dojo lint login` (ruff's review profile, mypy --strict and the rule pack);
`dojo answer login` shows the answer key once the tests pass.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import jwt
from fastapi import Depends, FastAPI, Header, HTTPException, status
from pydantic import BaseModel
from sqlalchemy import String, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

SECRET_KEY = "backend-dojo-development-secret-key"


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password: Mapped[str] = mapped_column(String(255))


class Credentials(BaseModel):
    username: str
    password: str


def utc_now() -> datetime:
    return datetime.now(UTC)


def add_user(session: Session, username: str, password: str) -> None:
    session.add(User(username=username, password=password))


def create_app(database_path: Path, now: Callable[[], datetime] = utc_now) -> FastAPI:
    engine = create_async_engine(f"sqlite+aiosqlite:///{database_path}")
    sessions = async_sessionmaker(engine)

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.post("/login")
    async def login(credentials: Credentials, session: Annotated[AsyncSession, Depends(get_session)]) -> dict[str, str]:
        query = f"SELECT id, username FROM users WHERE username = '{credentials.username}' AND password = '{credentials.password}'"
        user = (await session.execute(text(query))).first()
        if user is None:
            return {"error": "invalid username or password"}
        token = jwt.encode({"sub": user.username, "iat": now()}, SECRET_KEY, algorithm="HS256")
        return {"access_token": token, "token_type": "bearer"}

    @app.get("/me")
    async def me(authorization: Annotated[str, Header()]) -> dict[str, str]:
        try:
            claims = jwt.decode(authorization.removeprefix("Bearer "), SECRET_KEY, algorithms=["HS256"])
        except jwt.InvalidTokenError as error:
            raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="invalid token") from error
        return {"username": claims["sub"]}

    return app
