"""The capstone's reference in rounds: one patch per round, applied in order to the starter.

``solutions/rounds/roundN.patch`` is step N, a ``git format-patch`` file whose subject is the step's
conventional commit message. Applying steps 1..N to ``pristine/katas/deals_api`` gives the reference as
it stands after round N; applying all eight gives ``solutions/katas/deals_api`` exactly, which stays the
one source of truth for the finished app (verify checks that the series reaches it).

- ``dojo solution roundN`` shows step N alone, applied to a copy of the learner's package when it fits
  there (so the context lines are theirs), else against the reference's round N-1; ``--plain`` prints
  the unified diff unwrapped, for ``git apply``. Nothing in the learner's tree is written.
- ``dojo capstone steps export DIR`` makes a git repository with one commit per step, to edit with the
  usual tools (``git rebase -i``, ``git commit --amend``); ``dojo capstone steps import DIR`` writes
  the series back.
- ``verify_problems`` proves each step: after step N, rounds 1..N pass and round N+1 fails (SQLite).
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from dojo.curriculum import Curriculum, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.errors import FAILED, DojoError
from dojo.kinds.capstone import KIND as ROUNDS_KIND
from dojo.paths import pristine_root, solutions_root
from dojo.problems import Problem

if TYPE_CHECKING:
    from dojo.forkserver import ForkServer

PACKAGE_PATH: Final = "katas/deals_api"
STEPS_DIR: Final = "solutions/rounds"
CHECK: Final = "capstone-steps"
AUTHOR: Final = {
    "GIT_AUTHOR_NAME": "Backend Dojo",
    "GIT_AUTHOR_EMAIL": "dojo@example.invalid",
    "GIT_COMMITTER_NAME": "Backend Dojo",
    "GIT_COMMITTER_EMAIL": "dojo@example.invalid",
    "GIT_AUTHOR_DATE": "2025-01-01T00:00:00+00:00",
    "GIT_COMMITTER_DATE": "2025-01-01T00:00:00+00:00",
}
_IGNORED: Final = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", "*.db")


class StepError(DojoError):
    """One line for the user: a missing or broken patch, git not found."""

    status = FAILED


@dataclass(frozen=True)
class Step:
    number: int
    path: Path

    @property
    def subject(self) -> str:
        """The step's commit message (the patch's ``Subject:`` line, unfolded)."""
        text = self.path.read_text(encoding="utf-8")
        match = re.search(r"^Subject: (?:\[PATCH[^\]]*\] )?(.*(?:\n [^\n]*)*)", text, re.MULTILINE)
        return " ".join(match[1].split()) if match else self.path.stem


def steps(root: Path) -> list[Step]:
    """The series in order: ``round1.patch``, ``round2.patch``, ..."""
    folder = root / STEPS_DIR
    found = []
    for path in folder.glob("round*.patch"):
        number = path.stem.removeprefix("round")
        if number.isdigit():
            found.append(Step(int(number), path))
    return sorted(found, key=lambda step: step.number)


def _git(args: Sequence[str], cwd: Path, *, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        completed = subprocess.run(
            ["git", *args], cwd=cwd, text=True, capture_output=True, env={**os.environ, **AUTHOR}, check=False
        )
    except FileNotFoundError:
        raise StepError("git is not installed: the reference's rounds are patches that git applies") from None
    if check and completed.returncode != 0:
        first = (completed.stderr or completed.stdout).strip().splitlines()[:1] or ["(no output)"]
        raise StepError(f"git {args[0]} failed: {first[0]}")
    return completed


def _copy_package(source_tree: Path, dest_tree: Path) -> None:
    """``source_tree/katas/deals_api`` (and ``katas/__init__.py``) into ``dest_tree``."""
    (dest_tree / "katas").mkdir(parents=True, exist_ok=True)
    init = source_tree / "katas" / "__init__.py"
    if init.is_file():
        shutil.copyfile(init, dest_tree / "katas" / "__init__.py")
    else:
        (dest_tree / "katas" / "__init__.py").write_text("", encoding="utf-8")
    shutil.copytree(source_tree / PACKAGE_PATH, dest_tree / PACKAGE_PATH, ignore=_IGNORED, dirs_exist_ok=True)


def _apply(patch: Path, tree: Path, *, check_only: bool = False) -> bool:
    args = ["apply", "--whitespace=nowarn", *(["--check"] if check_only else []), str(patch.resolve())]
    return _git(args, tree, check=False).returncode == 0


def build_step(root: Path, number: int, dest: Path) -> Path:
    """The reference after round ``number``: the starter with steps 1..number applied, in ``dest``."""
    series = steps(root)
    if number < 0 or number > len(series):
        raise StepError(f"there is no step {number}: {STEPS_DIR} holds {len(series)}")
    _copy_package(pristine_root(root), dest)
    for step in series[:number]:
        if not _apply(step.path, dest):
            raise StepError(f"{step.path.relative_to(root)} does not apply to the starter plus the steps before it")
    return dest


def package_files(tree: Path) -> dict[str, bytes]:
    """Every file of the capstone package under ``tree``, by path relative to ``tree``."""
    base = tree / PACKAGE_PATH
    if not base.is_dir():
        return {}
    return {
        path.relative_to(tree).as_posix(): path.read_bytes()
        for path in sorted(base.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".pyc", ".db")
    }


def unified_diff(old_tree: Path, new_tree: Path) -> str:
    """A ``git apply``-able unified diff (``a/``, ``b/`` prefixes, ``/dev/null`` for new files), unwrapped."""
    old, new = package_files(old_tree), package_files(new_tree)
    parts: list[str] = []
    for rel in sorted(set(old) | set(new)):
        before = old.get(rel, b"").decode("utf-8").splitlines(keepends=True)
        after = new.get(rel, b"").decode("utf-8").splitlines(keepends=True)
        if before == after and (rel in old) == (rel in new):
            continue
        source = f"a/{rel}" if rel in old else "/dev/null"
        target = f"b/{rel}" if rel in new else "/dev/null"
        body = list(difflib.unified_diff(before, after, source, target))
        if body:
            parts.append(f"diff --git a/{rel} b/{rel}\n")
            if rel not in old:
                parts.append("new file mode 100644\n")
            elif rel not in new:
                parts.append("deleted file mode 100644\n")
            parts.extend(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in body)
    return "".join(parts)


@dataclass(frozen=True)
class StepView:
    step: Step
    diff: str
    against: str  # "yours" or "the reference's round N-1"


def step_against(root: Path, number: int, learner_tree: Path) -> StepView:
    """Step ``number`` applied to a copy of the learner's package if it applies, else to the reference's
    round ``number - 1``. The learner's files are read, never written."""
    series = steps(root)
    if not 1 <= number <= len(series):
        raise StepError(f"there is no step {number}: {STEPS_DIR} holds {len(series)}")
    step = series[number - 1]
    with tempfile.TemporaryDirectory(prefix="dojo-step-") as scratch:
        base = Path(scratch) / "base"
        if (learner_tree / PACKAGE_PATH).is_dir():
            _copy_package(learner_tree, base)
            if _apply(step.path, base, check_only=True):
                after = Path(scratch) / "after"
                shutil.copytree(base, after)
                _apply(step.path, after)
                return StepView(step, unified_diff(base, after), "yours")
            shutil.rmtree(base)
        build_step(root, number - 1, base)
        after = Path(scratch) / "after"
        shutil.copytree(base, after)
        if not _apply(step.path, after):
            raise StepError(f"{step.path.relative_to(root)} does not apply to the reference's round {number - 1}")
        against = "the starter" if number == 1 else f"the reference's round {number - 1}"
        return StepView(step, unified_diff(base, after), against)


# ---------------------------------------------------------------------------------------------------
# Maintaining the series: export to a git repository, edit, import back


def export(root: Path, dest: Path) -> list[str]:
    """A git repository in ``dest``: the starter as the first commit, then one commit per step."""
    if dest.exists() and any(dest.iterdir()):
        raise StepError(f"{dest} is not empty: export into a new folder")
    dest.mkdir(parents=True, exist_ok=True)
    _git(["init", "-q", "-b", "main"], dest)
    _copy_package(pristine_root(root), dest)
    _git(["add", "-A"], dest)
    _git(["commit", "-q", "-m", "chore: the capstone's starter"], dest)
    _git(["tag", "starter"], dest)
    subjects = []
    for step in steps(root):
        _git(["am", "-q", "--keep-cr", str(step.path.resolve())], dest)
        subjects.append(step.subject)
    return subjects


def import_series(root: Path, source: Path) -> list[Path]:
    """Write ``source``'s commits after the ``starter`` tag back as ``solutions/rounds/roundN.patch``."""
    with tempfile.TemporaryDirectory(prefix="dojo-steps-") as scratch:
        _git(
            ["format-patch", "-q", "--zero-commit", "--no-signature", "--no-numbered", "-o", scratch, "starter..HEAD"],
            source,
        )
        written = sorted(Path(scratch).glob("*.patch"))
        if not written:
            raise StepError(f"{source} has no commit after the 'starter' tag")
        folder = root / STEPS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("round*.patch"):
            old.unlink()
        paths = []
        for number, patch in enumerate(written, start=1):
            target = folder / f"round{number}.patch"
            shutil.copyfile(patch, target)
            paths.append(target)
        return paths


# ---------------------------------------------------------------------------------------------------
# `dojo verify`


def _rounds(curriculum: Curriculum) -> list[Exercise]:
    return list(ROUNDS_KIND.members(curriculum))


def _marker(rounds: Sequence[Exercise]) -> str:
    return " or ".join(e.slug for e in rounds)


@dataclass(frozen=True)
class StepVerdict:
    number: int
    problems: list[Problem]
    seconds: float


def _problem(message: str, slug: str = "capstone") -> Problem:
    return Problem(check=CHECK, slug=slug, message=message)


def _verify_step(
    root: Path, curriculum: Curriculum, number: int, scratch: Path, server: ForkServer | None = None
) -> StepVerdict:
    from dojo.runner import run_pytest

    started = time.perf_counter()
    rounds = _rounds(curriculum)
    slug = rounds[number - 1].slug
    tree = scratch / f"step{number}"
    try:
        build_step(root, number, tree)
    except StepError as error:
        return StepVerdict(number, [_problem(str(error), slug)], 0.0)
    problems: list[Problem] = []
    # One pytest, -x, files in round order: the first failure must come from round N+1's tests, which
    # run last. A failure earlier means step N broke a round it should pass; none means it does too much.
    done = rounds[:number]
    following = rounds[number] if number < len(rounds) else None
    files = list(dict.fromkeys(test for e in (*done, *([following] if following else [])) for test in e.tests))
    marker = _marker([*done, *([following] if following else [])])
    drop = ["DOJO_POSTGRES_URL"]  # SQLite: the rounds' PostgreSQL runs prove the reference, not the steps
    result = run_pytest(
        root, ["-q", "-x", "-p", "no:randomly", "-m", marker, *files], tree=tree, drop_env=drop, server=server
    )
    failed = [t for t in result.tests if t.outcome in ("failed", "error")]
    if result.collection_errors or not result.tests:
        first = result.collection_errors[0] if result.collection_errors else "no test ran"
        problems.append(_problem(f"after step {number}, the round tests do not run: {first}", slug))
    elif failed and failed[0].slug != (following.slug if following else None):
        problems.append(
            _problem(f"after step {number}, rounds 1..{number} must pass; {failed[0].nodeid} does not", slug)
        )
    elif following is not None and not failed:
        problems.append(
            _problem(
                f"after step {number}, {following.slug} must still fail, but its tests pass: the step does too much",
                slug,
            )
        )
    return StepVerdict(number, problems, time.perf_counter() - started)


def verify_problems(
    root: Path, curriculum: Curriculum, *, jobs: int = 2, server: ForkServer | None = None
) -> list[Problem]:
    """The series reaches the reference exactly, and each step turns exactly its own round green."""
    full = load_curriculum(root)
    if not ROUNDS_KIND.members(curriculum) and len(curriculum) != len(full):
        return []
    rounds = _rounds(full)
    series = steps(root)
    if [s.number for s in series] != list(range(1, len(rounds) + 1)):
        return [_problem(f"{STEPS_DIR} must hold round1.patch to round{len(rounds)}.patch, one per round")]
    problems = [
        _problem(f"{step.path.relative_to(root)}'s subject is not a conventional commit message: {step.subject!r}")
        for step in series
        if not re.match(r"^(feat|fix|perf|refactor|test|docs|build|chore)(\([\w-]+\))?: \S", step.subject)
    ]
    with tempfile.TemporaryDirectory(prefix="dojo-steps-") as scratch:
        try:
            final = build_step(root, len(series), Path(scratch) / "final")
        except StepError as error:
            return [*problems, _problem(str(error))]
        built, reference = package_files(final), package_files(solutions_root(root))
        differ = sorted(rel for rel in set(built) | set(reference) if built.get(rel) != reference.get(rel))
        if differ:
            problems.append(
                _problem(
                    f"the steps do not add up to the reference ({', '.join(differ[:3])} differ{'...' if len(differ) > 3 else ''}):"
                    " `dojo capstone steps export DIR`, fix the last step, `dojo capstone steps import DIR`"
                )
            )
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            verdicts = list(
                pool.map(lambda n: _verify_step(root, full, n, Path(scratch), server), range(1, len(series)))
            )
    for verdict in verdicts:
        problems += verdict.problems
    return problems


# ---------------------------------------------------------------------------------------------------
# Commands: `dojo capstone steps export|import|list`

steps_app = typer.Typer(
    help="The reference in rounds: one patch per round, in solutions/rounds/.", no_args_is_help=True
)


@steps_app.command("list")
def list_steps() -> None:
    """Each step's commit message, in order."""
    from dojo.capstone import console
    from dojo.paths import kit_root

    for step in steps(kit_root()):
        console.print(f"round{step.number}  {step.subject}")


@steps_app.command("export")
def export_command(dest: Annotated[Path, typer.Argument(help="a new folder for the git repository")]) -> None:
    """A git repository with the starter, then one commit per step: edit it, then `import` it."""
    from dojo.capstone import console
    from dojo.paths import kit_root

    subjects = export(kit_root(), dest)
    console.print(f"exported {len(subjects)} steps to {dest} (the starter is tagged 'starter')")


@steps_app.command("import")
def import_command(source: Annotated[Path, typer.Argument(help="a repository made by `export`")]) -> None:
    """Write the repository's commits after 'starter' back to solutions/rounds/roundN.patch."""
    from dojo.capstone import console
    from dojo.paths import kit_root

    written = import_series(kit_root(), source)
    console.print(f"wrote {len(written)} patches to {STEPS_DIR}; `dojo verify --only round1` proves them")


# ---------------------------------------------------------------------------------------------------
# `dojo solution roundN`


def show_step(root: Path, curriculum: Curriculum, exercise: Exercise, *, peek: bool, plain: bool) -> None:
    """Print round ``exercise``'s step: applied to the learner's package if it fits, else to the reference's
    previous round. ``plain``: the bare diff on stdout, for ``git apply``; notes go to stderr."""
    import sys

    from rich.markup import escape

    from dojo.capstone import console, err
    from dojo.paths import dojo_command
    from dojo.runner import exercise_passes

    rounds = _rounds(curriculum)
    number = rounds.index(exercise) + 1
    if not peek and not exercise_passes(root, exercise):
        err.print(
            f"{exercise.slug} does not pass yet, so its step stays hidden. Keep going (`{dojo_command()} hint "
            f"{exercise.slug}`), or use `{dojo_command()} solution {exercise.slug} --peek`."
        )
        raise typer.Exit(1)
    view = step_against(root, number, root)
    err.print(
        f"step {number} of {len(rounds)}: {escape(view.step.subject)}\n"
        f"against {view.against}; nothing in your files changes. The finished app: "
        f"`{dojo_command()} solution {exercise.slug} --full`."
    )
    if plain:
        sys.stdout.write(view.diff)
        sys.stdout.flush()
        return
    styles = {"+": "green", "-": "red", "@": "cyan"}
    for line in view.diff.splitlines():
        style = "bold" if line.startswith(("diff ", "--- ", "+++ ", "new file")) else styles.get(line[:1], "")
        text = escape(line)
        console.print(f"[{style}]{text}[/]" if style else text, soft_wrap=True)
