"""Code-review exercises: lint grading held to each review's answer key, and `dojo lint` / `dojo answer`.

A review ships its flawed file (``pristine/reviews/<slug>.py``), the fix (``solutions/reviews/<slug>.py``)
and, beside the fix, an answer key (``solutions/reviews/<slug>.answers.toml``)::

    summary = "what the code does and what a reviewer should conclude"

    [[finding]]
    line = 23                      # where the smell is, in the flawed file
    title = "Session is never closed"
    why = "what goes wrong in production"
    severity = "high"              # high | medium | low
    fix = "what the fixed code does instead"
    lint = ["ruff:E711"]           # every linter finding at this line ("dojo:DOJO104" for the rule pack); [] if none
    tests = ["test_closes_the_session"]  # behaviour tests that catch it; required when lint is []
    keywords = ["session|connection", "close|leak"]  # optional: how a review drill recognises it in notes

The linters are the review ruff profile (``[tool.dojo.review-ruff]`` in pyproject.toml), ``mypy --strict`` under the kit's
mypy configuration, and the kit's rule pack (``dojo/rules/``, see dojo.rulepack). ``dojo verify`` holds the key to
the tools, so it stays true as they change: the flawed file must raise exactly the findings its key lists, and the fix
none at all. ``dojo lint`` (dojo.lint) shows the same findings to a learner, on a review or on any project.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final, Literal, cast

import typer
from rich.console import Console
from rich.text import Text

try:  # POSIX only; elsewhere concurrent review lints simply are not serialised
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from dojo import kinds, rulepack
from dojo.curriculum import Curriculum, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.errors import FAILED, DojoError, one_line_errors
from dojo.kinds.review import KIND as REVIEW_KIND
from dojo.layout import Hanging
from dojo.paths import kit_root, pristine_root, solutions_root, state_dir
from dojo.problems import Problem

PROFILE_TABLE: Final = "tool.dojo.review-ruff"
CHECK: Final = "review-lint"
ANSWERS_SUFFIX: Final = ".answers.toml"
Severity = Literal["high", "medium", "low"]
SEVERITIES: Final[tuple[Severity, ...]] = ("high", "medium", "low")
_RULE_RE: Final = re.compile(r"^(ruff:[A-Z]+[0-9]+|mypy:[a-z][a-z0-9-]*|dojo:DOJO[0-9]+)$")
_FINDING_KEYS: Final = ("line", "title", "why", "severity", "fix", "lint", "tests")
_OPTIONAL_FINDING_KEYS: Final = ("keywords",)  # synonym groups a review drill grades notes by
_GUARD_MARKER: Final = "guard"
_SEVERITY_STYLE: Final[Mapping[Severity, Text]] = {
    "high": Text("high", style="bold red"),
    "medium": Text("medium", style="yellow"),
    "low": Text("low", style="dim"),
}


# ---- running the linters ----


class LintError(DojoError, RuntimeError):
    """A linter could not run, or said something this module cannot read."""


@dataclass(frozen=True, order=True)
class LintFinding:
    line: int
    rule: str  # "ruff:E711", "mypy:no-untyped-def" or "dojo:DOJO104"
    message: str
    column: int = 1  # 1-based; answer keys match on line and rule only
    severity: str = "error"  # the rule pack's severity (error, warning, info); ruff and mypy findings are errors


def lint_files(root: Path, paths: Sequence[Path]) -> dict[Path, list[LintFinding]]:
    """Every finding of the review profile, mypy --strict and the rule pack, per file (resolved path), sorted by line.

    All files go through one ruff, one mypy and one ast-grep process, run side by side. Files checked
    together must not share a module name (so never a flawed file and its fix in one call).
    """
    files = [path.resolve() for path in paths]
    found: dict[Path, list[LintFinding]] = {path: [] for path in files}
    if not files:
        return found
    with ThreadPoolExecutor(max_workers=3) as pool:
        runs = [pool.submit(linter, root, files) for linter in (_ruff, _mypy, _pack)]
        results = [run.result() for run in runs]
    for path, finding in (pair for result in results for pair in result):
        found.setdefault(path, []).append(finding)
    return {path: sorted(set(findings)) for path, findings in found.items()}


def _pack(_root: Path, files: Sequence[Path]) -> list[tuple[Path, LintFinding]]:
    try:
        findings = rulepack.scan(files)
    except rulepack.PackError as error:
        raise LintError(str(error)) from error
    return [
        (f.path, LintFinding(f.line, f"{rulepack.SOURCE}:{f.rule}", f.message, f.column, f.severity)) for f in findings
    ]


def _run(command: Sequence[str], root: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, cwd=root, text=True, capture_output=True, check=False)
    except OSError as error:
        raise LintError(f"could not run {' '.join(command[:3])}: {error}") from error


def _profile_table(root: Path) -> dict[str, object]:
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise LintError(f"cannot read the review profile from pyproject.toml: {error}") from error
    table: object = data
    for key in PROFILE_TABLE.split("."):
        table = table.get(key) if isinstance(table, dict) else None
    if not isinstance(table, dict) or not table:
        raise LintError(f"pyproject.toml has no [{PROFILE_TABLE}] table: the review lint profile lives there")
    return cast(dict[str, object], table)


def _as_toml(table: Mapping[str, object], prefix: str = "") -> str:
    """A small TOML writer for the profile: scalars and arrays as JSON values (valid TOML), tables as headers."""
    lines = [f"{key} = {json.dumps(value)}" for key, value in table.items() if not isinstance(value, dict)]
    text = (f"[{prefix}]\n" if prefix and lines else "") + "".join(f"{line}\n" for line in lines)
    for key, value in table.items():
        if isinstance(value, dict):
            text += "\n" + _as_toml(cast(Mapping[str, object], value), f"{prefix}.{key}" if prefix else key)
    return text


def ruff_profile(root: Path) -> Path:
    """The review profile, written from pyproject's ``[tool.dojo.review-ruff]`` to a ruff.toml in .dojo/.

    ruff reads one configuration, and the kit's own ``[tool.ruff]`` is a different one; so the review
    table is written out as a standalone file and passed with ``--config`` (nothing else then applies).
    """
    text = "# Written by dojo from [tool.dojo.review-ruff] in pyproject.toml: edit it there.\n" + _as_toml(
        _profile_table(root)
    )
    path = state_dir(root) / "review-ruff.toml"
    if not path.is_file() or path.read_text(encoding="utf-8") != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path


def _ruff(root: Path, files: Sequence[Path]) -> list[tuple[Path, LintFinding]]:
    command = [sys.executable, "-m", "ruff", "check", "--config", str(ruff_profile(root)), "--no-cache", "--quiet"]
    completed = _run([*command, "--output-format", "json", *map(str, files)], root)
    if completed.returncode not in (0, 1):
        raise LintError(f"ruff failed (exit {completed.returncode}): {_first_line(completed.stderr)}")
    try:
        rows = cast(list[dict[str, object]], json.loads(completed.stdout or "[]"))
        found: list[tuple[Path, LintFinding]] = []
        for row in rows:
            location = cast(dict[str, int], row["location"])
            code = row["code"] or "syntax-error"  # a file that does not parse has no rule code
            finding = LintFinding(location["row"], f"ruff:{code}", str(row["message"]), location["column"])
            found.append((Path(str(row["filename"])).resolve(), finding))
    except (ValueError, KeyError, TypeError) as error:
        raise LintError(f"could not read ruff's JSON output: {error!r}") from error
    return found


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """One mypy at a time per cache: `dojo verify` and the kit's own tests may lint reviews concurrently."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _mypy(root: Path, files: Sequence[Path]) -> list[tuple[Path, LintFinding]]:
    # The kit's configuration (mypy_path, python_version) plus --strict, whatever pyproject says.
    # The cache lives in .dojo/ so a second run only re-checks the review files themselves.
    command = [sys.executable, "-m", "mypy", "--strict", "--output", "json", "--no-error-summary"]
    config = root / "pyproject.toml"
    if config.is_file():
        command += ["--config-file", str(config)]
    cache = state_dir(root) / "mypy-review-cache"
    command += ["--cache-dir", str(cache)]
    with _exclusive(cache.with_suffix(".lock")):
        completed = _run([*command, *map(str, files)], root)
    if completed.returncode not in (0, 1):
        detail = _first_line(completed.stderr) or _first_line(completed.stdout)
        raise LintError(f"mypy failed (exit {completed.returncode}): {detail}")
    found: list[tuple[Path, LintFinding]] = []
    for raw in completed.stdout.splitlines():
        if not raw.startswith("{"):
            continue
        try:
            row = cast(dict[str, object], json.loads(raw))
            if row["severity"] != "error":
                continue
            column = cast(int, row.get("column") or 0) + 1  # mypy counts columns from 0
            finding = LintFinding(cast(int, row["line"]), f"mypy:{row['code'] or 'error'}", str(row["message"]), column)
            found.append(((root / str(row["file"])).resolve(), finding))
        except (ValueError, KeyError, TypeError) as error:
            raise LintError(f"could not read mypy's JSON output {raw!r}: {error!r}") from error
    return found


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


# ---- answer keys ----


class AnswerKeyError(DojoError, ValueError):
    """An answer key is missing or malformed; the message names the file and the field."""


@dataclass(frozen=True)
class KeyFinding:
    line: int
    title: str
    why: str
    severity: Severity
    fix: str
    lint: tuple[str, ...]
    tests: tuple[str, ...]
    keywords: tuple[str, ...] = ()  # "session|connection": a note naming one of each group found it

    @property
    def caught_by(self) -> str:
        """Who catches it, for people: the linter rules, the tests, or both."""
        parts = [*self.lint, *self.tests] or ["nothing yet"]
        return "\n".join(parts)


@dataclass(frozen=True)
class AnswerKey:
    path: Path
    summary: str
    findings: tuple[KeyFinding, ...]

    def expected_lint(self) -> set[tuple[int, str]]:
        """(line, rule) for every linter finding the key says the flawed file raises."""
        return {(finding.line, rule) for finding in self.findings for rule in finding.lint}


def answer_key_path(root: Path, exercise: Exercise) -> Path:
    """``solutions/reviews/<slug>.answers.toml``: the key sits beside the fix."""
    fix = solutions_root(root) / exercise.path
    return fix.with_name(fix.stem + ANSWERS_SUFFIX)


def load_answer_key(path: Path, root: Path | None = None) -> AnswerKey:
    shown = _shown(path, root)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnswerKeyError(f"{shown} is missing: every review needs an answer key beside its fix") from None
    except tomllib.TOMLDecodeError as error:
        raise AnswerKeyError(f"{shown} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - {"summary", "finding"})
    if unknown:
        raise AnswerKeyError(f"{shown}: unknown key(s) {', '.join(unknown)} (expected summary and [[finding]])")
    summary = _text(data, "summary", shown)
    raw = data.get("finding")
    if not isinstance(raw, list) or not raw or not all(isinstance(item, dict) for item in raw):
        raise AnswerKeyError(f"{shown}: expected one or more [[finding]] tables")
    findings = tuple(
        _finding(cast(dict[str, object], entry), f"{shown}: finding #{index}")
        for index, entry in enumerate(cast(list[object], raw), start=1)
    )
    return AnswerKey(path=path, summary=summary, findings=findings)


def _finding(entry: Mapping[str, object], where: str) -> KeyFinding:
    line = entry.get("line")
    if isinstance(line, bool) or not isinstance(line, int) or line < 1:
        raise AnswerKeyError(f"{where}: 'line' must be a line number (a positive whole number), not {line!r}")
    where = f"{where} (line {line})"
    missing = [key for key in _FINDING_KEYS if key not in entry]
    if missing:
        raise AnswerKeyError(f"{where}: missing {', '.join(missing)}")
    unknown = sorted(set(entry) - set(_FINDING_KEYS) - set(_OPTIONAL_FINDING_KEYS))
    if unknown:
        raise AnswerKeyError(f"{where}: unknown key(s) {', '.join(unknown)}")
    severity = _text(entry, "severity", where)
    if severity not in SEVERITIES:
        raise AnswerKeyError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}, not '{severity}'")
    lint = _texts(entry, "lint", where)
    bad = [rule for rule in lint if not _RULE_RE.match(rule)]
    if bad:
        raise AnswerKeyError(
            f"{where}: 'lint' entries look like ruff:E711, mypy:no-untyped-def or dojo:DOJO104, not {bad}"
        )
    tests = _texts(entry, "tests", where)
    if not lint and not tests:
        raise AnswerKeyError(f"{where}: no linter catches it (lint = []), so 'tests' must name a test that does")
    return KeyFinding(
        line=line,
        title=_text(entry, "title", where),
        why=_text(entry, "why", where),
        severity=severity,
        fix=_text(entry, "fix", where),
        lint=lint,
        tests=tests,
        keywords=_texts(entry, "keywords", where) if "keywords" in entry else (),
    )


def _text(entry: Mapping[str, object], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise AnswerKeyError(f"{where}: '{key}' must be a non-empty string")
    return " ".join(value.split())


def _texts(entry: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = entry[key]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise AnswerKeyError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(item.strip() for item in cast(list[str], value))


def _shown(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


# ---- verify ----


def verify_problems(root: Path, curriculum: Curriculum) -> list[Problem]:
    """Review checks for ``dojo verify``: each key parses, names real tests, and matches the linters.

    The flawed file's findings must equal the key's ``lint`` entries exactly (line and rule); the fixed
    file must have none.
    """
    reviews = [exercise for exercise in REVIEW_KIND.members(curriculum) if not exercise.is_package]
    problems: list[Problem] = []
    keys: dict[str, AnswerKey] = {}
    for exercise in reviews:
        try:
            keys[exercise.slug] = load_answer_key(answer_key_path(root, exercise), root)
        except AnswerKeyError as error:
            problems.append(Problem(CHECK, exercise.slug, str(error)))
            continue
        problems += _test_problems(root, exercise, keys[exercise.slug])
    flawed = {e.slug: pristine_root(root) / e.path for e in reviews}
    fixed = {e.slug: solutions_root(root) / e.path for e in reviews}
    for slug, path in [*flawed.items(), *fixed.items()]:
        if not path.is_file():
            problems.append(Problem(CHECK, slug, f"{_shown(path, root)} is missing"))
    try:
        flawed_lint = lint_files(root, [path for path in flawed.values() if path.is_file()])
        fixed_lint = lint_files(root, [path for path in fixed.values() if path.is_file()])
    except LintError as error:
        return [*problems, Problem(CHECK, "", f"could not lint the reviews: {error}")]
    for exercise in reviews:
        slug = exercise.slug
        fix = fixed[slug].resolve()
        for finding in fixed_lint.get(fix, []):
            where = f"{_shown(fix, root)}:{finding.line}"
            problems.append(Problem(CHECK, slug, f"{where}: {finding.rule} fires on the fix ({finding.message})"))
        key = keys.get(slug)
        source = flawed[slug].resolve()
        if key is None or not source.is_file():
            continue
        problems += _key_against_lint(root, slug, source, key, flawed_lint.get(source, []))
    return sorted(problems)


def _key_against_lint(
    root: Path, slug: str, source: Path, key: AnswerKey, findings: Sequence[LintFinding]
) -> list[Problem]:
    problems: list[Problem] = []
    shown = _shown(source, root)
    length = len(source.read_text(encoding="utf-8").splitlines())
    for finding in key.findings:
        if finding.line > length:
            message = f"{_shown(key.path, root)}: '{finding.title}' is at line {finding.line}, but {shown} has {length}"
            problems.append(Problem(CHECK, slug, message))
    raised: dict[tuple[int, str], str] = {}
    for found in findings:  # one report per (line, rule): that is what a key can list
        raised.setdefault((found.line, found.rule), found.message)
    expected = key.expected_lint()
    for line, rule in sorted(expected - set(raised)):
        message = f"{shown}:{line}: the answer key lists {rule}, but the linters do not report it there"
        problems.append(Problem(CHECK, slug, message))
    for line, rule in sorted(set(raised) - expected):
        message = f"{shown}:{line}: {rule} fires but the answer key does not list it ({raised[line, rule]})"
        problems.append(Problem(CHECK, slug, message))
    return problems


def _test_problems(root: Path, exercise: Exercise, key: AnswerKey) -> list[Problem]:
    tests, guards = _test_functions(root, exercise.tests)
    shown = _shown(key.path, root)
    problems: list[Problem] = []
    for finding in key.findings:
        for name in finding.tests:
            if name not in tests:
                where = ", ".join(exercise.tests)
                message = f"{shown}: '{finding.title}' names {name}, which is not a test in {where}"
                problems.append(Problem(CHECK, exercise.slug, message))
            elif name in guards:
                message = f"{shown}: '{finding.title}' names {name}, a guard test: it passes on the flawed code"
                problems.append(Problem(CHECK, exercise.slug, message))
    return problems


def _test_functions(root: Path, files: Iterable[str]) -> tuple[set[str], set[str]]:
    """Names of the module-level test functions in ``files``, and the subset marked as guards."""
    tests: set[str] = set()
    guards: set[str] = set()
    for relative in files:
        path = root / relative
        if not path.is_file():
            continue
        module = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
                tests.add(node.name)
                if any(_GUARD_MARKER in ast.unparse(decorator).split(".") for decorator in node.decorator_list):
                    guards.add(node.name)
    return tests, guards


# ---- the CLI: dojo answer ----


def _review(slug: str) -> tuple[Path, Exercise, Path]:
    """The kit, the review called ``slug`` and its answer key's path; a DojoError (one line, exit 2) otherwise."""
    root = kit_root()
    exercise = load_curriculum(root).get(slug)
    key = kinds.of(exercise).answer_key(root, exercise)
    if key is None:
        raise AnswerKeyError(f"'{slug}' is a {exercise.kind}, not a code review; `dojo answer` is for reviews.")
    return root, exercise, key


def answer_command(
    slug: Annotated[str, typer.Argument(help="the review's slug, e.g. user_lookup")],
    peek: Annotated[bool, typer.Option("--peek", help="show the key even though your fix does not pass yet")] = False,
) -> None:
    """Show the review's answer key: every smell, why it matters, the fix, and what catches it."""
    from dojo.runner import exercise_passes

    out = Console()
    root, exercise, key_path = _review(slug)
    key = load_answer_key(key_path, root)  # a broken key: AnswerKeyError, one line
    if not peek and not exercise_passes(root, exercise):
        raise DojoError(
            f"{exercise.path} does not pass its tests yet: review and fix it until `dojo check {slug}` is green"
            f" (or `dojo answer {slug} --peek` to look anyway).",
            FAILED,
        )
    out.print(Text(key.summary))
    out.print(f"\n[bold]{slug}: {len(key.findings)} finding(s) in pristine/{exercise.path}, most severe first[/]")
    # One block per finding, labels in a column of their own: at 80 columns nothing is cut and a
    # wrapped line starts under its text (a four-column table squeezed the fix into a sliver); no line
    # is padded to the terminal's width (a grid's cells are).
    for finding in sorted(key.findings, key=lambda f: (SEVERITIES.index(f.severity), f.line)):
        heading = Text.assemble(f"\nline {finding.line} · ", _SEVERITY_STYLE[finding.severity], " severity · ")
        heading.append(finding.title, style="bold")
        out.print(heading)
        for label, text in (("why", finding.why), ("fix", finding.fix), ("caught by", finding.caught_by)):
            out.print(Hanging(Text(f"  {label:<9} ", style="dim"), Text(text)))


def register(app: typer.Typer) -> None:
    """Add `dojo answer` to the CLI (`dojo lint`, for reviews and any code, is dojo.lint)."""
    app.command("answer")(one_line_errors(answer_command))
