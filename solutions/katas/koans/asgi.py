"""Koans: a request's way through FastAPI: middleware, dependencies, the endpoint, lifespan. Time box: 20 minutes.

A FastAPI app is an ASGI callable: each middleware wraps the next, the router picks a route, the
route's dependencies run, then the endpoint; `yield` dependencies finish after it. The lifespan runs
once around the app's whole life. Each function below states one claim in its docstring and proves
it by sending real requests through httpx.ASGITransport (no server, no sockets). Fill each blank: a
`__` takes the value you predict (`200`, `['a', 'b']`, `(True, 2)`); change nothing else (the check
compares your file with the stub).

Run `dojo check koan_asgi`; `dojo hint koan_asgi` when stuck.
"""

# No `from __future__ import annotations` here: FastAPI must see the real annotations of these
# endpoints, whose dependencies are local functions that a string annotation could not find.
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated

import httpx
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel

Next = Callable[[Request], Awaitable[Response]]


def client(app: FastAPI) -> httpx.AsyncClient:
    """An HTTP client wired straight to the app: requests go through the whole ASGI stack."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://koan")


def logging_app(log: list[str]) -> FastAPI:
    """Two middlewares, a yield dependency and an endpoint that each write to `log` when they run."""
    app = FastAPI()

    @app.middleware("http")
    async def added_first(request: Request, call_next: Next) -> Response:
        log.append("first in")
        response = await call_next(request)
        log.append("first out")
        return response

    @app.middleware("http")
    async def added_second(request: Request, call_next: Next) -> Response:
        log.append("second in")
        response = await call_next(request)
        log.append("second out")
        return response

    async def session() -> AsyncIterator[str]:
        log.append("dependency")
        yield "session"
        log.append("dependency cleanup")

    @app.get("/items")
    async def items(db: Annotated[str, Depends(session)]) -> dict[str, str]:
        log.append("endpoint")
        return {"db": db}

    return app


async def test_the_last_middleware_added_runs_first() -> None:
    """Each middleware wraps the app built so far, so the one added last is the outermost: first in, last out."""
    log: list[str] = []
    async with client(logging_app(log)) as http:
        await http.get("/items")
    assert log[:2] == ["second in", "first in"]


async def test_dependencies_run_inside_the_middleware_and_yield_cleanup_after_the_response() -> None:
    """The route's dependencies run inside the middleware stack, just before the endpoint; the code after `yield` runs once the response has gone out."""
    log: list[str] = []
    async with client(logging_app(log)) as http:
        await http.get("/items")
    assert log[2:] == ["dependency", "endpoint", "first out", "second out", "dependency cleanup"]


async def test_middleware_runs_for_a_404_and_dependencies_do_not() -> None:
    """Middleware sees every request, unmatched ones included; a dependency runs only for its own route."""
    log: list[str] = []
    async with client(logging_app(log)) as http:
        response = await http.get("/nowhere")
    assert (response.status_code, "dependency" in log, "first in" in log) == (404, False, True)


async def test_a_dependency_is_called_once_per_request() -> None:
    """Two parameters that depend on the same function share one call per request (use_cache), and each request gets a new one."""
    calls: list[int] = []

    def counter() -> int:
        calls.append(1)
        return len(calls)

    app = FastAPI()

    @app.get("/twice")
    def twice(a: Annotated[int, Depends(counter)], b: Annotated[int, Depends(counter)]) -> list[int]:
        return [a, b]

    async with client(app) as http:
        first = (await http.get("/twice")).json()
        second = (await http.get("/twice")).json()
    assert (first, second) == ([1, 1], [2, 2])


async def test_an_httpexception_from_a_dependency_stops_the_request() -> None:
    """A dependency that raises HTTPException answers for the route: the endpoint never runs."""
    ran: list[str] = []

    def require_token(request: Request) -> None:
        if "x-token" not in request.headers:
            raise HTTPException(status_code=401, detail="missing token")

    app = FastAPI()

    @app.get("/private", dependencies=[Depends(require_token)])
    def private() -> str:
        ran.append("endpoint")
        return "secret"

    async with client(app) as http:
        response = await http.get("/private")
    assert (response.status_code, response.json(), ran) == (401, {"detail": "missing token"}, [])


async def test_an_unexpected_error_is_a_bare_500() -> None:
    """An exception nobody handles becomes a plain 500 with no details: the traceback goes to the log, not to the client."""
    app = FastAPI()

    @app.get("/crash")
    def crash() -> None:
        raise RuntimeError("database password is hunter2")

    async with client(app) as http:
        response = await http.get("/crash")
    assert (response.status_code, response.text) == (500, "Internal Server Error")


async def test_a_sync_endpoint_runs_in_a_worker_thread() -> None:
    """FastAPI runs a plain `def` endpoint in a thread pool, and an `async def` one on the event loop's thread."""
    app = FastAPI()
    loop_thread = threading.get_ident()

    @app.get("/sync")
    def sync_endpoint() -> bool:
        return threading.get_ident() == loop_thread

    @app.get("/async")
    async def async_endpoint() -> bool:
        return threading.get_ident() == loop_thread

    async with client(app) as http:
        on_loop = ((await http.get("/sync")).json(), (await http.get("/async")).json())
    assert on_loop == (False, True)


async def test_the_test_transport_does_not_run_the_lifespan() -> None:
    """httpx.ASGITransport sends requests only: startup and shutdown run when something drives the lifespan."""
    log: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.append("startup")
        yield
        log.append("shutdown")

    app = FastAPI(lifespan=lifespan)
    async with client(app) as http:
        await http.get("/docs")
    without = list(log)
    async with app.router.lifespan_context(app), client(app) as http:
        await http.get("/docs")
    assert (without, log) == ([], ["startup", "shutdown"])


class UserOut(BaseModel):
    id: int
    name: str


async def test_response_model_filters_what_leaves() -> None:
    """The response model, not the returned object, decides the fields a client sees: the password never leaves."""
    app = FastAPI()

    @app.get("/users/1", response_model=UserOut)
    def user() -> dict[str, object]:
        return {"id": 1, "name": "ada", "password_hash": "scrypt$..."}

    async with client(app) as http:
        body = (await http.get("/users/1")).json()
    assert body == {"id": 1, "name": "ada"}
