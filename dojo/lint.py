"""`dojo lint`: ruff's review profile, mypy --strict and the kit's rule pack, on reviews or on any code.

    dojo lint user_lookup                 # your reviews/user_lookup.py
    dojo lint katas/deals_api ~/my-api    # any file, folder or project
    dojo lint ~/my-api --format sarif     # for editors and CI (json too)

A target is a path (when it exists) or else a review's slug (your working file, created from pristine/
if missing). Folders are walked for ``*.py``, skipping hidden and tool folders (.venv, .git,
__pycache__, node_modules...). Every finding is one line, ``file:line:col code message``, where the code names its tool:
``ruff:E711``, ``mypy:union-attr``, ``dojo:DOJO104`` (the same codes the answer keys list). Exit 1
when anything is found, 0 when clean, 2 for bad input. Everything runs offline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Final

import typer

from dojo import kinds, rulepack
from dojo.curriculum import load as load_curriculum
from dojo.errors import FAILED, DojoError, one_line_errors
from dojo.paths import dojo_command, kit_root
from dojo.reviews import LintFinding, lint_files

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL: Final[Mapping[str, str]] = {"error": "error", "warning": "warning", "info": "note", "hint": "note"}
_TOOLS: Final[Mapping[str, tuple[str, str]]] = {
    "ruff": ("ruff (the kit's review profile)", "https://docs.astral.sh/ruff/rules/"),
    "mypy": ("mypy --strict", "https://mypy.readthedocs.io/en/stable/error_code_list.html"),
    "dojo": ("Backend Dojo rule pack (ast-grep)", "https://ast-grep.github.io/"),
}


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class LintUsageError(DojoError, ValueError):
    """A target that is neither a review nor an existing path, or a file Python cannot parse."""


def resolve_targets(root: Path, targets: Sequence[str]) -> list[Path]:
    """The Python files the targets name: a review slug is the learner's file; a path is itself or its tree."""
    from dojo.workspace import materialize

    curriculum = None
    files: list[Path] = []
    for target in targets:
        path = Path(target).expanduser()
        if path.exists():
            found = list(rulepack.python_files([path]))
            if not found:
                raise LintUsageError(f"{target}: no Python files there")
            files += found
            continue
        if "/" in target or target.endswith(".py"):
            raise LintUsageError(f"{target}: no such file or folder")
        if curriculum is None:
            curriculum = load_curriculum(root)
        exercise = curriculum.get(target)  # CurriculumError names the slug and suggests one
        if not kinds.of(exercise).lints_by_slug(exercise):
            raise LintUsageError(
                f"'{target}' is a {exercise.kind}, not a code review; to lint its file, pass the path: "
                f"`dojo lint {exercise.path}`"
            )
        materialize(root, curriculum)
        files.append(root / exercise.path)
    unique = {path.resolve(): None for path in files}
    return list(unique)


def unparsable(files: Sequence[Path]) -> list[str]:
    """One line per file Python cannot parse (mypy stops at the first; the learner should fix it first)."""
    problems: list[str] = []
    for path in files:
        try:
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except SyntaxError as error:
            problems.append(f"{_shown(path)}:{error.lineno}:{error.offset or 1}: {type(error).__name__}: {error.msg}")
        except (OSError, ValueError) as error:
            problems.append(f"{_shown(path)}: cannot be read: {error}")
    return problems


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to where they stand when it is below it."""
    cwd = Path.cwd().resolve()
    return path.relative_to(cwd).as_posix() if path.is_relative_to(cwd) else str(path)


def _uri(path: Path) -> str:
    """SARIF wants URIs: relative to where the user stands when it can be, else file://."""
    shown = _shown(path)
    return path.as_uri() if Path(shown).is_absolute() else shown


def flatten(found: Mapping[Path, Sequence[LintFinding]]) -> list[tuple[Path, LintFinding]]:
    """Every finding with its file, by file, then line, column and code."""
    rows = [(path, finding) for path, findings in found.items() for finding in findings]
    return sorted(rows, key=lambda row: (str(row[0]), row[1].line, row[1].column, row[1].rule))


def as_text(rows: Sequence[tuple[Path, LintFinding]]) -> str:
    return "".join(f"{_shown(path)}:{f.line}:{f.column} {f.rule} {f.message}\n" for path, f in rows)


def as_json(rows: Sequence[tuple[Path, LintFinding]]) -> str:
    items = [
        {
            "path": _shown(path),
            "line": f.line,
            "column": f.column,
            "code": f.rule,
            "tool": f.rule.split(":", 1)[0],
            "severity": f.severity,
            "message": f.message,
        }
        for path, f in rows
    ]
    return json.dumps(items, indent=2) + "\n"


def as_sarif(rows: Sequence[tuple[Path, LintFinding]]) -> str:
    """SARIF 2.1.0, one run per tool, so editors and code-scanning UIs can show and group the findings."""
    pack = {rule.id: rule for rule in rulepack.rules()}
    runs: list[dict[str, object]] = []
    for tool, (name, uri) in _TOOLS.items():
        mine = [(path, f) for path, f in rows if f.rule.split(":", 1)[0] == tool]
        if not mine and tool != "dojo":
            continue
        ids = sorted({f.rule.split(":", 1)[1] for _, f in mine} | (set(pack) if tool == "dojo" else set()))
        descriptors: list[dict[str, object]] = []
        for rule_id in ids:
            descriptor: dict[str, object] = {"id": rule_id}
            if tool == "dojo" and rule_id in pack:
                rule = pack[rule_id]
                descriptor |= {
                    "name": rule.title,
                    "shortDescription": {"text": rule.title},
                    "fullDescription": {"text": rule.summary},
                    "help": {"text": rule.note, "markdown": rule.note},
                    "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
                }
            descriptors.append(descriptor)
        results = [
            {
                "ruleId": f.rule.split(":", 1)[1],
                "level": _SARIF_LEVEL.get(f.severity, "error"),
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _uri(path)},
                            "region": {"startLine": f.line, "startColumn": f.column},
                        }
                    }
                ],
            }
            for path, f in mine
        ]
        runs.append({"tool": {"driver": {"name": name, "informationUri": uri, "rules": descriptors}}, "results": results})
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": runs}, indent=2) + "\n"


def lint_command(
    targets: Annotated[
        list[str], typer.Argument(help="review slugs (your reviews/SLUG.py) and/or files, folders or projects")
    ],
    output_format: Annotated[Format, typer.Option("--format", help="text (file:line:col code message), json or sarif")] = Format.text,
) -> None:
    """Lint with ruff's review profile, mypy --strict and the kit's rule pack (a review, or any code)."""
    root = kit_root()
    files = resolve_targets(root, targets)  # a bad target: LintUsageError or CurriculumError, one line (dojo.errors)
    broken = unparsable(files)
    if broken:
        raise LintUsageError(f"{broken[0]}: fix it first, then lint", FAILED)
    rows = flatten(lint_files(root, files))  # a linter that cannot run: LintError, one line
    # Plain writes, not rich: findings are for editors, pipes and grep, and must never be wrapped.
    if output_format is Format.json:
        typer.echo(as_json(rows), nl=False)
    elif output_format is Format.sarif:
        typer.echo(as_sarif(rows), nl=False)
    elif rows:
        typer.echo(as_text(rows), nl=False)
        hint = f"{len(rows)} finding(s) in {len({path for path, _ in rows})} of {len(files)} file(s)."
        slugs = [target for target in targets if not Path(target).expanduser().exists()]
        if slugs:
            hint += f" Linters catch many smells; the tests catch the rest: `{dojo_command()} check {slugs[0]}`."
        typer.echo(hint)
    else:
        typer.echo(f"{len(files)} file(s): no findings from ruff's review profile, mypy --strict or the rule pack.")
    raise typer.Exit(1 if rows else 0)


def register(app: typer.Typer) -> None:
    """Add `dojo lint` to the CLI."""
    app.command("lint")(one_line_errors(lint_command))
