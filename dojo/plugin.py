"""The kit's pytest plugin: one suite, three targets, one exercise per test, friendly stub failures.

- ``--target learner|solutions|pristine`` (or ``DOJO_TARGET``) picks the tree the tests import from.
- Every test under ``tests/`` gets its exercise's slug as a marker (``pytest -m lru_cache``), taken
  from curriculum.toml; a test file no exercise claims is a usage error. The kit's own tests
  (``tests/dojo/``) are marked ``kit`` and skipped on the learner target unless named on the command line.
- A test that fails because the learner's file still raises NotImplementedError is reported as
  one line that names the file and the hint command, not a traceback.
- ``--dojo-report FILE`` writes each test's outcome as JSON, for ``dojo verify``.
- ``--dojo-mutant-run`` judges a run as ``dojo verify`` judges a mutant: a failure in a fixture's setup
  or teardown (a leaked connection, a warning turned into an error at teardown) does not fail the test
  unless the test is marked ``fixture_check``, i.e. its fixture checks that on purpose. A leak must be
  caught by a named test, not by the machinery around one.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dojo import kinds
from dojo.curriculum import Curriculum, CurriculumError, Exercise
from dojo.curriculum import load as load_curriculum
from dojo.errors import DojoError
from dojo.failures import fitted, learner_failure
from dojo.paths import LEARNER_PACKAGES, dojo_command
from dojo.targets import DEFAULT_TARGET, ENV_VAR, TARGETS, Target, activate, check_active, tree_for

GUARD_MARKER = "guard"
FIXTURE_CHECK_MARKER = "fixture_check"
KIT_MARKER = "kit"
KIT_TESTS = "tests/dojo"
_STATE_KEY = pytest.StashKey["DojoState"]()
# Set by an in-process `dojo check`, which has just created any missing learner file itself.
FILES_READY_ENV = "DOJO_LEARNER_FILES_READY"
MESSAGE_LIMIT = 4000  # characters of a failure kept in the --dojo-report file


@dataclass
class DojoState:
    root: Path
    target: str
    tree: Path
    curriculum: Curriculum
    report_path: Path | None
    outcomes: dict[str, str] = field(default_factory=dict)
    collection_errors: list[str] = field(default_factory=list)
    item_info: dict[str, tuple[str | None, bool]] = field(default_factory=dict)
    uncounted: dict[str, str] = field(default_factory=dict)  # fixture failures a mutant run did not count
    messages: dict[str, str] = field(default_factory=dict)
    hypothesis_ready: bool = False
    marked_files: frozenset[str] | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dojo", "Backend Dojo")
    group.addoption(
        "--target",
        choices=TARGETS,
        default=None,
        help=f"which tree the exercise tests import: your files (learner, the default), the reference "
        f"answers (solutions) or the untouched stubs (pristine). Also ${ENV_VAR}.",
    )
    group.addoption(
        "--dojo-tree",
        default=None,
        metavar="DIR",
        help="import exercises from this folder instead of a named target (used by dojo verify for mutants)",
    )
    group.addoption("--dojo-report", default=None, metavar="FILE", help="write every test's outcome to FILE as JSON")
    group.addoption(
        "--dojo-mutant-run",
        action="store_true",
        default=False,
        help=f"a setup or teardown failure counts only in tests marked {FIXTURE_CHECK_MARKER} (used by dojo verify for mutants)",
    )


def _resolve_target(config: pytest.Config) -> str:
    option = config.getoption("target")
    if option is not None:
        return str(option)
    from_env = os.environ.get(ENV_VAR, "").strip()
    if from_env and from_env not in TARGETS:
        raise pytest.UsageError(f"{ENV_VAR}={from_env!r} is not a target; use one of: {', '.join(TARGETS)}")
    return from_env or DEFAULT_TARGET


def pytest_configure(config: pytest.Config) -> None:
    root = config.rootpath
    try:
        curriculum = load_curriculum(root)
    except CurriculumError as error:
        raise pytest.UsageError(str(error)) from None
    tree_option = config.getoption("dojo_tree")
    target = "tree" if tree_option else _resolve_target(config)
    if tree_option:
        tree = Path(tree_option).resolve()
        if not tree.is_dir():
            raise pytest.UsageError(f"--dojo-tree {tree_option}: no such folder")
    else:
        tree = tree_for(root, _as_target(target))
    if target == "learner" and os.environ.get(FILES_READY_ENV) != "1":
        from dojo.workspace import materialize

        materialize(root, curriculum)
    activate(tree)
    check_active(tree)
    report = config.getoption("dojo_report")
    config.stash[_STATE_KEY] = DojoState(
        root=root, target=target, tree=tree, curriculum=curriculum, report_path=Path(report) if report else None
    )
    config.stash[_STATE_KEY].marked_files = _marked_test_files(config, config.stash[_STATE_KEY])
    _redirect_from_subfolder(config, root)
    config.pluginmanager.register(OutcomeRecorder(config.stash[_STATE_KEY]), "dojo-outcomes")
    config.addinivalue_line("markers", f"{GUARD_MARKER}: checks behaviour that already works keeps working")
    config.addinivalue_line("markers", f"{KIT_MARKER}: a test of the kit's own tooling, not an exercise")
    config.addinivalue_line(
        "markers", f"{FIXTURE_CHECK_MARKER}: this test's fixtures check something on purpose at setup or teardown"
    )
    for exercise in curriculum:
        config.addinivalue_line("markers", f"{exercise.slug}: {exercise.title}")
    for group in curriculum.groups():
        config.addinivalue_line("markers", f"{group}: every exercise of the {group} group")
    if "hypothesis" in sys.modules:  # imported already (a conftest, an in-process run): set it up now
        _configure_hypothesis(target)
        config.stash[_STATE_KEY].hypothesis_ready = True


def _as_target(name: str) -> Target:
    for target in TARGETS:
        if target == name:
            return target
    raise pytest.UsageError(f"unknown target {name!r}")


THOROUGH_PROFILE = "dojo"
LEARNER_PROFILE = "dojo-learner"


def _configure_hypothesis(target: str) -> None:
    from hypothesis import Phase, settings

    # Derandomized everywhere: a learner and CI see the same examples, and a failure reproduces.
    settings.register_profile(THOROUGH_PROFILE, derandomize=True, deadline=None, database=None, print_blob=False)
    # The learner's loop wants the first counterexample now, not the smallest one in 15 seconds:
    # no shrinking phase. Finding it is unchanged, so the same wrong answers fail; verify and CI,
    # which run the solutions, pristine and mutant trees (or CI=true), keep the thorough profile.
    settings.register_profile(
        LEARNER_PROFILE,
        parent=settings.get_profile(THOROUGH_PROFILE),
        phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target),
    )
    in_ci = os.environ.get("CI", "").lower() in ("1", "true", "yes")
    default = LEARNER_PROFILE if target == "learner" and not in_ci else THOROUGH_PROFILE
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> None:
    """Load the Hypothesis profile just before the first test module that uses Hypothesis is imported.

    Importing Hypothesis costs about half a second, a third of a one-exercise run, so a run that does
    not use it never pays; a module's ``settings(...)`` objects inherit the profile loaded when they
    are created, hence before the import and not after."""
    state = _state(parent.config)
    if state.hypothesis_ready:
        return
    try:
        uses = "hypothesis" in module_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        uses = False
    if uses:
        _configure_hypothesis(state.target)
        state.hypothesis_ready = True


def _state(config: pytest.Config) -> DojoState:
    return config.stash[_STATE_KEY]


def pytest_report_header(config: pytest.Config) -> str:
    state = _state(config)
    if state.target == "learner":
        return "dojo target: learner (your katas/ and reviews/) · the reference: --target solutions"
    return f"dojo target: {state.target} ({state.tree}) · reproduce with: pytest --target {state.target}"


_SLUG_EXPRESSION = re.compile(r"\s*\w+(?:\s+or\s+\w+)*\s*")


def _marked_test_files(config: pytest.Config, state: DojoState) -> frozenset[str] | None:
    """For ``-m lru_cache`` (or ``-m "a or b"``, or a group): the only test files worth collecting."""
    expression = str(config.getoption("markexpr") or "")
    if not _SLUG_EXPRESSION.fullmatch(expression):
        return None
    files: set[str] = set()
    for name in expression.split(" or "):
        try:
            files.update(test for exercise in state.curriculum.select(name.strip()) for test in exercise.tests)
        except CurriculumError:
            return None  # guard, kit, or a word pytest will reject: collect as usual
    return frozenset(files)


def _redirect_from_subfolder(config: pytest.Config, root: Path) -> None:
    """``pytest`` with no arguments in ``katas/`` would collect the learner's modules and find no tests:
    run the tests of that folder's exercises instead (``tests/katas``), or the whole suite."""
    here = config.invocation_params.dir.resolve()
    if config.args_source is not pytest.Config.ArgsSource.INVOCATION_DIR or here == root:
        return
    rel = _relative(here, root)
    if rel is None or rel == "tests" or rel.startswith("tests/"):
        return
    first = rel.split("/", 1)[0]
    tests = (
        root / "tests" / first if first in LEARNER_PACKAGES and (root / "tests" / first).is_dir() else root / "tests"
    )
    config.args = [str(tests)]


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    state = _state(config)
    wanted = state.marked_files
    rel = _relative(collection_path, state.root) if wanted is not None else None
    if wanted is not None and rel is not None and rel.startswith("tests/"):
        # Another exercise's file or folder: -m would deselect all of it, so do not even import it
        # (nor the folder's conftest.py: the capstone's imports SQLAlchemy and FastAPI).
        if collection_path.is_dir() and not any(test.startswith(rel + "/") for test in wanted):
            return True
        if collection_path.suffix == ".py" and collection_path.name.startswith("test_") and rel not in wanted:
            return True
    if state.target != "learner":
        return None
    kit_dir = state.root / KIT_TESTS
    if collection_path == kit_dir or kit_dir in collection_path.parents:
        named = [Path(arg.split("::", 1)[0]).resolve() for arg in config.args]
        asked = any(p == collection_path or p in collection_path.parents or collection_path in p.parents for p in named)
        return None if asked and any(p != state.root / "tests" for p in named) else True
    return None


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    state = _state(config)
    owners = state.curriculum.by_test_file()
    orphans: set[str] = set()
    for item in items:
        rel = _relative(item.path, state.root)
        if rel is None:
            continue
        exercise = owners.get(rel)
        if exercise is not None:
            for marker in exercise.markers:
                item.add_marker(marker)
            state.item_info[item.nodeid] = (exercise.slug, item.get_closest_marker(GUARD_MARKER) is not None)
        elif rel.startswith(KIT_TESTS + "/"):
            item.add_marker(KIT_MARKER)
            state.item_info[item.nodeid] = (None, False)
        elif rel.startswith("tests/"):
            orphans.add(rel)
    collected = list(
        dict.fromkeys(exercise for item in items if (exercise := owners.get(_relative(item.path, state.root) or "")))
    )
    for kind in kinds.kinds_in(collected):
        try:
            kind.prepare_check(state.root, kind.members(collected), state.target)
        except DojoError as error:  # one line (PostgreSQL is down), not a ConnectionRefusedError's frames in every test
            pytest.exit(str(error), returncode=pytest.ExitCode.USAGE_ERROR)
    if orphans:
        raise pytest.UsageError(
            "these test files belong to no exercise in curriculum.toml (add them to an exercise's `tests`): "
            + ", ".join(sorted(orphans))
        )


HYPOTHESIS_PLUGIN = "hypothesispytest"


def pytest_collection_finish(session: pytest.Session) -> None:
    """No collected module imported Hypothesis: retire its pytest plugin before the run.

    Each of its hooks waits for ``import hypothesis`` except its terminal summary, which imports the
    library (a quarter of a second of CPU) to ask whether anything wrote observations. A run of
    katas without property tests has nothing for it to report, so it need not pay for that import."""
    manager = session.config.pluginmanager
    if "hypothesis" not in sys.modules and manager.has_plugin(HYPOTHESIS_PLUGIN):
        plugin = manager.get_plugin(HYPOTHESIS_PLUGIN)
        if plugin is not None:
            manager.unregister(plugin)


def _learner_frame(excinfo: pytest.ExceptionInfo[BaseException], state: DojoState) -> tuple[str, int] | None:
    """The innermost traceback entry inside the exercise tree, as (relative path, line)."""
    found: tuple[str, int] | None = None
    for entry in excinfo.traceback:
        path = Path(str(entry.path))
        rel = _relative(path, state.tree)
        if rel is not None and rel.split("/", 1)[0] in LEARNER_PACKAGES:
            found = (rel, entry.lineno + 1)
    return found


# What SQLite and PostgreSQL say when a query names a table or column the schema lacks. A missing
# migration is the usual cause in the capstone, and the driver's 100-frame traceback hides it.
_MISSING_SCHEMA = re.compile(
    r"no such (?P<kind>table|column): (?P<name>[\w.]+)|(?P<pgkind>relation|column) \"(?P<pgname>[\w.]+)\" does not exist"
)


def _missing_schema(error: BaseException) -> str | None:
    """``table hotels`` when ``error`` (or an error it was raised from) says the schema lacks it."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        match = _MISSING_SCHEMA.search(str(current).splitlines()[0] if str(current) else "")
        if match:
            kind = "table" if match["pgkind"] == "relation" else (match["kind"] or match["pgkind"])
            return f"{kind} {match['name'] or match['pgname']}"
        current = current.__cause__ or current.__context__
    return None


# What SQLite and PostgreSQL say when an INSERT leaves a NOT NULL column empty. The app turns it into a
# 500 whose body says nothing (as it should); the log the test captured says which column.
_NOT_NULL = re.compile(
    r"NOT NULL constraint failed: (?P<table>\w+)\.(?P<column>\w+)"
    r"|null value in column \"(?P<pgcolumn>\w+)\" of relation \"(?P<pgtable>\w+)\" violates not-null constraint"
)

# The modern spelling of calls that warn under this kit's `filterwarnings = error`, beside what the
# warning itself says.
_MODERN_CALLS: dict[str, str] = {
    "Result.tuples": "iterate the Result (or .all()) directly: a Row is a tuple already",
    "utcnow": "datetime.now(UTC)",
    "get_event_loop": "asyncio.get_running_loop()",
    "declarative_base": "class Base(DeclarativeBase): ...",
    "Query.get": "session.get(Model, id)",
    "parse_obj": "Model.model_validate(data)",
    "`dict`": "model.model_dump()",
    "`json`": "model.model_dump_json()",
    "on_event": "a lifespan context manager: FastAPI(lifespan=...)",
}


def _not_null(report: pytest.TestReport) -> str | None:
    """``deals.created_at`` when the test's captured output shows the database refusing a row without it."""
    for _, text in report.sections:
        match = _NOT_NULL.search(text)
        if match:
            return f"{match['table'] or match['pgtable']}.{match['column'] or match['pgcolumn']}"
    return None


_LOGGED_DEPRECATION = re.compile(r"^(?:\w+\.)*(?P<kind>\w*DeprecationWarning): (?P<message>.+)$", re.MULTILINE)
_LOGGED_FRAME = re.compile(r'File "(?P<path>[^"]+)", line (?P<line>\d+)')


def _describe_deprecation(where: tuple[str, int], kind: str, message: str) -> str:
    message = " ".join(message.split())
    modern = next((call for name, call in _MODERN_CALLS.items() if name in message), None)
    advice = f"the modern call: {modern}" if modern else "use the call the warning names"
    return (
        f"deprecated call in your code at {where[0]}:{where[1]}: {kind}: {message}"
        f" · {advice} (the kit treats warnings as errors)"
    )


def _deprecation(
    excinfo: pytest.ExceptionInfo[BaseException], report: pytest.TestReport, state: DojoState
) -> str | None:
    """One line for a DeprecationWarning (an error here) that the learner's code triggered: raised into
    the test (a loader call), or caught by the app and logged with the 500 it answered."""
    if excinfo.errisinstance(DeprecationWarning):
        where = _learner_frame(excinfo, state)
        return None if where is None else _describe_deprecation(where, type(excinfo.value).__name__, str(excinfo.value))
    for _, text in report.sections:
        match = _LOGGED_DEPRECATION.search(text)
        if match is None:
            continue
        found: tuple[str, int] | None = None
        for frame in _LOGGED_FRAME.finditer(text, 0, match.start()):
            rel = _relative(Path(frame["path"]), state.tree)
            if rel is not None and rel.split("/", 1)[0] in LEARNER_PACKAGES:
                found = (rel, int(frame["line"]))
        if found is not None:
            return _describe_deprecation(found, match["kind"], match["message"])
    return None


def _learner_first(config: pytest.Config) -> bool:
    """Learner runs get :func:`learner_failure` reports; ``--tb=long`` (or line/no/native) asks for pytest's own."""
    return _state(config).target == "learner" and config.getoption("tbstyle") in ("auto", "short")


def _exercise_of(item: pytest.Item, state: DojoState) -> Exercise | None:
    slug, _ = state.item_info.get(item.nodeid, (None, False))
    return state.curriculum.get(slug) if slug else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, None, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()  # type: ignore[attr-defined]
    excinfo = call.excinfo
    if excinfo is None or not report.failed:
        return
    if (
        report.when != "call"
        and item.config.getoption("dojo_mutant_run")
        and not item.get_closest_marker(FIXTURE_CHECK_MARKER)
    ):
        _not_a_catch(report, item)
        return
    if not excinfo.errisinstance(NotImplementedError):
        state = _state(item.config)
        exercise = _exercise_of(item, state)
        hint = (f"stuck? {dojo_command()} hint {exercise.slug}",) if exercise else ()
        missing = _missing_schema(excinfo.value)
        deprecated = _deprecation(excinfo, report, state)
        not_null = _not_null(report) if exercise is not None and kinds.of(exercise).databases else None
        if missing is not None:
            report.longrepr = fitted(f"the database has no {missing}", "does one of your migrations create it?", *hint)
        elif deprecated is not None:
            report.longrepr = deprecated
        elif not_null is not None:
            report.longrepr = (
                f"{item.nodeid}: the database refused a row without {not_null} (NOT NULL), so the app answered"
                f" 500 · give the column a server default (server_default=func.now() for a timestamp) or set it"
                f" before the INSERT{''.join(f' · {piece}' for piece in hint)}"
            )
        elif _learner_first(item.config):
            report.longrepr = learner_failure(excinfo, state.root, state.tree, exercise.slug if exercise else None)
        return
    state = _state(item.config)
    where = _learner_frame(excinfo, state)
    if where is None:
        return
    exercise = _exercise_of(item, state)
    detail = str(excinfo.value).strip()
    what = f" ({detail})" if detail else ""
    hint = (f"stuck? {dojo_command()} hint {exercise.slug}",) if exercise else ()
    # Folded to 80 columns as learner_failure's reports are, no command cut in two.
    report.longrepr = fitted(f"not implemented yet: {where[0]}:{where[1]}{what}", "open it and replace the TODO", *hint)


def _not_a_catch(report: pytest.TestReport, item: pytest.Item) -> None:
    """A fixture failed in a mutant run, in a test that does not check fixtures on purpose: the
    mutant was not caught by this test. Setup failed: the test did not run (skipped); teardown failed:
    the test's own verdict stands. Either way the failure is noted for the reader of the run."""
    first = str(report.longrepr).strip().splitlines()[-1:] or [""]
    note = f"{report.when} failed ({first[0][:160]}); not a catch: mark the test {FIXTURE_CHECK_MARKER} if deliberate"
    if report.when == "setup":
        report.outcome = "skipped"
        report.longrepr = (str(item.path), item.location[1] or 0, note)
    else:
        report.outcome = "passed"
        report.longrepr = None
    report.sections.append(("dojo", note))
    _state(item.config).uncounted[item.nodeid] = note


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> Generator[None, None, None]:
    """One line per exercise that ran, on the learner's target (passed, failing, or not started),
    after pytest's own summary so that it is what the learner reads last."""
    yield
    from dojo.workspace import is_untouched

    state = _state(config)
    if state.target != "learner":
        return
    ran: dict[str, list[str]] = {}
    for nodeid, outcome in state.outcomes.items():
        slug, _guard = state.item_info.get(nodeid, (None, False))
        if slug is not None:
            ran.setdefault(slug, []).append(outcome)
    if not ran:
        return
    terminalreporter.write_sep("-", "your exercises")
    width = max(len(slug) for slug in ran)
    for exercise in state.curriculum:
        outcomes = ran.get(exercise.slug)
        if outcomes is None:
            continue
        passing = outcomes.count("passed")
        if passing == len(outcomes) and exercise.slug not in state.collection_errors:
            terminalreporter.write_line(f"✔ {exercise.slug:<{width}}  passed", green=True)
        elif is_untouched(state.root, exercise):
            terminalreporter.write_line(f"· {exercise.slug:<{width}}  not started ({exercise.path})")
        else:
            line = f"✗ {exercise.slug:<{width}}  failing: {passing} of {len(outcomes)} tests pass"
            terminalreporter.write_line(line, yellow=True)


class OutcomeRecorder:
    """Records each test's worst outcome over its phases and writes them out for ``dojo verify``."""

    def __init__(self, state: DojoState) -> None:
        self.state = state

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.state.collection_errors.append(report.nodeid or "<session>")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # An error in setup or teardown fails the test as surely as a failed assertion.
        outcomes = self.state.outcomes
        if report.failed:
            outcomes[report.nodeid] = "failed" if report.when == "call" else "error"
            if self.state.target == "learner":
                self.state.messages.setdefault(report.nodeid, report.longreprtext[:MESSAGE_LIMIT])
        elif report.skipped and report.nodeid not in outcomes:
            outcomes[report.nodeid] = "skipped"
        elif report.passed and report.when == "call" and report.nodeid not in outcomes:
            outcomes[report.nodeid] = "passed"

    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        state = self.state
        if state.report_path is None:
            return
        tests = []
        for nodeid, outcome in state.outcomes.items():
            slug, guard = state.item_info.get(nodeid, (None, False))
            entry: dict[str, object] = {"nodeid": nodeid, "slug": slug, "guard": guard, "outcome": outcome}
            if nodeid in state.messages:
                entry["message"] = state.messages[nodeid]
            tests.append(entry)
        payload = {
            "target": state.target,
            "exitstatus": int(exitstatus),
            "collection_errors": state.collection_errors,
            "tests": tests,
            "uncounted_fixture_failures": state.uncounted,
        }
        state.report_path.write_text(json.dumps(payload, indent=1), encoding="utf-8")
