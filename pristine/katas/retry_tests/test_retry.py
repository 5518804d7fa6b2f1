"""Write the tests of an async retry helper (test-writing kata, ~25 min).

"This is the retry helper every outgoing call of ours goes through. Test it. The suite must stay
fast: nothing in it may actually wait."

`retry.py`, beside this file, is given and correct: read its docstring, the rules are there. Your
job is this file: pytest tests of `retry`. Async tests need no marker here (pytest-asyncio's auto
mode): write `async def test_...`. `dojo check retry_tests` grades them on these rules:

1. They pass against the real `retry.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against fifteen broken copies of `retry.py`, each with one
   classic mistake, and at most one copy may pass all your tests. The ones that get past you are
   named in words ("the delay never grows"), never shown as code.
3. The technique: the waiting is injected. Some `retry(..., sleep=...)` gets a fake sleep of yours
   (an `async def` that records each delay and returns at once), and nothing in the file sleeps
   for real (`time.sleep`, `asyncio.sleep` with anything but 0).

Run your tests as you go: `uv run pytest katas/retry_tests`. Do not edit `retry.py`.
`dojo hint retry_tests` when stuck.
"""

import pytest

from katas.retry_tests.retry import retry
