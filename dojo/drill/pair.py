"""``dojo pair start|next|done``: remote pairs hand the keyboard over through git, in the manner of mob.sh.

The work lives in the exercise's folder as a git repository of its own (``katas/deals_api`` for the
capstone, ``katas/`` or ``reviews/`` for a single file). ``start`` puts you on the hand-over branch
``pair/<base>`` (creating it, or picking up your partner's latest push); ``next`` commits everything as
work in progress, pushes it and steps back to the base branch, so nobody types on a stale copy;
``done`` squashes the hand-over branch onto the base branch, staged for one real commit, and deletes it.

Nothing uncommitted is ever lost: ``next`` and ``done`` commit it first, ``start`` refuses to mix your
uncommitted changes with your partner's and says how to keep them, and a folder that is not yet a
repository is backed up to ``.dojo/backups/`` before your partner's work is checked out into it. When
git is in a state this cannot handle (a merge or rebase in progress, a detached HEAD, a rejected push),
it stops and prints the commands that fix it, ready to copy and paste.
"""

from __future__ import annotations

import json
import shlex
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Final

import typer
from rich.console import Console
from rich.markup import escape

from dojo.curriculum import Curriculum
from dojo.curriculum import load as load_curriculum
from dojo.drill import git
from dojo.paths import dojo_command, kit_root, state_dir
from dojo.workspace import materialize

REMOTE: Final = "pair"
PREFIX: Final = "pair/"
WIP_MESSAGE: Final = "pair: work in progress (dojo pair next)"
CONFIG: Final = "pair.json"
console = Console(highlight=False)
DOJO = dojo_command()
app = typer.Typer(help="Hand the keyboard over through git, for remote pairs: start, next, done.", no_args_is_help=True)


class PairProblem(Exception):
    """git is in a state the hand-over cannot handle: what happened, and the commands that fix it."""

    def __init__(self, message: str, *fix: str) -> None:
        super().__init__(message)
        self.fix = fix


@dataclass
class PairConfig:
    folder: str  # relative to the kit root
    remote: str
    base: str


def _config_path(root: Path) -> Path:
    return state_dir(root) / CONFIG


def _load_config(root: Path) -> PairConfig:
    try:
        return PairConfig(**json.loads(_config_path(root).read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        raise PairProblem(f"no pair session here yet: start one with `{DOJO} pair start SLUG --remote URL`") from None


def _save_config(root: Path, config: PairConfig) -> None:
    path = _config_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(config), indent=2), encoding="utf-8")


def folder_for(curriculum: Curriculum, name: str) -> str:
    """The folder a pair shares: the package of a package exercise (or group), else the file's folder."""
    exercise = curriculum.select(name)[0]
    return exercise.path if exercise.is_package else str(Path(exercise.path).parent)


def _g(directory: Path) -> str:
    return f"git -C {shlex.quote(str(directory))}"


def _problems(directory: Path) -> None:
    """Stop, with a fix, on the states mob.sh also refuses: an operation half done, or no branch."""
    dot_git = directory / ".git"
    g = _g(directory)
    if (dot_git / "MERGE_HEAD").exists():
        raise PairProblem("git is in the middle of a merge here.", f"{g} merge --abort   # or finish it: fix the files, {g} commit")
    if (dot_git / "rebase-merge").exists() or (dot_git / "rebase-apply").exists():
        raise PairProblem("git is in the middle of a rebase here.", f"{g} rebase --abort   # or finish it: {g} rebase --continue")
    if (dot_git / "CHERRY_PICK_HEAD").exists():
        raise PairProblem("git is in the middle of a cherry-pick here.", f"{g} cherry-pick --abort")
    if git.run(directory, "symbolic-ref", "-q", "HEAD", check=False).returncode != 0:
        raise PairProblem("HEAD is detached: the hand-over needs a branch.", f"{g} switch -c my-work   # keeps what you have")


def _branch(directory: Path) -> str:
    return git.run(directory, "symbolic-ref", "--short", "HEAD").stdout.strip()


def _dirty(directory: Path) -> bool:
    return bool(git.run(directory, "status", "--porcelain").stdout.strip())


def _remote_has(directory: Path, branch: str) -> bool:
    return git.run(directory, "rev-parse", "--verify", "-q", f"refs/remotes/{REMOTE}/{branch}", check=False).returncode == 0


def _fetch(directory: Path, remote: str) -> None:
    if git.run(directory, "fetch", "-q", "--prune", REMOTE, check=False).returncode != 0:
        raise PairProblem(
            f"cannot fetch from the pair remote {remote}.", f"{_g(directory)} remote set-url {REMOTE} URL   # the right URL"
        )


def _commit_wip(directory: Path) -> bool:
    git.run(directory, "add", "-A")
    if git.run(directory, "diff", "--cached", "--quiet", check=False).returncode == 0:
        return False
    git.commit(directory, WIP_MESSAGE)
    return True


def _push(directory: Path, branch: str, *options: str) -> None:
    if git.run(directory, "push", "-q", *options, REMOTE, branch, check=False).returncode != 0:
        raise PairProblem(
            f"the remote refused {branch}: your partner pushed since you picked it up. Your work is committed locally.",
            f"{_g(directory)} pull --rebase {REMOTE} {branch}",
            f"{DOJO} pair next",
        )


def _set_remote(directory: Path, url: str) -> None:
    exists = git.run(directory, "remote", "get-url", REMOTE, check=False).returncode == 0
    git.run(directory, "remote", "set-url" if exists else "add", REMOTE, url)


def _remote_wip_branches(directory: Path, url: str) -> list[str]:
    listed = git.run(directory, "ls-remote", "--heads", url, check=False)
    if listed.returncode != 0:
        raise PairProblem(f"cannot reach the pair remote {url}.", f"git ls-remote {shlex.quote(url)}   # does it answer?")
    heads = [line.split("\t", 1)[1].removeprefix("refs/heads/") for line in listed.stdout.splitlines() if "\t" in line]
    return [head for head in heads if head.startswith(PREFIX)]


def start(root: Path, folder: str, url: str) -> str:
    directory = root / folder
    waiting = _remote_wip_branches(directory, url)
    if not git.is_repo_root(directory):
        if waiting:
            return _join_into_plain_folder(root, folder, url, waiting[0])
        git.ensure_repo(directory)
    _problems(directory)
    _set_remote(directory, url)
    _fetch(directory, url)
    branch = _branch(directory)
    base = branch.removeprefix(PREFIX)
    wip = PREFIX + base
    _save_config(root, PairConfig(folder, url, base))
    if _remote_has(directory, wip):
        if branch != wip and _dirty(directory):
            raise PairProblem(
                f"you have uncommitted changes on {branch}, and your partner's work is waiting on {wip}: "
                "mixing them could lose yours. Put yours aside first (and `git stash pop` them after `dojo pair done`):",
                f"{_g(directory)} stash push -u -m 'before dojo pair start'",
                f"{DOJO} pair start",
            )
        if branch == wip:
            _fast_forward(directory, wip)
        else:
            git.run(directory, "checkout", "-q", "-B", wip, f"{REMOTE}/{wip}")
        return f"picked up your partner's work on {wip}: you drive. When the timer says swap: `{DOJO} pair next`."
    if not _remote_has(directory, base):
        _push(directory, base)
    if branch != wip:
        git.run(directory, "checkout", "-q", "-b", wip)  # uncommitted changes come along
    _push(directory, wip, "-u")
    return f"started {wip} on {url}: you drive. When the timer says swap: `{DOJO} pair next`."


def _join_into_plain_folder(root: Path, folder: str, url: str, wip: str) -> str:
    """The partner's work, into a folder that is not a repository yet: the folder's files are backed up first."""
    directory = root / folder
    saved = _backup_folder(root, folder)
    directory.mkdir(parents=True, exist_ok=True)
    base = wip.removeprefix(PREFIX)
    git.run(directory, "init", "-q", "-b", base)
    _set_remote(directory, url)
    _fetch(directory, url)
    git.run(directory, "checkout", "-q", "-f", "-B", wip, f"{REMOTE}/{wip}")
    _save_config(root, PairConfig(folder, url, base))
    kept = f" (your files were backed up to {saved.relative_to(root)})" if saved else ""
    return f"joined: your partner's work on {wip} is in {folder}{kept}. You drive; `{DOJO} pair next` hands over."


def _backup_folder(root: Path, folder: str) -> Path | None:
    """Copy the folder to ``.dojo/backups/pair/<UTC time>/<folder>`` before anything is checked out into it."""
    source = root / folder
    if not source.is_dir() or not any(source.iterdir()):
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    destination = state_dir(root) / "backups" / "pair" / stamp
    shutil.copytree(source, destination / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache"))
    return destination


def _fast_forward(directory: Path, wip: str) -> None:
    if git.run(directory, "merge", "-q", "--ff-only", f"{REMOTE}/{wip}", check=False).returncode != 0:
        raise PairProblem(
            f"your {wip} and your partner's have both moved on: git cannot just fast-forward.",
            f"{_g(directory)} pull --rebase {REMOTE} {wip}",
        )


def next_(root: Path) -> str:
    config = _load_config(root)
    directory = root / config.folder
    _problems(directory)
    wip = PREFIX + config.base
    if _branch(directory) != wip:
        raise PairProblem(f"you are not on {wip}, so there is nothing to hand over.", f"{DOJO} pair start")
    committed = _commit_wip(directory)
    _push(directory, wip)
    git.run(directory, "checkout", "-q", config.base)
    what = "committed and pushed your work" if committed else "nothing new to commit; pushed"
    return f"{what} on {wip}, and stepped back to {config.base}. Your partner runs `{DOJO} pair start` to pick it up."


def done(root: Path) -> str:
    config = _load_config(root)
    directory = root / config.folder
    _problems(directory)
    wip = PREFIX + config.base
    _fetch(directory, config.remote)
    if _branch(directory) == wip:
        _commit_wip(directory)
        if _remote_has(directory, wip):
            _fast_forward(directory, wip)
        git.run(directory, "checkout", "-q", config.base)
    elif _remote_has(directory, wip):
        if _dirty(directory):
            raise PairProblem(
                f"you have uncommitted changes on {config.base}: squashing the session onto them could mix the two.",
                f"{_g(directory)} stash push -u -m 'before dojo pair done'",
                f"{DOJO} pair done",
            )
        git.run(directory, "branch", "-f", wip, f"{REMOTE}/{wip}")
    if git.run(directory, "rev-parse", "--verify", "-q", wip, check=False).returncode != 0:
        raise PairProblem(f"there is no {wip} here or on the remote: nothing to finish.", f"{DOJO} pair start")
    if git.run(directory, "merge", "-q", "--squash", wip, check=False).returncode != 0:
        raise PairProblem(
            f"the session's work does not apply cleanly on {config.base}.",
            f"{_g(directory)} status   # fix the conflicts, then commit",
        )
    git.run(directory, "branch", "-q", "-D", wip)
    git.run(directory, "push", "-q", REMOTE, "--delete", wip, check=False)  # already gone if the partner finished
    _config_path(root).unlink(missing_ok=True)
    return (
        f"the session is squashed onto {config.base}, staged: review it and commit it as one change, e.g.\n"
        f"  {_g(directory)} commit -m 'feat: ...'"
    )


def _kit() -> tuple[Path, Curriculum]:
    root = kit_root()
    curriculum = load_curriculum(root)
    materialize(root, curriculum)
    return root, curriculum


def _say(action: Callable[[], str]) -> None:
    try:
        message = action()
    except (PairProblem, git.GitProblem) as problem:
        console.print(f"[red]dojo pair:[/] {escape(str(problem))}")
        for line in getattr(problem, "fix", ()):
            console.print(f"    {escape(line)}")
        raise typer.Exit(1) from None
    console.print(escape(message))


@app.command("start")
def start_command(
    slug: Annotated[
        str | None, typer.Argument(help="the exercise or group you pair on; default: this session's, else capstone")
    ] = None,
    remote: Annotated[str | None, typer.Option(help="the git URL you both push to (a bare repository will do)")] = None,
) -> None:
    """Start driving: create the hand-over branch, or pick up your partner's latest push."""
    root, curriculum = _kit()
    session = _load_config(root) if _config_path(root).is_file() else None
    folder = folder_for(curriculum, slug) if slug else session.folder if session else folder_for(curriculum, "capstone")
    if remote is None and session is not None:
        remote = session.remote  # the next turn of a session: its own remote
    if remote is None:
        console.print(f"[red]dojo pair:[/] which remote? `{DOJO} pair start {slug or 'capstone'} --remote URL` (a bare repository you both reach)")
        raise typer.Exit(2)
    url = remote
    _say(lambda: start(root, folder, url))


@app.command("next")
def next_command() -> None:
    """Hand over: commit everything as work in progress, push it, step back to the base branch."""
    root, _ = _kit()
    _say(lambda: next_(root))


@app.command("done")
def done_command() -> None:
    """End the session: squash the hand-over branch onto the base branch, staged for one real commit."""
    root, _ = _kit()
    _say(lambda: done(root))
