"""Test-writing kata: write the tests of an async retry helper with backoff.

`retry.py` is given and correct (do not edit it); your tests go in
`katas/retry_tests/test_retry.py`, whose docstring says exactly what is graded: they pass against
`retry.py`, they catch all but one of its hidden broken copies, and they use the technique this kata
is about (an injected sleep instead of waiting).
Run them with `uv run pytest katas/retry_tests`; grade them with `dojo check retry_tests`.
"""
