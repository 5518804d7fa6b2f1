"""The capstone as the interview it copies: the candidate gets the ask and the CSV, the contract is
opened deliberately, and the interviewer's card separates what to say, what to answer, what to reveal."""

from __future__ import annotations

import tomllib
from pathlib import Path

from dojo.curriculum import load
from dojo.drill.plan import INTERVIEW_FILE
from dojo.readme import readme_section
from tests.dojo.conftest import run_dojo

ROOT = Path(__file__).resolve().parents[3]
SPEC = ROOT / "pristine" / "katas" / "deals_api" / "README.md"
# Names that are the contract's answer to round 1's design questions, not the candidate's starting point.
CONTRACT_NAMES = ("external_id", "hotel_id", "a phone identifies a hotel", "NUMERIC(10, 2)", "LoadReport.hotels")


def _rounds() -> list[str]:
    return [e.slug for e in load(ROOT) if e.kind == "capstone"]


def test_every_round_has_an_answer_per_question_and_something_to_reveal_only_if_asked() -> None:
    script = tomllib.loads(INTERVIEW_FILE.read_text(encoding="utf-8"))["round"]
    for slug in _rounds():
        card = script[slug]
        assert len(card["answers"]) == len(card["questions"]), f"{slug}: one answer per clarifying question"
        assert all(answer.strip() for answer in card["answers"]), slug
        assert card["reveal"], f"{slug}: what the interviewer reveals only when asked"


def test_round1_gives_the_ask_and_the_csv_and_keeps_the_contract_behind_a_deliberate_click() -> None:
    section = readme_section(SPEC, "round1")
    assert section is not None
    before, marker, contract = section.partition("<details>")
    assert marker, "round 1's contract sits in a <details> section the learner opens deliberately"
    assert "</details>" in contract
    for name in CONTRACT_NAMES:
        assert name not in before, f"round 1's brief names {name!r} before the contract section"
        assert name in contract, f"the contract section must state {name!r}"
    data = SPEC.read_text(encoding="utf-8").partition("## The data")[2].partition("## Round 1")[0]
    assert "15 columns" in data
    assert "a phone identifies a hotel" not in data, "the data section asks; the contract answers"


def test_the_interviewer_card_says_the_ask_then_answers_then_what_to_reveal(tmp_path: Path) -> None:
    card = run_dojo(ROOT, "drill", "capstone", "--interviewer")
    assert card.returncode == 0, card.stderr
    text = card.stdout
    assert text.count("Say this, word for word:") == len(_rounds())
    first = text.partition("interviewer card: round2")[0]
    order = [
        first.index("Say this, word for word:"),
        first.index("Clarifying questions a strong candidate asks first, and your answers:"),
        first.index("→ It is the partner's id"),
        first.index("Reveal only if asked:"),
        first.index("the spec and its contract"),
    ]
    assert order == sorted(order), "the card runs as the interview does: ask, answers, reveal, then the spec"
