"""Write the tests of a token bucket (test-writing kata, ~25 min).

"Here is the token bucket our rate limiter uses. Test it, without making the suite slow."

`token_bucket.py`, beside this file, is given and correct: read its docstring, the rules are there.
Your job is this file: pytest tests of `TokenBucket`. `dojo check token_bucket_tests` grades
them on these rules:

1. They pass against the real `token_bucket.py` (and there is at least one), and against a copy of it that
   behaves the same but is written differently: they call the code, and never read its source,
   its file or its bytecode.
2. They catch its bugs: the kit runs them against fifteen broken copies of `token_bucket.py`, each with
   one classic mistake, and at most one copy may pass all your tests. The ones that get past you
   are named in words ("a bucket that never refills"), never shown as code.
3. The techniques:
   - time is a fake clock the test moves: some `TokenBucket(..., clock=...)` gets a callable you
     control, and nothing in the file sleeps for real (`time.sleep`, `asyncio.sleep`);
   - at least one Hypothesis property: a test decorated with `@given(...)` that states a rule for
     every input it draws (Hypothesis runs it derandomized: the same examples every time).

Run your tests as you go: `uv run pytest katas/token_bucket_tests`. Do not edit `token_bucket.py`.
`dojo hint token_bucket_tests` when stuck.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from katas.token_bucket_tests.token_bucket import TokenBucket
