"""The deals-API capstone's tooling: the data set, the loader command, the server, a throwaway PostgreSQL.

Commands (added to the ``dojo`` CLI by ``register``)::

    dojo data deals [--rows 50000] [--seed 2024] [--hotels 150] [--out deals.csv] [--force]
    dojo data sample                     # rewrite tests/capstone/data/deals_sample.csv
    dojo capstone load FILE [--database-url URL] [--target learner|solutions]
    dojo serve [--target learner|solutions] [--host 127.0.0.1] [--port 8000] [--database-url URL]
               [--fresh [--rows 50000] [--seed 2024]] [--debug]
    dojo pg start [--port 55432] [--dir PATH] | stop [--dir PATH] | status [--dir PATH]

They reach the capstone's code only through its documented seams, the same ones the round tests use,
so they work on the learner's package as on the reference:

- ``katas.deals_api.config.Settings`` (``database_url``, ``debug``),
- ``katas.deals_api.main.create_app(settings) -> FastAPI``,
- ``async katas.deals_api.migrations.upgrade(database_url, revision="head")``,
- ``async katas.deals_api.loader.load_csv(database_url, path) -> LoadReport``, raising ``LoadError``
  (``.line``, ``.column``, ``.reason``).

``verify_problems`` holds the capstone's own checks for ``dojo verify``.
"""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import importlib
import io
import sys
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Final

import typer
from rich.console import Console
from rich.markup import escape

from dojo import deals_data, pg, servers
from dojo.curriculum import Curriculum, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.errors import FAILED, DojoError, guard, one_line_errors
from dojo.kinds.capstone import KIND as ROUNDS_KIND
from dojo.kinds.capstone import POSTGRES_ENV as POSTGRES_ENV
from dojo.kinds.capstone import databases_label as databases_label
from dojo.kinds.capstone import mask_password as mask_password
from dojo.kinds.capstone import unreachable_postgres as unreachable_postgres
from dojo.paths import kit_root, pristine_root, solutions_root, state_dir
from dojo.problems import Problem
from dojo.targets import Target, activate, tree_for

PACKAGE: Final = "katas.deals_api"
PACKAGE_PATH: Final = "katas/deals_api"
GROUP: Final = "capstone"
ROUNDS: Final = tuple(f"round{number}" for number in range(1, 9))
# module -> the names the tests and the tooling may use from it; nothing else of the package is public.
SEAMS: Final[dict[str, tuple[str, ...]]] = {
    "config": ("Settings",),
    "main": ("create_app",),
    "migrations": ("upgrade", "downgrade"),
    "loader": ("load_csv", "LoadError"),
}
SERVE_TARGETS: Final[tuple[Target, ...]] = ("learner", "solutions")
CHECK: Final = "capstone"

console = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class CapstoneError(DojoError):
    """Something to tell the user in one line; ``status`` is the exit code (2: bad usage, 1: failed)."""

    status = FAILED


# ---------------------------------------------------------------------------------------------------
# Reaching a target's package through its seams


@dataclass(frozen=True)
class Seams:
    """The capstone package of one tree, as the tooling sees it."""

    settings: Callable[..., Any]
    create_app: Callable[[Any], Any]
    upgrade: Callable[[str], Awaitable[None]]
    load_csv: Callable[[str, Path], Awaitable[Any]]
    load_error: type[BaseException]

    def database_url(self, url: str | None) -> str:
        """``url`` (or the settings' default: ``$DATABASE_URL``, else a SQLite file) with an async driver."""
        if url is None:
            try:
                url = str(self.settings().database_url)
            except Exception as error:
                raise CapstoneError(f"the app's settings are invalid: {describe_exception(error)}") from None
        return async_database_url(url)


def async_database_url(url: str) -> str:
    """Give a plain database URL its async driver: ``postgresql://`` -> ``postgresql+asyncpg://``, etc."""
    for plain, driver in (
        ("postgres://", "postgresql+asyncpg://"),
        ("postgresql://", "postgresql+asyncpg://"),
        ("sqlite://", "sqlite+aiosqlite://"),
    ):
        if url.startswith(plain):
            return driver + url.removeprefix(plain)
    if "://" not in url:
        raise CapstoneError(f"'{url}' is not a database URL (sqlite+aiosqlite:///./deals.db, postgresql://...)", 2)
    return url


def load_seams(root: Path, target: Target) -> Seams:
    """Import ``target``'s capstone package and pick out its seams; a CapstoneError says what is missing."""
    if target == "learner":
        from dojo.workspace import materialize

        materialize(root, load_curriculum(root))
    tree = tree_for(root, target)
    if not (tree / PACKAGE_PATH / "__init__.py").is_file():
        raise CapstoneError(f"there is no capstone package in {tree / PACKAGE_PATH} yet")
    activate(tree)
    modules = {name: _import(f"{PACKAGE}.{name}", target) for name in SEAMS}
    return Seams(
        settings=_attribute(modules["config"], "Settings"),
        create_app=_attribute(modules["main"], "create_app"),
        upgrade=_attribute(modules["migrations"], "upgrade"),
        load_csv=_attribute(modules["loader"], "load_csv"),
        load_error=_attribute(modules["loader"], "LoadError"),
    )


def _import(name: str, target: Target) -> ModuleType:
    try:
        return importlib.import_module(name)
    except Exception as error:
        raise CapstoneError(f"cannot import {name} ({target}): {describe_exception(error)}") from None


def _attribute(module: ModuleType, name: str) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise CapstoneError(f"{module.__name__} has no '{name}': it is one of the seams the tests use") from None


def describe_exception(error: BaseException) -> str:
    """One line for an error raised by exercise code: its type, message and where it was raised."""
    frames = traceback.extract_tb(error.__traceback__)
    where = ""
    for frame in reversed(frames):
        if "/katas/" in frame.filename.replace("\\", "/"):
            where = f" at {_short_path(frame.filename)}:{frame.lineno}"
            break
    message = str(error) or "(no message)"
    if isinstance(error, NotImplementedError):
        return f"{message} is not written yet (NotImplementedError{where}); try --target solutions to see it work"
    return f"{type(error).__name__}: {message}{where}"


def _short_path(filename: str) -> str:
    path = Path(filename)
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class LoadTimings:
    report: Any
    migrate_seconds: float
    load_seconds: float


async def migrate_and_load(seams: Seams, database_url: str, csv_path: Path) -> LoadTimings:
    """Upgrade the database to head, then load ``csv_path``; LoadError and exercise errors pass through."""
    started = time.perf_counter()
    await seams.upgrade(database_url)
    migrated = time.perf_counter()
    report = await seams.load_csv(database_url, csv_path)
    return LoadTimings(report, migrated - started, time.perf_counter() - migrated)


def run_load(seams: Seams, database_url: str, csv_path: Path) -> LoadTimings:
    """``migrate_and_load`` from synchronous code, turning every failure into a one-line CapstoneError."""
    try:
        return asyncio.run(migrate_and_load(seams, database_url, csv_path))
    except seams.load_error as error:
        raise CapstoneError(f"{csv_path}: {describe_load_error(error)}; nothing was written") from None
    except Exception as error:
        advice = ""
        if "Can't locate revision" in str(error):
            # Alembic found a revision id its scripts do not have: another app migrated this database.
            advice = (
                f"; {mask_password(database_url)} was migrated by another version of the app (the reference's"
                " revisions?): delete that database or pass --database-url"
            )
        raise CapstoneError(f"loading {csv_path} failed: {describe_exception(error)}{advice}") from None


def describe_load_error(error: BaseException) -> str:
    """``line 27, column price_per_night: -92.39 must be greater than 0`` from a LoadError's attributes."""
    line, column, reason = (getattr(error, name, None) for name in ("line", "column", "reason"))
    where = [f"line {line}" if line is not None else "", f"column {column}" if column is not None else ""]
    text = str(reason if reason is not None else error)
    return ", ".join(part for part in where if part) + ": " + text if any(where) else text


def describe_report(report: Any) -> str:
    """``hotels=150, deals=50000, ...`` from a dataclass, a pydantic model, or anything else's str()."""
    fields: dict[str, Any]
    if dataclasses.is_dataclass(report) and not isinstance(report, type):
        fields = dataclasses.asdict(report)
    elif hasattr(report, "model_dump"):
        fields = report.model_dump()
    else:
        return str(report)
    return ", ".join(f"{name}={_number(value)}" for name, value in fields.items())


def _number(value: object) -> str:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else str(value)


# ---------------------------------------------------------------------------------------------------
# One-line diagnoses: the databases a check runs on (dojo.kinds.capstone), a schema behind head


async def _applied_revisions(url: str) -> set[str] | None:
    """The revisions ``alembic_version`` holds; None when the database has no such table (or no file)."""
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return {str(row[0]) for row in rows}
    except Exception:
        return None
    finally:
        await engine.dispose()


def migration_lag(tree: Path, url: str) -> str | None:
    """One line when the database at ``url`` is not at the head of ``tree``'s migrations, else None."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import make_url

    folder = tree / PACKAGE_PATH / "alembic"
    try:
        script = ScriptDirectory(str(folder))
        heads = set(script.get_heads())
        known = {revision.revision for revision in script.walk_revisions()}
    except Exception:
        return None  # a broken migration is the tests' to report
    if not heads:
        return None  # no migration written yet: round 1's first step, which the check's failures point at
    database = make_url(url).database if url.startswith("sqlite") else None
    if database not in (None, "", ":memory:") and not Path(str(database)).is_file():
        applied: set[str] | None = None
    else:
        applied = asyncio.run(_applied_revisions(url))
    if applied == heads:
        return None
    where, head = mask_password(url), ", ".join(sorted(heads))
    upgrade = f"`DATABASE_URL={where} uv run python -m {PACKAGE}.migrations upgrade`"
    if not applied:
        return (
            f"{where} has no migration applied (head is {head}): every request that reads it answers 500; run {upgrade}"
        )
    if applied - known:
        return f"{where} was migrated by another app (revision {', '.join(sorted(applied - known))}, unknown here): use another database"
    return (
        f"{where} is at revision {', '.join(sorted(applied))}, behind head {head}: requests that need the newer"
        f" schema answer 500; run {upgrade}"
    )


def check_notes(root: Path, target: str) -> list[str]:
    """Notes for `dojo check` on a capstone round: where to start (no migration yet), or the learner's
    own database behind head."""
    if target != "learner":
        return []
    versions = tree_for(root, "learner") / PACKAGE_PATH / "alembic" / "versions"
    if versions.is_dir() and not any(p.name != "__init__.py" for p in versions.glob("*.py")):
        return [
            f"start with the migration: {PACKAGE_PATH}/alembic/versions/ has none yet, so every test meets an empty"
            f" database. Write the models (models.py, imported in migrations.py), then `uv run python -m"
            f' {PACKAGE}.migrations revision -m "create hotels and deals"` and read what it generated'
            f" (`dojo hint round1` walks you there)"
        ]
    try:
        seams = load_seams(root, "learner")
        url = seams.database_url(None)
        lag = migration_lag(tree_for(root, "learner"), url)
    except Exception:  # the check's own output already says what is broken
        return []
    return [f"note: your database {lag} (the tests use fresh ones; `dojo serve` uses this one)"] if lag else []


# ---------------------------------------------------------------------------------------------------
# Commands

data_app = typer.Typer(
    help="The capstone's data set: the hotel-deals CSV the interviewer hands over.", no_args_is_help=True
)
capstone_app = typer.Typer(help="The deals-API capstone: load the CSV into your database.", no_args_is_help=True)
pg_app = typer.Typer(help="A throwaway PostgreSQL on 127.0.0.1, for the capstone without Docker.", no_args_is_help=True)

TargetOption = Annotated[str, typer.Option(help="whose package: learner (your katas/) or solutions (the reference)")]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        # No word longer than the help column at 80 columns, or the help screen cuts it with "…".
        help="default: yours reads $DATABASE_URL, else your app's SQLite file; the reference uses "
        "solutions.db in .dojo/capstone/, so it never migrates your database; postgresql:// gets the asyncpg driver"
    ),
]
PgDirOption = Annotated[Path | None, typer.Option("--dir", help="the server's folder; default: $DOJO_PG_DIR")]


def _target(value: str) -> Target:
    for target in SERVE_TARGETS:
        if value == target:
            return target
    raise CapstoneError(f"--target must be one of {', '.join(SERVE_TARGETS)}, not '{value}'", 2)


def _check_free(host: str, port: int) -> None:
    error = servers.bind_error(host, port)
    if error is not None:
        raise CapstoneError(f"cannot listen on {host}:{port} ({error.strerror}): pass another --port", 2)


@data_app.command("deals")
def data_deals(
    rows: Annotated[int, typer.Option(min=1, help="how many deals")] = deals_data.DEFAULT_ROWS,
    seed: Annotated[
        int, typer.Option(help="the same seed writes the same file, byte for byte")
    ] = deals_data.DEFAULT_SEED,
    hotels: Annotated[
        int, typer.Option(min=1, max=deals_data.MAX_HOTELS, help="how many hotels")
    ] = deals_data.DEFAULT_HOTELS,
    out: Annotated[Path, typer.Option(help="where to write the CSV")] = Path("deals.csv"),
    force: Annotated[bool, typer.Option("--force", help="replace an existing file")] = False,
) -> None:
    """Generate the hotel-deals CSV: the interview's 15 columns and facts, deterministic for a seed."""
    if out.exists() and not force:
        raise CapstoneError(f"{out} already exists: pass --force to replace it, or choose another --out", 2)
    if not out.parent.is_dir():
        raise CapstoneError(f"there is no folder {out.parent} to write {out.name} into", 2)
    started = time.perf_counter()
    deals_data.write_csv(out, rows=rows, seed=seed, hotels=hotels)
    elapsed = time.perf_counter() - started
    console.print(f"wrote {rows:,} deals ({hotels} hotels, seed {seed}) to {escape(str(out))} in {elapsed:.2f} s")


@data_app.command("sample", hidden=True)  # a maintainer command: learners never need it
def data_sample() -> None:
    """Rewrite the committed test sample (tests/capstone/data/deals_sample.csv) from the generator."""
    path = deals_data.write_sample(kit_root())
    console.print(
        f"wrote {deals_data.SAMPLE_ROWS} deals ({deals_data.SAMPLE_HOTELS} hotels, seed {deals_data.SAMPLE_SEED}) to {path}"
    )


@capstone_app.command("load")
def capstone_load(
    file: Annotated[Path, typer.Argument(help="the deals CSV (make one with `dojo data deals`)")],
    database_url: DatabaseUrlOption = None,
    target: TargetOption = "learner",
) -> None:
    """Migrate the database to head, then load FILE with the package's loader, all or nothing."""
    chosen = _target(target)
    if not file.is_file():
        raise CapstoneError(f"{file} is not a file: generate one with `dojo data deals --out {file}`", 2)
    root = kit_root()
    seams = load_seams(root, chosen)
    url = _database_url(root, seams, chosen, database_url)
    err.print(f"migrating {escape(mask_password(url))} to head, then loading {escape(str(file))} ({chosen})")
    timings = run_load(seams, url, file)
    console.print(
        f"[green]loaded[/] {escape(str(file))}: {escape(describe_report(timings.report))} "
        f"in {timings.load_seconds:.2f} s (migrations {timings.migrate_seconds:.2f} s)"
    )


def serve(
    target: TargetOption = "learner",
    host: Annotated[str, typer.Option(help="the interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="the port to listen on")] = 8000,
    database_url: DatabaseUrlOption = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh", help="first generate --rows deals, migrate and load them (a new SQLite file by default)"
        ),
    ] = False,
    rows: Annotated[int, typer.Option(min=1, help="with --fresh: how many deals")] = deals_data.DEFAULT_ROWS,
    seed: Annotated[int, typer.Option(help="with --fresh: the data set's seed")] = deals_data.DEFAULT_SEED,
    debug: Annotated[
        bool, typer.Option("--debug", help="Settings(debug=True): SQL statement counts in a Server-Timing header")
    ] = False,
) -> None:
    """Run the capstone app with uvicorn; Swagger UI at /docs."""
    chosen = _target(target)
    root = kit_root()
    _check_free(host, port)
    seams = load_seams(root, chosen)
    url = (
        _fresh_database(root, seams, chosen, database_url, rows, seed)
        if fresh
        else _database_url(root, seams, chosen, database_url)
    )
    app = _create_app(seams, url, debug=debug)
    lag = migration_lag(tree_for(root, chosen), url)
    if lag is not None:
        err.print(f"[yellow]warning:[/] {escape(lag)}")
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(
        f"serving the {chosen} app on {escape(mask_password(url))}\n"
        f"[bold]Swagger UI: http://{shown_host}:{port}/docs[/]  (Ctrl-C to stop)"
    )
    import uvicorn

    uvicorn.run(app, host=host, port=port)


def _capstone_folder(root: Path) -> Path:
    """``.dojo/capstone/``: generated data sets and the databases dojo itself creates."""
    folder = state_dir(root) / "capstone"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _database_url(root: Path, seams: Seams, target: Target, database_url: str | None) -> str:
    """The URL to use: the one given; else the reference's own file (its migrations must never meet the
    learner's database, whose revisions differ); else the learner's settings."""
    if database_url is None and target == "solutions":
        return f"sqlite+aiosqlite:///{_capstone_folder(root) / 'solutions.db'}"
    return seams.database_url(database_url)


def _fresh_database(root: Path, seams: Seams, target: Target, database_url: str | None, rows: int, seed: int) -> str:
    """Generate (or reuse) the data set, then migrate and load it; returns the database URL to serve."""
    folder = _capstone_folder(root)
    csv_path = folder / f"deals-{rows}-{seed}.csv"
    if not csv_path.is_file():  # the generator is deterministic: an existing file is the same data
        partial = csv_path.with_suffix(".partial")
        deals_data.write_csv(partial, rows=rows, seed=seed)
        partial.replace(csv_path)
    if database_url is None:
        db_file = folder / f"serve-{target}.db"
        db_file.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{db_file}"
    else:
        url = async_database_url(database_url)
    err.print(f"loading {rows:,} fresh deals into {escape(mask_password(url))} ...")
    timings = run_load(seams, url, csv_path)
    err.print(f"loaded: {escape(describe_report(timings.report))} in {timings.load_seconds:.2f} s")
    return url


def _create_app(seams: Seams, url: str, *, debug: bool) -> Any:
    try:
        return seams.create_app(seams.settings(database_url=url, debug=debug))
    except Exception as error:
        raise CapstoneError(f"create_app failed: {describe_exception(error)}") from None


@pg_app.command("start")
def pg_start(
    port: Annotated[int, typer.Option(help="the TCP port on 127.0.0.1")] = pg.DEFAULT_PORT,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="keep the cluster in this folder (default: a temporary one, removed by stop)"),
    ] = None,
    durable: Annotated[
        bool, typer.Option("--durable", help="keep fsync on (slower; off suits throwaway data)")
    ] = False,
) -> None:
    """Start PostgreSQL and print `export` lines: eval "$(dojo pg start)"."""
    cluster = pg.start(port, directory, durable=durable)
    sys.stdout.write(cluster.shell_exports())
    sys.stdout.flush()
    err.print(f"PostgreSQL is up on {pg.HOST}:{port}, folder {cluster.directory}; `dojo pg stop` ends it")


@pg_app.command("stop")
def pg_stop(directory: PgDirOption = None) -> None:
    """Stop the server (fast shutdown); a temporary folder is removed, a --dir one is kept."""
    cluster = pg.stop(directory or pg.directory_from_env())
    removed = "and removed its folder" if cluster.temporary else f"(its data stays in {cluster.directory})"
    console.print(f"stopped PostgreSQL on port {cluster.port} {removed}")


@pg_app.command("status")
def pg_status(directory: PgDirOption = None) -> None:
    """Say whether the server is running (exit 0) or not (exit 1)."""
    cluster = pg.open_cluster(directory or pg.directory_from_env())
    up = pg.running(cluster)
    if not up:
        console.print(
            f"stopped (folder {cluster.directory}); `dojo pg start --dir {cluster.directory} --port {cluster.port}`"
        )
        raise typer.Exit(1)
    console.print(f"running: {cluster.url} (folder {cluster.directory})")


def register(app: typer.Typer) -> None:
    """Add the capstone commands (`dojo data`, `dojo capstone`, `dojo serve`, `dojo pg`) to the CLI."""
    app.add_typer(guard(data_app), name="data")
    from dojo.capstone_steps import steps_app

    capstone_app.add_typer(steps_app, name="steps")
    app.add_typer(guard(capstone_app), name="capstone")
    app.add_typer(guard(pg_app), name="pg")
    app.command("serve")(one_line_errors(serve))


# ---------------------------------------------------------------------------------------------------
# `dojo verify`


def verify_problems(root: Path, curriculum: Curriculum) -> list[Problem]:
    """Capstone-specific checks for `dojo verify`: the rounds, the seams, the starter, the sample data.

    ``curriculum`` is what verify was asked about; the checks run when it includes a capstone round
    or is the whole kit.
    """
    full = load_curriculum(root)
    if not ROUNDS_KIND.members(curriculum) and len(curriculum) != len(full):
        return []
    problems = _check_rounds(full)
    problems += _check_sample(root)
    for tree in (pristine_root(root), solutions_root(root)):
        problems += _check_seams(root, tree)
    problems += _check_starter_migrations(root)
    problems += _check_test_imports(root, full)
    return problems


def _problem(message: str, slug: str = GROUP) -> Problem:
    return Problem(check=CHECK, slug=slug, message=message)


def _check_rounds(curriculum: Curriculum) -> list[Problem]:
    rounds = ROUNDS_KIND.members(curriculum)
    slugs = tuple(e.slug for e in rounds)
    problems: list[Problem] = []
    if slugs != ROUNDS:
        problems.append(
            _problem(
                f"the capstone's rounds must be {', '.join(ROUNDS)} in this order; curriculum.toml has {', '.join(slugs) or 'none'}"
            )
        )
    for exercise in rounds:
        if exercise.group != GROUP:
            problems.append(
                _problem(f"group is {exercise.group!r}, not '{GROUP}': rounds are cumulative", exercise.slug)
            )
        if exercise.path != PACKAGE_PATH:
            problems.append(_problem(f"path is '{exercise.path}', not '{PACKAGE_PATH}'", exercise.slug))
    members = curriculum.groups().get(GROUP, ())
    strays = [e.slug for e in members if e not in rounds]
    if strays:
        problems.append(_problem(f"group '{GROUP}' holds exercises that are not capstone rounds: {', '.join(strays)}"))
    return problems


def _check_sample(root: Path) -> list[Problem]:
    path = root / deals_data.SAMPLE_PATH
    if not path.is_file():
        return [_problem(f"{deals_data.SAMPLE_PATH} is missing: run `dojo data sample`")]
    committed = path.read_text(encoding="utf-8")
    header = committed.split("\n", 1)[0].split(",")
    if tuple(header) != deals_data.COLUMNS:
        return [
            _problem(f"{deals_data.SAMPLE_PATH}'s header is not the generator's 15 columns: run `dojo data sample`")
        ]
    expected = io.StringIO(newline="")
    deals_data.write_rows(expected, deals_data.SAMPLE_ROWS, deals_data.SAMPLE_SEED, deals_data.SAMPLE_HOTELS)
    if committed != expected.getvalue():
        return [_problem(f"{deals_data.SAMPLE_PATH} differs from the generator's output: run `dojo data sample`")]
    return []


def _module_file(tree: Path, module: str) -> Path | None:
    base = tree / PACKAGE_PATH
    for candidate in (base / f"{module}.py", base / module / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _top_level_names(path: Path) -> set[str]:
    """Names a module defines or imports at its top level (without importing it)."""
    names: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom | ast.Import):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def _check_seams(root: Path, tree: Path) -> list[Problem]:
    """Every seam module exists in ``tree``'s package and defines the names the tests use."""
    where = tree.relative_to(root).as_posix()
    if not (tree / PACKAGE_PATH / "__init__.py").is_file():
        return [_problem(f"{where}/{PACKAGE_PATH} is missing")]
    problems: list[Problem] = []
    for module, wanted in SEAMS.items():
        path = _module_file(tree, module)
        if path is None:
            problems.append(_problem(f"{where}/{PACKAGE_PATH} has no '{module}' module (a seam the tests use)"))
            continue
        try:
            defined = _top_level_names(path)
        except SyntaxError as error:
            problems.append(_problem(f"{path.relative_to(root)} does not parse: {error}"))
            continue
        missing = [name for name in wanted if name not in defined]
        if missing:
            problems.append(_problem(f"{path.relative_to(root)} lacks {', '.join(missing)} (seams the tests use)"))
    return problems


def _check_starter_migrations(root: Path) -> list[Problem]:
    """The starter ships Alembic configured but with no migration: writing the first one is round 1."""
    package = pristine_root(root) / PACKAGE_PATH
    if not package.is_dir():
        return []  # reported by _check_seams
    folders = [p for p in package.rglob("versions") if p.is_dir() and "__pycache__" not in p.parts]
    if not folders:
        return [_problem(f"pristine/{PACKAGE_PATH} has no Alembic versions folder")]
    problems: list[Problem] = []
    for folder in folders:
        scripts = sorted(p.name for p in folder.glob("*.py") if p.name != "__init__.py")
        if scripts:
            rel = folder.relative_to(root).as_posix()
            problems.append(
                _problem(
                    f"{rel} must be empty in the starter (the first migration is round 1's work): {', '.join(scripts)}"
                )
            )
    return problems


def _check_test_imports(root: Path, curriculum: Curriculum) -> list[Problem]:
    """The round tests reach the learner's package only through the seams, so any layering is graded fairly."""
    allowed = {f"{PACKAGE}.{module}" for module in SEAMS} | {PACKAGE}
    problems: list[Problem] = []
    files: dict[str, Exercise | None] = {test: e for e in ROUNDS_KIND.members(curriculum) for test in e.tests}
    for helper in sorted((root / "tests" / "capstone").rglob("*.py")):  # conftest.py, shared helpers
        files.setdefault(helper.relative_to(root).as_posix(), None)
    for relative, exercise in sorted(files.items()):
        slug = exercise.slug if exercise else GROUP
        path = root / relative
        if not path.is_file():
            continue  # verify's layout check reports missing test files
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError as error:
            problems.append(_problem(f"{relative} does not parse: {error}", slug))
            continue
        problems.extend(
            _problem(f"{relative}:{line} imports {name}; round tests may use only {', '.join(sorted(allowed))}", slug)
            for line, name in _imports(tree)
            if (name == PACKAGE or name.startswith(PACKAGE + ".")) and name not in allowed
        )
    return problems


def _imports(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """(line, module) for every absolute import; ``from katas.deals_api import x`` yields ``katas.deals_api.x``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == PACKAGE:
                yield from ((node.lineno, f"{PACKAGE}.{alias.name}") for alias in node.names)
            else:
                yield node.lineno, node.module
        elif isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
