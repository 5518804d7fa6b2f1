"""URL shortener: base62 codes, collision-safe creation, a temporary redirect, clicks counted after it.

The decisions worth defending:

- Codes are base62 over ``0-9A-Z a-z`` in ASCII order, so equal-length codes sort like their numbers.
  New codes are random (7 characters: 62**7, about 3.5e12), not a counter: sequential codes let anyone
  enumerate every link.
- Every POST mints a new code, even for a URL seen before: each link has its own owner and clicks.
- A random code that is already taken is retried with a fresh one, a bounded number of times; a taken
  custom alias is the client's problem: 409. Nothing is ever overwritten.
- The redirect is 307 (temporary), not 301: browsers and CDNs cache a 301 for good, so later clicks
  would never reach us to be counted, and the link could never be changed or disabled.
- The click is counted in a BackgroundTask, which Starlette runs after the response has been sent.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import BackgroundTasks, FastAPI, HTTPException, Request, Response, status
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
BASE = len(ALPHABET)
CODE_LENGTH = 7
MAX_ATTEMPTS = 5

_DIGIT_VALUE = {char: value for value, char in enumerate(ALPHABET)}

CodeGenerator = Callable[[], str]


def encode_base62(number: int) -> str:
    if number < 0:
        raise ValueError(f"cannot encode a negative number: {number}")
    if number == 0:
        return ALPHABET[0]
    digits: list[str] = []
    while number:
        number, remainder = divmod(number, BASE)
        digits.append(ALPHABET[remainder])
    return "".join(reversed(digits))  # divmod yields the least significant digit first


def decode_base62(code: str) -> int:
    if not code:
        raise ValueError("cannot decode an empty code")
    number = 0
    for char in code:
        try:
            number = number * BASE + _DIGIT_VALUE[char]
        except KeyError:
            raise ValueError(f"{char!r} is not a base62 digit") from None
    return number


def random_code() -> str:
    """A code drawn uniformly from all CODE_LENGTH-character codes (CSPRNG, so not guessable)."""
    return encode_base62(secrets.randbelow(BASE**CODE_LENGTH)).rjust(CODE_LENGTH, ALPHABET[0])


# ---- storage (an in-memory stand-in for a links table) ----


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

Alias = Annotated[str, Field(pattern=r"^[0-9A-Za-z_-]{3,32}$")]


class ShortenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: HttpUrl  # http or https with a host: no javascript:, data:, ftp: or relative paths
    alias: Alias | None = None


class LinkOut(BaseModel):
    code: str
    url: str
    short_url: str
    clicks: int


def create_app(store: LinkStore | None = None, generate_code: CodeGenerator = random_code) -> FastAPI:
    links = store if store is not None else LinkStore()
    app = FastAPI(title="Short links")

    def claim(code: str, url: str) -> Link | None:
        """Store a new link under ``code`` unless it is taken. No await in between: nothing can interleave."""
        if links.get(code) is not None:
            return None
        link = Link(code=code, url=url)
        links.put(link)
        return link

    def new_link(url: str, alias: str | None) -> Link:
        if alias is not None:
            link = claim(alias, url)
            if link is None:
                raise HTTPException(status.HTTP_409_CONFLICT, detail=f"alias {alias!r} is already taken")
            return link
        for _ in range(MAX_ATTEMPTS):
            link = claim(generate_code(), url)
            if link is not None:
                return link
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, detail="no free code found; try again")

    def out(link: Link, request: Request) -> LinkOut:
        short_url = str(request.url_for("follow_link", code=link.code))
        return LinkOut(code=link.code, url=link.url, short_url=short_url, clicks=link.clicks)

    @app.post("/links", status_code=status.HTTP_201_CREATED)
    async def shorten(payload: ShortenIn, request: Request, response: Response) -> LinkOut:
        link = new_link(str(payload.url), payload.alias)
        response.headers["Location"] = f"/links/{link.code}"
        return out(link, request)

    @app.get("/links/{code}")
    async def link_stats(code: str, request: Request) -> LinkOut:
        link = links.get(code)
        if link is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no link {code!r}")
        return out(link, request)

    @app.get("/{code}")
    async def follow_link(code: str, background_tasks: BackgroundTasks) -> RedirectResponse:
        link = links.get(code)
        if link is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"no link {code!r}")
        background_tasks.add_task(links.record_click, code)  # runs after the response is sent
        return RedirectResponse(link.url, status_code=status.HTTP_307_TEMPORARY_REDIRECT)

    return app
