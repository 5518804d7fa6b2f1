"""URL shortener (kata, ~40 min).

"Build the core of a URL shortener: short codes, the redirect, and a click counter that never slows
the redirect down."

- `encode_base62(n)` / `decode_base62(code)` over `ALPHABET` (digits, then A-Z, then a-z), most
  significant digit first: 0 -> "0", 61 -> "z", 62 -> "10". ValueError for a negative number, an empty
  code or a character outside the alphabet; the message says which (it says "negative" or
  "empty", or it quotes the bad character).
- `random_code()`: a random `CODE_LENGTH`-character base62 code (the default `generate_code`), drawn
  from a cryptographically secure source (`secrets`, not the seedable `random` module), so nobody can
  guess the next code.
- `POST /links` `{"url": ..., "alias": optional}` -> 201 with `code`, `url`, `short_url`
  (`http://<host>/<code>`), `clicks`, and `Location: /links/{code}`. Every POST mints a new code,
  even for a URL seen before. 422 unless the URL is http(s) with a host (no `javascript:`), and unless
  the alias is 3-32 characters of `[0-9A-Za-z_-]`.
- Never overwrite a link: a taken alias is 409 (its `detail` names the alias); a taken random code
  is retried with a fresh one, at most `MAX_ATTEMPTS` draws in all, then 503 with a `detail` that
  says no free code was found.
- `GET /{code}` -> a temporary 307 redirect to the URL (pick the status on purpose); 404 if unknown.
  Count the click only after the response has been sent.
- `GET /links/{code}` -> the link with its click count; 404 if unknown.

Run `dojo check url_shortener`; `dojo hint url_shortener` when stuck.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass

from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, Field

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
BASE = len(ALPHABET)
CODE_LENGTH = 7
MAX_ATTEMPTS = 5

CodeGenerator = Callable[[], str]


def encode_base62(number: int) -> str:
    raise NotImplementedError("encode_base62")  # TODO


def decode_base62(code: str) -> int:
    raise NotImplementedError("decode_base62")  # TODO


def random_code() -> str:
    raise NotImplementedError("random_code")  # TODO


# ---- storage (given: an in-memory stand-in for a links table) ----


@dataclass
class Link:
    code: str
    url: str
    clicks: int = 0


class LinkStore:
    def __init__(self) -> None:
        self._links: dict[str, Link] = {}

    def get(self, code: str) -> Link | None:
        return self._links.get(code)

    def put(self, link: Link) -> None:
        """Store the link under its code, replacing whatever was there: checking is the caller's job."""
        self._links[link.code] = link

    async def record_click(self, code: str) -> None:
        """Count one visit. Async because a real store does IO here."""
        link = self._links.get(code)
        if link is not None:
            link.clicks += 1


# ---- HTTP ----


class ShortenIn(BaseModel):
    """The POST body."""

    # TODO: url, and an optional alias, validated as the brief says


class LinkOut(BaseModel):
    code: str
    url: str
    short_url: str
    clicks: int


def create_app(store: LinkStore | None = None, generate_code: CodeGenerator = random_code) -> FastAPI:
    links = store if store is not None else LinkStore()
    app = FastAPI(title="Short links")

    # Add status codes where the default 200 is wrong.

    @app.post("/links")
    async def shorten(payload: ShortenIn, request: Request, response: Response) -> LinkOut:
        raise NotImplementedError("POST /links")  # TODO

    @app.get("/links/{code}")
    async def link_stats(code: str, request: Request) -> LinkOut:
        raise NotImplementedError("GET /links/{code}")  # TODO

    @app.get("/{code}")
    async def follow_link(code: str, background_tasks: BackgroundTasks) -> RedirectResponse:
        raise NotImplementedError("GET /{code}")  # TODO

    return app
