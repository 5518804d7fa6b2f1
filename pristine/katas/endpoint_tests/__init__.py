"""Test-writing kata: write the tests of a FastAPI notes API with a database dependency.

`notes_api.py` is given and correct (do not edit it); your tests go in
`katas/endpoint_tests/test_notes_api.py`, whose docstring says exactly what is graded: they pass
against `notes_api.py`, they catch all but one of its hidden broken copies, and they use the
technique this kata is about (a yield fixture, dependency_overrides and a real SQLite session).
Run them with `uv run pytest katas/endpoint_tests`; grade them with `dojo check endpoint_tests`.
"""
