"""Write the tests of a FastAPI endpoint with a database dependency (test-writing kata, ~35 min).

"Here is our notes API. Write its tests the way you would for a real service: against a real
database, not mocks."

`notes_api.py`, beside this file, is given and correct: read its docstring, the rules are there.
Your job is this file: pytest tests of its four endpoints through HTTP. Async tests and fixtures
need no marker here (pytest-asyncio's auto mode). `dojo check endpoint_tests` grades them on
these rules:

1. They pass against the real `notes_api.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against sixteen broken copies of `notes_api.py`, each with
   one classic mistake, and at most one copy may pass all your tests. The ones that get past you
   are named in words ("a created note is never committed"), never shown as code.
3. The techniques:
   - a fixture that yields and cleans up after the yield (`@pytest.fixture`, code after `yield`,
     or the `yield` inside `async with`);
   - the app's session dependency replaced: `app.dependency_overrides[get_session] = ...`, and
     undone again after the test (`app.dependency_overrides.clear()`);
   - a real SQLite database behind it: `create_async_engine("sqlite+aiosqlite://", ...)` with the
     tables created from `Base.metadata`; no `unittest.mock`.

Call the app in-process with `httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
base_url="http://test")`. Run your tests as you go: `uv run pytest katas/endpoint_tests`. Do not
edit `notes_api.py`. `dojo hint endpoint_tests` when stuck.
"""

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import StaticPool

from katas.endpoint_tests.notes_api import Base, app, get_session
