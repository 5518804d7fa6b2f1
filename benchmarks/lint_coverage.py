"""How many of the reviews' findings a linter flags: ruff's review profile, mypy --strict, the rule pack.

    uv run python benchmarks/lint_coverage.py

Counts the ``[[finding]]`` tables of every review's answer key (solutions/reviews/*.answers.toml): a
finding is caught statically when its ``lint`` list names a rule, and caught "without the pack" when it
names a ruff or mypy rule. The keys are only as true as ``dojo verify`` keeps them: it demands that the
flawed file raises exactly the rules its key lists, so run ``uv run dojo verify --only SLUG`` (or the
whole verify) first when in doubt.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dojo.curriculum import load  # the kit, found from this script's folder (sys.path above)
from dojo.paths import kit_root
from dojo.reviews import answer_key_path, load_answer_key


def main() -> None:
    root = kit_root()
    totals = [0, 0, 0]
    print(f"{'review':<24} {'findings':>8} {'by a linter':>12} {'without the pack':>17}")
    for exercise in load(root):
        if exercise.kind != "review":
            continue
        findings = load_answer_key(answer_key_path(root, exercise), root).findings
        caught = sum(bool(f.lint) for f in findings)
        before = sum(any(not rule.startswith("dojo:") for rule in f.lint) for f in findings)
        for index, value in enumerate((len(findings), caught, before)):
            totals[index] += value
        print(f"{exercise.slug:<24} {len(findings):>8} {caught:>12} {before:>17}")
    print(f"{'all reviews':<24} {totals[0]:>8} {totals[1]:>12} {totals[2]:>17}")
    print(f"caught statically: {totals[1]} of {totals[0]} ({totals[2]} of {totals[0]} without the rule pack)")


if __name__ == "__main__":
    main()
