"""What `dojo verify` reports: one row per thing that is wrong."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    check: str  # which check found it: layout, solutions, pristine, mutants, lint, review-lint, ...
    slug: str  # the exercise, or "" for the kit as a whole
    message: str
