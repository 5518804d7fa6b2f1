"""The techniques a test-writing kata asks for, checked by reading the learner's test file (its AST).

Each check returns None when the file uses the technique as asked, or one line that says what is
missing and how to write it (with a line number when there is one to point at). A kata's spec lists
its checks as ``[[technique]]`` tables: ``check = "injects"``, plus the check's options.

- ``parametrize_ids``: at least one ``@pytest.mark.parametrize``, and every one names its cases
  (``ids=[...]``, or ``pytest.param(..., id="...")`` for every case).
- ``injects``: some call of ``call`` passes the keyword ``keyword`` (a fake clock, a fake sleep).
- ``never_sleeps``: no ``time.sleep``, no ``asyncio.sleep`` (but ``asyncio.sleep(0)``), no ``anyio``/``trio`` sleep.
- ``hypothesis_property``: a test decorated with Hypothesis's ``@given(...)`` that asserts (``assert``,
  ``pytest.raises``, or a helper of the file that does).
- ``yield_fixture``: a ``@pytest.fixture`` that yields and cleans up after the yield (code after it,
  or the yield inside a ``with``/``async with``/``try: ... finally:``).
- ``dependency_override``: ``app.dependency_overrides[...] = ...``, undone again (``.clear()``,
  ``.pop(...)`` or ``del``).
- ``real_sqlite``: ``create_async_engine`` with a SQLite URL, and no ``unittest.mock``.

Every kata, whatever its spec, also holds the file to :func:`reads_source`: tests call the code, they
do not read how it is written (its source, its file, its bytecode). The grader's equivalent copy
(``dojo.test_writing.equivalent``) catches the rest of that class by running them.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Technique:
    name: str  # what the grading test asks for (the check's name unless the spec gives another)
    check: str
    options: Mapping[str, str] = field(default_factory=dict)


def _dotted(node: ast.AST) -> str:
    """``pytest.mark.parametrize`` for that attribute chain; '' for anything that is not a plain name chain."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


def _keyword(call: ast.Call, name: str) -> ast.keyword | None:
    return next((kw for kw in call.keywords if kw.arg == name), None)


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef))


def _decorator_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    return [_dotted(d.func if isinstance(d, ast.Call) else d) for d in function.decorator_list]


def _imported_names(tree: ast.AST) -> dict[str, str]:
    """Local name to what it was imported as: ``{"sleep": "time.sleep", "mark": "pytest.mark"}``."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0]
                )
    return names


def _resolved(node: ast.AST, imports: Mapping[str, str]) -> str:
    """The dotted name with its first part replaced by what it was imported as."""
    dotted = _dotted(node)
    head, _, rest = dotted.partition(".")
    full = imports.get(head, head)
    return f"{full}.{rest}" if rest else full


def parametrize_ids(tree: ast.Module, _options: Mapping[str, str]) -> str | None:
    imports = _imported_names(tree)
    found = [
        call
        for call in _calls(tree)
        if _resolved(call.func, imports).endswith("mark.parametrize") or _resolved(call.func, imports) == "parametrize"
    ]
    if not found:
        return (
            "no @pytest.mark.parametrize yet: put your cases in a table, one row each, and give every row a name"
            ' (ids=[...] or pytest.param(..., id="..."))'
        )
    for call in found:
        if _keyword(call, "ids") is not None:
            continue
        values = call.args[1] if len(call.args) > 1 else getattr(_keyword(call, "argvalues"), "value", None)
        rows = values.elts if isinstance(values, ast.List | ast.Tuple) else []
        if rows and all(
            isinstance(row, ast.Call) and _resolved(row.func, imports).endswith("param") and _keyword(row, "id")
            for row in rows
        ):
            continue
        return (
            f"the parametrize at line {call.lineno} does not name its cases: add ids=[...] or write each case as"
            ' pytest.param(..., id="..."), so a failure says which case broke'
        )
    return None


def injects(tree: ast.Module, options: Mapping[str, str]) -> str | None:
    callee, keyword, what = options["call"], options["keyword"], options.get("what", options["keyword"])
    calls = [call for call in _calls(tree) if _dotted(call.func).rsplit(".", 1)[-1] == callee]
    if any(_keyword(call, keyword) is not None for call in calls):
        return None
    return f"no {callee}(..., {keyword}=...) in your tests: pass it a fake {what} that the test controls"


_REAL_SLEEPS = ("time.sleep", "asyncio.sleep", "anyio.sleep", "trio.sleep")


def never_sleeps(tree: ast.Module, _options: Mapping[str, str]) -> str | None:
    imports = _imported_names(tree)
    for call in _calls(tree):
        name = _resolved(call.func, imports)
        if name not in _REAL_SLEEPS:
            continue
        zero = len(call.args) == 1 and isinstance(call.args[0], ast.Constant) and call.args[0].value == 0
        if name != "time.sleep" and zero:
            continue  # asyncio.sleep(0) only yields to the event loop
        return (
            f"line {call.lineno} sleeps for real ({name}): move a fake clock forward instead, so the test takes no time"
        )
    return None


def hypothesis_property(tree: ast.Module, _options: Mapping[str, str]) -> str | None:
    imports = _imported_names(tree)
    for function in _functions(tree):
        for decorator in function.decorator_list:
            target = decorator.func if isinstance(decorator, ast.Call) else decorator
            if _resolved(target, imports) == "hypothesis.given":
                if _asserts(function, tree):
                    return None
                return (
                    f"the property {function.name} (line {function.lineno}) asserts nothing: a @given test must"
                    " state its rule with assert (or pytest.raises), or it passes whatever the code does"
                )
    return (
        "no Hypothesis property yet: write a test decorated with @given(...) (from hypothesis import given,"
        " strategies as st) that states a rule for every input it draws"
    )


def _asserts(function: ast.FunctionDef | ast.AsyncFunctionDef, tree: ast.Module) -> bool:
    """Whether ``function`` asserts, itself or through a helper of the file it calls (one level deep)."""
    helpers = {f.name: f for f in _functions(tree)}

    def direct(node: ast.AST) -> bool:
        return any(
            isinstance(n, ast.Assert) or (isinstance(n, ast.Call) and _dotted(n.func).endswith("raises"))
            for n in ast.walk(node)
        )

    if direct(function):
        return True
    called = {_dotted(n.func) for n in ast.walk(function) if isinstance(n, ast.Call)}
    return any(direct(helpers[name]) for name in called if name in helpers and helpers[name] is not function)


_FIXTURES = ("pytest.fixture", "pytest_asyncio.fixture")


def _cleans_up_after_yield(body: list[ast.stmt], inside_cleanup: bool = False) -> bool:
    for index, statement in enumerate(body):
        yields = any(isinstance(node, ast.Yield) for node in ast.walk(statement))
        if not yields:
            continue
        if isinstance(statement, ast.Expr | ast.Assign | ast.AnnAssign):
            return inside_cleanup or index < len(body) - 1
        if isinstance(statement, ast.With | ast.AsyncWith):
            return _cleans_up_after_yield(statement.body, True) or index < len(body) - 1
        if isinstance(statement, ast.Try):
            cleanup = bool(statement.finalbody) or inside_cleanup
            return _cleans_up_after_yield(statement.body, cleanup) or index < len(body) - 1
        nested = [child for child in ast.iter_child_nodes(statement) if isinstance(child, ast.stmt)]
        return _cleans_up_after_yield(nested, inside_cleanup) or index < len(body) - 1
    return False


def yield_fixture(tree: ast.Module, _options: Mapping[str, str]) -> str | None:
    imports = _imported_names(tree)
    fixtures = [f for f in _functions(tree) if any(_resolved_name(d, imports) in _FIXTURES for d in f.decorator_list)]
    yielding = [f for f in fixtures if any(isinstance(node, ast.Yield) for node in ast.walk(f))]
    if not yielding:
        return (
            "no fixture that yields: write a @pytest.fixture that sets the database up, yields it (or the client),"
            " and cleans up after the yield"
        )
    if any(_cleans_up_after_yield(f.body) for f in yielding):
        return None
    first = yielding[0]
    return (
        f"fixture '{first.name}' (line {first.lineno}) yields but cleans nothing up: after the yield, dispose of the"
        " engine and clear app.dependency_overrides"
    )


def _resolved_name(decorator: ast.expr, imports: Mapping[str, str]) -> str:
    return _resolved(decorator.func if isinstance(decorator, ast.Call) else decorator, imports)


def dependency_override(tree: ast.Module, _options: Mapping[str, str]) -> str | None:
    def overrides(node: ast.AST) -> bool:
        return isinstance(node, ast.Subscript) and _dotted(node.value).endswith("dependency_overrides")

    assigned = any(
        isinstance(node, ast.Assign) and any(overrides(target) for target in node.targets) for node in ast.walk(tree)
    )
    if not assigned:
        return (
            "no app.dependency_overrides[get_session] = ...: replace the app's session dependency with one that"
            " yields a session on your test database"
        )
    undone = any(
        _dotted(call.func).endswith(("dependency_overrides.clear", "dependency_overrides.pop")) for call in _calls(tree)
    ) or any(isinstance(node, ast.Delete) and any(overrides(t) for t in node.targets) for node in ast.walk(tree))
    if undone:
        return None
    return (
        "the dependency override is never undone: clear app.dependency_overrides after the yield, or it leaks into"
        " every later test that uses the app"
    )


def real_sqlite(tree: ast.Module, _options: Mapping[str, str]) -> str | None:
    imports = _imported_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            if any(module == "unittest.mock" or module.startswith("unittest.mock.") for module in modules) or (
                isinstance(node, ast.ImportFrom)
                and node.module == "unittest"
                and any(a.name == "mock" for a in node.names)
            ):
                return (
                    f"line {node.lineno} imports unittest.mock: use a real SQLite session instead of a mock; a mock"
                    " answers whatever it is asked and cannot notice a missing commit"
                )
    engines = [call for call in _calls(tree) if _resolved(call.func, imports).endswith("create_async_engine")]
    texts = [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    if engines and any("sqlite" in text for text in texts):
        return None
    return (
        'no real SQLite database: create_async_engine("sqlite+aiosqlite://", ...) (with StaticPool, or a file in'
        " tmp_path), create the tables, and give each request its own session from it"
    )


# What reads a module's text, file or compiled code instead of calling it. Reading files is never part of
# these katas' behaviour, so any of these in the test file is a test of how the code is written.
_SOURCE_CALLS = {
    "inspect.getsource": "inspect.getsource",
    "inspect.getsourcelines": "inspect.getsourcelines",
    "inspect.getsourcefile": "inspect.getsourcefile",
    "inspect.getfile": "inspect.getfile",
    "inspect.findsource": "inspect.findsource",
    "inspect.getcomments": "inspect.getcomments",
    "linecache.getline": "linecache",
    "linecache.getlines": "linecache",
    "dis.dis": "dis",
    "dis.get_instructions": "dis",
    "dis.Bytecode": "dis",
    "importlib.util.find_spec": "importlib.util.find_spec",
    "importlib.resources.files": "importlib.resources",
    "open": "open()",
    "io.open": "open()",
}
_SOURCE_METHODS = {"read_text", "read_bytes", "get_source", "get_data"}
_SOURCE_ATTRIBUTES = {"__file__", "__code__", "__loader__", "__spec__", "__cached__", "co_code", "func_code"}


def reads_source(tree: ast.Module) -> str | None:
    """None unless the file reads source, files or bytecode (the first such line is named)."""
    imports = _imported_names(tree)
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _resolved(node.func, imports)
            if name in _SOURCE_CALLS:
                found.append((node.lineno, _SOURCE_CALLS[name]))
            elif isinstance(node.func, ast.Attribute) and node.func.attr in _SOURCE_METHODS:
                found.append((node.lineno, f".{node.func.attr}()"))
        elif isinstance(node, ast.Attribute) and node.attr in _SOURCE_ATTRIBUTES:
            found.append((node.lineno, node.attr))
    if not found:
        return None
    line, what = min(found)
    return (
        f"line {line} reads how the code is written ({what}) instead of calling it: test what the code does,"
        " never its source text, its file or its bytecode"
    )


Check = Callable[[ast.Module, Mapping[str, str]], str | None]
CHECKS: dict[str, Check] = {
    "parametrize_ids": parametrize_ids,
    "injects": injects,
    "never_sleeps": never_sleeps,
    "hypothesis_property": hypothesis_property,
    "yield_fixture": yield_fixture,
    "dependency_override": dependency_override,
    "real_sqlite": real_sqlite,
}


def run_check(technique: Technique, source: str) -> str | None:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return f"Python cannot read your test file (line {error.lineno}: {error.msg})"
    return CHECKS[technique.check](tree, technique.options)
