"""The kit's rule pack: ast-grep rules for the review smells that ruff and mypy cannot see.

The rules live in ``dojo/rules/smells/`` as ast-grep YAML, one rule per file named after its id
(``DOJO101.yml``), with shared building blocks ("an endpoint", "inside an ``async def``") in
``dojo/rules/utils/``. Each rule has a one-line ``message`` that names the fix and a ``note`` that is
its documentation page (What it does / Why is this bad? / Example / Use instead). ``dojo lint`` runs
the pack beside ruff and mypy; ``dojo-rules FILE...`` (the pre-commit hook) runs it alone.

ast-grep is a single native binary from the ``ast-grep-cli`` wheel: no network, no telemetry, and a
scan of a hundred files takes a fraction of a second. CONTRIBUTING.md says why it won over semgrep.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final, Literal, cast

RULES_DIR: Final = Path(__file__).resolve().parent / "rules"
CONFIG: Final = RULES_DIR / "sgconfig.yml"
SMELLS_DIR: Final = RULES_DIR / "smells"
SOURCE: Final = "dojo"  # findings are reported as dojo:DOJO101, beside ruff:E711 and mypy:union-attr
Severity = Literal["error", "warning", "info", "hint"]
SEVERITIES: Final[tuple[Severity, ...]] = ("error", "warning", "info", "hint")
# Folders that are never a project's own code: environments, caches, build output, VCS data.
SKIPPED_DIRS: Final = frozenset({"__pycache__", "node_modules", "site-packages", "venv", "build", "dist"})


class PackError(RuntimeError):
    """The pack cannot run: ast-grep is missing, a rule file is broken, or its output is unreadable."""


@dataclass(frozen=True)
class Rule:
    """One rule of the pack, as its YAML file states it."""

    id: str
    severity: Severity
    title: str  # the smell, in a few words: the README's table lists it
    message: str  # one line at the finding; it may name the matched code ($VAR)
    note: str  # the rule's page, in Markdown

    @property
    def code(self) -> str:
        return f"{SOURCE}:{self.id}"

    @property
    def summary(self) -> str:
        """The "What it does" paragraph of the rule's page, on one line."""
        section = self.note.split("## What it does", 1)[-1].split("\n## ", 1)[0]
        return " ".join(section.split())


@dataclass(frozen=True, order=True)
class PackFinding:
    path: Path  # resolved
    line: int  # 1-based
    column: int  # 1-based
    rule: str  # the rule's id, DOJO101
    severity: Severity
    message: str


@cache
def rules() -> tuple[Rule, ...]:
    """Every rule of the pack, in id order."""
    import yaml  # here, not at the top: a scan (dojo check's mentor comments) needs no YAML

    found: list[Rule] = []
    for path in sorted(SMELLS_DIR.glob("*.yml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise PackError(f"cannot read the rule {path.name}: {error}") from error
        if not isinstance(data, dict):
            raise PackError(f"{path.name} is not an ast-grep rule (a mapping)")
        rule = cast(dict[str, object], data)
        metadata = rule.get("metadata")
        title = cast(dict[str, object], metadata).get("title") if isinstance(metadata, dict) else None
        fields = (rule.get("id"), rule.get("severity"), title, rule.get("message"), rule.get("note"))
        if not all(isinstance(value, str) and value.strip() for value in fields):
            raise PackError(f"{path.name} needs an id, a severity, metadata.title, a message and a note")
        rule_id, severity, title_text, message, note = cast(tuple[str, str, str, str, str], fields)
        if path.stem != rule_id:
            raise PackError(f"{path.name} holds the rule {rule_id}: name the file after its id")
        if severity not in SEVERITIES:
            raise PackError(f"{path.name}: severity must be one of {', '.join(SEVERITIES)}, not {severity!r}")
        found.append(Rule(rule_id, severity, title_text, message.strip(), note.strip()))
    if not found:
        raise PackError(f"no rules in {SMELLS_DIR}")
    return tuple(found)


def binary() -> str:
    """The ast-grep executable: the one installed beside this Python first, then PATH."""
    beside = Path(sys.executable).parent / ("ast-grep.exe" if sys.platform == "win32" else "ast-grep")
    if beside.is_file():
        return str(beside)
    found = shutil.which("ast-grep")
    if found is None:
        raise PackError("ast-grep is not installed: `uv sync` (it comes with the ast-grep-cli package)")
    return found


def python_files(paths: Iterable[Path]) -> Iterator[Path]:
    """The Python files in ``paths``: files as given, folders walked (hidden and tool folders skipped)."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.iterdir()):
                if child.is_dir() and (child.name.startswith(".") or child.name in SKIPPED_DIRS):
                    continue
                if child.is_dir() or child.suffix in (".py", ".pyi"):
                    yield from python_files([child])
        elif path.is_file():
            yield path


def scan(files: Sequence[Path]) -> list[PackFinding]:
    """Every finding of the pack in ``files`` (Python files; see python_files), sorted."""
    return start_scan(files).findings()


class Scan:
    """A scan under way: ast-grep runs beside the caller (``dojo check`` starts it with the tests)."""

    def __init__(self, process: subprocess.Popen[str] | None) -> None:
        self._process = process

    def findings(self) -> list[PackFinding]:
        """Wait for ast-grep and read its findings (raises PackError when it failed)."""
        if self._process is None:
            return []
        stdout, stderr = self._process.communicate()
        return _read_findings(self._process.returncode, stdout, stderr)

    def cancel(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def start_scan(files: Sequence[Path]) -> Scan:
    """Start ast-grep over ``files``; :meth:`Scan.findings` waits for it."""
    if not files:
        return Scan(None)
    command = [binary(), "scan", "--config", str(CONFIG), "--json=stream", *map(str, files)]
    try:
        process = subprocess.Popen(command, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except OSError as error:
        raise PackError(f"could not run ast-grep: {error}") from error
    return Scan(process)


def _read_findings(returncode: int, stdout: str, stderr: str) -> list[PackFinding]:
    # ast-grep exits 1 when a finding has severity error; anything else is a failure to scan.
    if returncode not in (0, 1) or "ERROR" in stderr:
        detail = next((line.strip() for line in stderr.splitlines() if line.strip()), "no message")
        raise PackError(f"ast-grep failed (exit {returncode}): {detail}")
    found: list[PackFinding] = []
    for raw in stdout.splitlines():
        try:
            row = cast(dict[str, object], json.loads(raw))
            start = cast(dict[str, dict[str, int]], row["range"])["start"]
            severity = str(row["severity"])
            finding = PackFinding(
                path=Path(str(row["file"])).resolve(),
                line=start["line"] + 1,
                column=start["column"] + 1,
                rule=str(row["ruleId"]),
                severity=severity if severity in SEVERITIES else "warning",
                message=" ".join(str(row["message"]).split()),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise PackError(f"could not read ast-grep's output {raw[:80]!r}: {error!r}") from error
        found.append(finding)
    return sorted(found)


def main(argv: Sequence[str] | None = None) -> int:
    """``dojo-rules [FILE|FOLDER ...]``: the pack alone, for pre-commit and editors. Exit 1 on findings."""
    parser = argparse.ArgumentParser(prog="dojo-rules", description="Backend Dojo's rule pack (ast-grep).")
    parser.add_argument("paths", nargs="*", type=Path, default=[Path()], help="files or folders (default: .)")
    arguments = parser.parse_args(argv)
    missing = [str(path) for path in arguments.paths if not path.exists()]
    if missing:
        print(f"dojo-rules: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        findings = scan(list(python_files(arguments.paths)))
    except PackError as error:
        print(f"dojo-rules: {error}", file=sys.stderr)
        return 2
    cwd = Path.cwd().resolve()
    for finding in findings:
        shown = finding.path.relative_to(cwd) if finding.path.is_relative_to(cwd) else finding.path
        print(f"{shown}:{finding.line}:{finding.column} {SOURCE}:{finding.rule} {finding.message}")
    return 1 if findings else 0


if __name__ == "__main__":  # pragma: no cover - `python -m dojo.rulepack`
    raise SystemExit(main())
