"""Koans: Pydantic v2 at the edges, and FastAPI's validation, versioning and settings. Time box: 20 minutes.

Pydantic parses untrusted input into typed objects (zod's job in TypeScript), FastAPI validates
paths, queries and bodies with it before a handler runs, and pydantic-settings reads configuration
from the environment the same way. Each function below states one claim in its docstring and proves
it by running code (HTTP requests go through httpx.ASGITransport). Fill each blank: a `__` takes the
value you predict (`422`, `'text'`, `{'a': 1}`, a name such as `ValidationError`); change nothing else
(the check compares your file with the stub).

Run `dojo check koan_models`; `dojo hint koan_models` when stuck.
"""

# No `from __future__ import annotations` here: FastAPI must see the real annotations of the
# endpoints defined inside the claims.
import os
from typing import Annotated
from unittest import mock

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Path, Query
from pydantic import BaseModel, ConfigDict, ValidationError, computed_field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from dojo.koans import __


def client(app: FastAPI) -> httpx.AsyncClient:
    """An HTTP client wired straight to the app: requests go through the whole ASGI stack."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://koan")


class Item(BaseModel):
    quantity: int


class StrictItem(BaseModel):
    model_config = ConfigDict(strict=True)
    quantity: int


def test_lax_mode_converts_strict_mode_refuses() -> None:
    """By default Pydantic converts what it safely can ('42' to 42); strict=True accepts only the declared type."""
    assert Item.model_validate({"quantity": "42"}).quantity == __
    with pytest.raises(__):
        StrictItem.model_validate({"quantity": "42"})


class Signup(BaseModel):
    email: str

    @field_validator("email")
    @classmethod
    def normalise(cls, value: str) -> str:
        if "@" not in value:
            raise ValueError("not an email")
        return value.strip().lower()


def test_a_field_validator_checks_and_normalises() -> None:
    """A field_validator runs after the type check: it may return a cleaned value, or raise to reject it."""
    assert Signup(email=" Ada@Example.COM ").email == __
    with pytest.raises(ValidationError) as caught:
        Signup(email="nope")
    assert caught.value.errors()[0]["msg"] == __


class ProductPatch(BaseModel):
    name: str | None = None
    price: int | None = None


def test_exclude_unset_tells_not_sent_from_sent_as_null() -> None:
    """model_dump() fills in every default; model_dump(exclude_unset=True) keeps only what the client sent, nulls included."""
    patch = ProductPatch.model_validate({"price": None})
    assert (patch.model_dump(), patch.model_dump(exclude_unset=True)) == __


class Line(BaseModel):
    model_config = ConfigDict(frozen=True)
    unit_cents: int
    quantity: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_cents(self) -> int:
        return self.unit_cents * self.quantity


def test_a_frozen_model_refuses_changes_and_a_computed_field_is_dumped() -> None:
    """frozen=True makes a model immutable (and hashable); a computed_field is serialised with the fields."""
    line = Line(unit_cents=250, quantity=3)
    assert line.model_dump() == __
    with pytest.raises(__):
        line.quantity = 4


async def test_path_and_query_are_validated_before_the_handler_runs() -> None:
    """A bad path or query parameter is a 422 from FastAPI itself: the handler is never called."""
    calls: list[int] = []
    app = FastAPI()

    @app.get("/items/{item_id}")
    def get_item(item_id: Annotated[int, Path(gt=0)], limit: Annotated[int, Query(le=100)] = 10) -> dict[str, int]:
        calls.append(item_id)
        return {"id": item_id, "limit": limit}

    async with client(app) as http:
        codes = [
            (await http.get(url)).status_code for url in ("/items/7", "/items/0", "/items/abc", "/items/7?limit=500")
        ]
    assert (codes, calls) == __


async def test_two_api_versions_are_two_routers_under_two_prefixes() -> None:
    """URL versioning: each version is a router mounted under its prefix, so v2 can change a shape while v1 keeps it."""
    v1, v2 = APIRouter(), APIRouter()

    @v1.get("/users/{user_id}")
    def user_v1(user_id: int) -> dict[str, str]:
        return {"name": "Ada Lovelace"}

    @v2.get("/users/{user_id}")
    def user_v2(user_id: int) -> dict[str, str]:
        return {"first": "Ada", "last": "Lovelace"}

    app = FastAPI()
    app.include_router(v1, prefix="/api/v1")
    app.include_router(v2, prefix="/api/v2")
    async with client(app) as http:
        old, new = (await http.get("/api/v1/users/1")).json(), (await http.get("/api/v2/users/1")).json()
    assert (old, new, sorted(app.openapi()["paths"])) == __


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KOAN_")
    port: int = 8000
    debug: bool = False


def test_settings_come_from_the_environment_parsed_and_typed() -> None:
    """BaseSettings reads each field from the environment (strings, parsed to the field's type); arguments win over both."""
    with mock.patch.dict(os.environ, {"KOAN_PORT": "9000", "KOAN_DEBUG": "yes"}):
        from_env = Settings()
        overridden = Settings(port=1)
    assert (from_env.port, from_env.debug, overridden.port, Settings().port) == __
