"""Test-writing kata: write the tests of a token bucket.

`token_bucket.py` is given and correct (do not edit it); your tests go in
`katas/token_bucket_tests/test_token_bucket.py`, whose docstring says exactly what is graded: they
pass against `token_bucket.py`, they catch all but one of its hidden broken copies, and they use the
technique this kata is about (a fake clock instead of sleeping, and a Hypothesis property).
Run them with `uv run pytest katas/token_bucket_tests`; grade them with `dojo check token_bucket_tests`.
"""
