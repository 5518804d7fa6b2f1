"""Concept koans: short claims about Python and FastAPI that the learner completes by filling blanks.

A koan topic is one file, ``katas/koans/<topic>.py``. Each claim is a ``test_...`` function with a
one-line docstring (the claim) whose body runs real code and asserts what it does. The stub
(``pristine/``) leaves holes of two shapes:

- ``__``, a *value* blank: the learner writes the value they predict, a literal (``3``, ``'a'``,
  ``[1, 2]``, ``None``) or a name the module imports or Python builds in (``KeyError``,
  ``asyncio.CancelledError``), never an expression of the claim's own variables (that would assert
  ``x == x``);
- ``__()`` on a line of its own, a *missing line*: the learner writes one simple statement
  (``gc.collect()``, ``del a``), not a ``return``, ``raise`` or ``pass`` that would skip the asserts.

An unfilled blank fails loudly (:class:`KoanBlank`). The kit's test file for the topic
(``tests/koans/test_<topic>.py``) runs every claim of the stub, in order, against whichever tree the
target switch selects, and first compares the learner's file with the stub, holes aside: a deleted
assert or an edited setup line is reported as "changed outside its blanks", never counted as solved.

``dojo verify`` adds (:func:`verify_problems`): the reference fills every hole validly, each claim has a
talking point (``talking_points`` in curriculum.toml, one per claim, in order) and a hand-written wrong
fill in ``tests/mutants/<slug>.toml``, each mutant is a wrong *fill* (it keeps the file within its
blanks), and every single blank is load-bearing: the reference with that one blank left empty fails.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import inspect
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from dojo.curriculum import Curriculum, Exercise
    from dojo.problems import Problem
    from dojo.runner import RunResult

BLANK = "__"
KOANS_DIR = "katas/koans"


class KoanBlank(AssertionError):
    """A blank (``__``) is still in the koan: this claim waits for the learner's answer."""


def _unfilled(*_args: object, **_kwargs: object) -> NoReturn:
    raise KoanBlank("a blank `__` is still empty: replace it with the value you predict (then run the check again)")


class _Blank:
    """The ``__`` sentinel: equal to nothing, and any use of it says which line still has a blank."""

    def __repr__(self) -> str:
        return "__ (a blank to fill in)"

    def __call__(self, *_args: object, **_kwargs: object) -> NoReturn:
        raise KoanBlank("a line is missing here (`__()`): write the one statement this claim needs")

    __eq__ = __ne__ = __lt__ = __le__ = __gt__ = __ge__ = _unfilled
    __bool__ = __hash__ = __iter__ = __len__ = __contains__ = __getitem__ = _unfilled
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __int__ = __index__ = _unfilled
    __float__ = __enter__ = __exit__ = __await__ = __aenter__ = __aexit__ = _unfilled

    def __getattr__(self, name: str) -> NoReturn:
        if name.startswith("__"):  # a protocol probe (hasattr, copy, pickle): a plain "no such attribute"
            raise AttributeError(name)
        _unfilled()


__ = _Blank()


# ---- reading a koan file: its claims and its holes ----


@dataclass(frozen=True)
class Claim:
    name: str  # the function's name, test_...
    claim: str  # the first line of its docstring
    line: int
    end_line: int

    @property
    def id(self) -> str:
        return self.name.removeprefix("test_")


def _is_claim(node: ast.stmt) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_")


def _is_blank_import(node: ast.stmt) -> bool:
    return isinstance(node, ast.ImportFrom) and node.module == __name__ and [a.name for a in node.names] == [BLANK]


def claims_of(source: str) -> list[Claim]:
    """The claims of a koan file, in order."""
    found: list[Claim] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_claim(node):
            doc = (ast.get_docstring(node) or "").strip().splitlines()
            found.append(Claim(node.name, doc[0] if doc else "", node.lineno, node.end_lineno or node.lineno))
    return found


def _is_value_hole(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == BLANK


def _is_line_hole(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and _is_value_hole(node.value.func)
        and not node.value.args
        and not node.value.keywords
    )


def holes_in(node: ast.AST) -> int:
    return sum(1 for n in ast.walk(node) if _is_value_hole(n))


_SIMPLE_STATEMENTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Delete, ast.Import, ast.ImportFrom)
_IGNORED_FIELDS = {"ctx", "type_comment", "lineno", "col_offset", "end_lineno", "end_col_offset", "kind"}


@dataclass(frozen=True)
class Fill:
    """One hole of the stub and what fills it in another version of the file (the source span)."""

    line_hole: bool
    line: int
    col: int
    end_line: int
    end_col: int
    claim: str


class Mismatch(Exception):
    def __init__(self, line: int, what: str) -> None:
        super().__init__(what)
        self.line = line
        self.what = what


def _bound_names(function: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node is not function:
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def _value_fill_problem(node: ast.expr, local: set[str]) -> str | None:
    """Why ``node`` cannot fill a value blank, or None when it can."""
    if isinstance(node, ast.Constant) or _is_value_hole(node):
        return None
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub | ast.UAdd)
        and isinstance(node.operand, ast.Constant)
    ):
        return None
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return next((p for e in node.elts if (p := _value_fill_problem(e, local))), None)
    if isinstance(node, ast.Dict):
        parts = [k for k in node.keys if k is not None] + list(node.values)
        if len(parts) != 2 * len(node.values):
            return "a blank takes a literal dict, without ** unpacking"
        return next((p for e in parts if (p := _value_fill_problem(e, local))), None)
    root = node
    while isinstance(root, ast.Attribute):
        root = root.value
    if isinstance(root, ast.Name):
        if root.id in local:
            return (
                f"`{root.id}` is the claim's own variable: a blank takes the value you predict"
                " (a literal such as 3, 'text' or [1, 2], or a name such as KeyError), not the expression under test"
            )
        return None
    return (
        "a blank takes the value you predict: a literal (3, 'text', [1, 2], None) or a name (KeyError),"
        " not code; a line that says `__()` is where a statement goes"
    )


def _line_fill_problem(node: ast.stmt) -> str | None:
    if _is_line_hole(node):
        return None
    if not isinstance(node, _SIMPLE_STATEMENTS) or (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    ):
        return (
            f"the missing line takes one simple statement (a call, an assignment, del, an import), not a"
            f" `{type(node).__name__.lower()}` statement"
        )
    return None


class _Matcher:
    """Walks the stub and another version of the file side by side; holes match their fills."""

    def __init__(self) -> None:
        self.fills: list[Fill] = []
        self.claim = ""
        self.local: set[str] = set()

    def statements(self, stub: Sequence[ast.stmt], other: Sequence[ast.stmt], line: int) -> None:
        if len(stub) != len(other):
            self._added_or_removed(stub, other, line)
        for a, b in zip(stub, other, strict=False):
            if _is_line_hole(a):
                problem = _line_fill_problem(b)
                if problem:
                    raise Mismatch(b.lineno, problem)
                if not _is_line_hole(b):
                    self._record(b, line_hole=True)
            else:
                self.node(a, b)
            line = b.end_lineno or b.lineno
        if len(other) > len(stub):
            raise Mismatch(other[len(stub)].lineno, "a line was added here (the stub has none)")
        if len(stub) > len(other):
            missing = ast.unparse(stub[len(other)]).splitlines()[0]
            raise Mismatch(line, f"a line of the stub is gone after this one: `{missing}`")

    def _added_or_removed(self, stub: Sequence[ast.stmt], other: Sequence[ast.stmt], line: int) -> None:
        """Name the first statement that was deleted (or added), rather than the first pair that differs."""
        for a, b in zip(stub, other, strict=False):
            trial = _Matcher()
            trial.local = self.local
            try:
                if _is_line_hole(a):
                    if _line_fill_problem(b):
                        raise Mismatch(b.lineno, "")
                else:
                    trial.node(a, b)
            except Mismatch:
                if len(other) < len(stub):
                    gone = ast.unparse(a).splitlines()[0]
                    raise Mismatch(b.lineno, f"a line of the stub is gone before this one: `{gone}`") from None
                raise Mismatch(b.lineno, f"a line was added here: `{ast.unparse(b).splitlines()[0]}`") from None
            line = b.end_lineno or b.lineno
        if len(other) < len(stub):
            gone = ast.unparse(stub[len(other)]).splitlines()[0]
            raise Mismatch(line, f"a line of the stub is gone after this one: `{gone}`")
        raise Mismatch(
            other[len(stub)].lineno, f"a line was added here: `{ast.unparse(other[len(stub)]).splitlines()[0]}`"
        )

    def _record(self, node: ast.AST, line_hole: bool) -> None:
        self.fills.append(
            Fill(
                line_hole=line_hole,
                line=getattr(node, "lineno", 0),
                col=getattr(node, "col_offset", 0),
                end_line=getattr(node, "end_lineno", 0) or 0,
                end_col=getattr(node, "end_col_offset", 0) or 0,
                claim=self.claim,
            )
        )

    def node(self, a: ast.AST, b: ast.AST) -> None:
        if _is_value_hole(a):
            assert isinstance(b, ast.expr)
            problem = _value_fill_problem(b, self.local)
            if problem:
                raise Mismatch(getattr(b, "lineno", 0), problem)
            if not _is_value_hole(b):
                self._record(b, line_hole=False)
            return
        line = getattr(b, "lineno", 0) or getattr(a, "lineno", 0)
        if type(a) is not type(b):
            raise Mismatch(line, f"the stub has `{_short(a)}` here, the file has `{_short(b)}`")
        for name, value in ast.iter_fields(a):
            if name in _IGNORED_FIELDS:
                continue
            other = getattr(b, name, None)
            if isinstance(value, list):
                if not isinstance(other, list):
                    raise Mismatch(line, f"`{_short(b)}` differs from the stub's `{_short(a)}`")
                if (value and isinstance(value[0], ast.stmt)) or (other and isinstance(other[0], ast.stmt)):
                    self.statements(value, other, line)
                    continue
                if len(value) != len(other):
                    raise Mismatch(line, f"the stub has `{_short(a)}` here, the file has `{_short(b)}`")
                for x, y in zip(value, other, strict=True):
                    if isinstance(x, ast.AST) and isinstance(y, ast.AST):
                        self.node(x, y)
                    elif x != y:
                        raise Mismatch(line, f"the stub has `{_short(a)}` here, the file has `{_short(b)}`")
            elif isinstance(value, ast.AST):
                if not isinstance(other, ast.AST):
                    raise Mismatch(line, f"the stub has `{_short(a)}` here, the file has `{_short(b)}`")
                self.node(value, other)
            elif value != other:
                raise Mismatch(line, f"the stub has `{_short(a)}` here, the file has `{_short(b)}`")


def _short(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except Exception:  # an odd fragment (an operator, a keyword): its name is enough
        text = type(node).__name__
    first = text.splitlines()[0] if text else type(node).__name__
    return first if len(first) <= 60 else first[:57] + "..."


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _parse_without_docstrings(source: str) -> ast.Module:
    """The module's tree with its docstrings left out: notes in a docstring change nothing."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and len(node.body) > 1
            and _is_docstring(node.body[0])
        ):
            node.body = node.body[1:]
    return tree


def _parts(tree: ast.Module) -> tuple[list[ast.stmt], dict[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """The module's own statements (the ``__`` import left out) and its claims by name."""
    rest: list[ast.stmt] = []
    claims: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_claim(node):
            claims[node.name] = node
        elif not _is_blank_import(node):
            rest.append(node)
    return rest, claims


@dataclass(frozen=True)
class Comparison:
    fills: tuple[Fill, ...]
    problem: str | None  # "line N: what" when the file changed outside its blanks
    problem_claim: str | None = None  # the claim it is in, None for module-level code


def compare(stub_source: str, other_source: str, only: str | None = None) -> Comparison:
    """Does ``other_source`` equal the stub except where a hole was filled (validly)? With ``only``,
    just that claim and the module-level code are compared."""
    try:
        other_tree = _parse_without_docstrings(other_source)
    except SyntaxError as error:
        return Comparison((), f"line {error.lineno}: Python cannot read it: {error.msg}")
    stub_rest, stub_claims = _parts(_parse_without_docstrings(stub_source))
    other_rest, other_claims = _parts(other_tree)
    matcher = _Matcher()
    try:
        matcher.statements(stub_rest, other_rest, 1)
    except Mismatch as error:
        return Comparison(tuple(matcher.fills), f"line {error.line}: {error.what}")
    extra = [name for name in other_claims if name not in stub_claims]
    if extra:
        where = other_claims[extra[0]].lineno
        return Comparison(tuple(matcher.fills), f"line {where}: `{extra[0]}` is not one of the koan's claims")
    for name, stub in stub_claims.items():
        if only is not None and name != only:
            continue
        mine = other_claims.get(name)
        if mine is None:
            return Comparison(tuple(matcher.fills), f"the claim `{name}` is gone from the file", name)
        matcher.claim = name
        matcher.local = _bound_names(stub)
        try:
            matcher.node(stub, mine)
        except Mismatch as error:
            return Comparison(tuple(matcher.fills), f"line {error.line}: {error.what}", name)
    return Comparison(tuple(matcher.fills), None)


# ---- the exercise's tests: one per claim ----


@dataclass(frozen=True)
class Koan:
    """What a topic's test file needs: the stub's claims, and a way to check one against the target."""

    root: Path
    path: str  # katas/koans/<topic>.py

    @classmethod
    def of(cls, test_file: str, path: str) -> Koan:
        """The koan at ``path``, for the test file at ``test_file`` (tests/koans/test_<topic>.py)."""
        koan = cls(Path(test_file).resolve().parents[2], path)
        import pytest

        # A failed claim should read like a failed test: `assert 3 == 2`, with the values, not a bare
        # AssertionError. pytest rewrites asserts in the modules it is told about before they are imported.
        if koan.module not in sys.modules:  # (once imported, it is too late: pytest would warn instead)
            pytest.register_assert_rewrite(koan.module)
        return koan

    @property
    def module(self) -> str:
        return self.path.removesuffix(".py").replace("/", ".")

    @property
    def stub_source(self) -> str:
        return (self.root / "pristine" / self.path).read_text(encoding="utf-8")

    @property
    def claims(self) -> list[str]:
        return [claim.name for claim in claims_of(self.stub_source)]

    @property
    def ids(self) -> list[str]:
        return [claim.id for claim in claims_of(self.stub_source)]

    def check(self, name: str) -> None:
        """Run one claim of the target's file, after making sure the file changed only in its blanks."""
        module = importlib.import_module(self.module)
        file = Path(module.__file__ or "")
        shown = self.path
        comparison = compare(self.stub_source, file.read_text(encoding="utf-8"), only=name)
        if comparison.problem is not None:
            from dojo.paths import dojo_command

            slug = "koan_" + Path(self.path).stem
            raise AssertionError(
                f"{shown} changed outside its blanks ({comparison.problem}), so this claim does not count. "
                f"Change only the `__` blanks; `{dojo_command()} solution {slug} --peek` shows the difference, "
                f"`{dojo_command()} reset {slug}` restores the stub after backing your file up."
            )
        claim = next(c for c in claims_of(self.stub_source) if c.name == name)
        function = getattr(module, name)
        try:
            result = function()
            if inspect.iscoroutine(result):
                asyncio.run(result)
        except Exception as error:
            if isinstance(error, KoanBlank):
                raise
            empty = holes_in(_parts(_parse_without_docstrings(file.read_text(encoding="utf-8")))[1][name])
            if empty:
                error.add_note(f"this claim still has {empty} blank(s) `__` to fill in")
            error.add_note(f"the claim: {claim.claim}")
            raise


# ---- dojo check: the talking point of each claim that passes ----


def passed_claim_points(root: Path, exercise: Exercise, result: RunResult) -> list[str]:
    """``claim talking point`` for each claim of a koan whose test passed in ``result``."""
    try:
        claims = claims_of((root / "pristine" / exercise.path).read_text(encoding="utf-8"))
    except OSError:
        return []
    passed = {test.nodeid.rsplit("[", 1)[-1].rstrip("]") for test in result.for_slug(exercise.slug) if test.passed}
    return [
        f"{claim.claim} · {point}"
        for claim, point in zip(claims, exercise.talking_points, strict=False)
        if claim.id in passed
    ]


# ---- dojo verify ----


def _spans(source: str, fills: Sequence[Fill]) -> Iterator[tuple[Fill, str]]:
    """For each fill, ``source`` with just that fill put back to its blank."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode("utf-8")))
    raw = source.encode("utf-8")
    for fill in fills:
        start = offsets[fill.line - 1] + fill.col
        end = offsets[fill.end_line - 1] + fill.end_col
        blank = b"__()" if fill.line_hole else b"__"
        yield fill, (raw[:start] + blank + raw[end:]).decode("utf-8")


def verify_problems(root: Path, curriculum: Curriculum) -> list[Problem]:
    """The koan checks of `dojo verify`, for the koans among ``curriculum``'s exercises."""
    from dojo.mutants import MutantError
    from dojo.mutants import load as load_mutants
    from dojo.problems import Problem

    problems: list[Problem] = []
    for exercise in curriculum:
        if exercise.kind != "koan":
            continue
        slug = exercise.slug
        stub_file = root / "pristine" / exercise.path
        reference_file = root / "solutions" / exercise.path
        if not stub_file.is_file() or not reference_file.is_file():
            continue  # the layout check reports it
        stub = stub_file.read_text(encoding="utf-8")
        reference = reference_file.read_text(encoding="utf-8")

        def problem(message: str, *, slug: str = slug) -> None:
            problems.append(Problem("koans", slug, message))

        claims = claims_of(stub)
        if not claims:
            problem(f"pristine/{exercise.path} has no claims (functions named test_...)")
            continue
        stub_claims = _parts(_parse_without_docstrings(stub))[1]
        for claim in claims:
            if not claim.claim:
                problem(f"{claim.name} has no docstring: its first line states the claim")
            if holes_in(stub_claims[claim.name]) == 0:
                problem(f"{claim.name} has no blank in the stub, so there is nothing to fill in")
        if [c.name for c in claims_of(reference)] != [c.name for c in claims]:
            problem(f"solutions/{exercise.path} does not have the stub's claims in the stub's order")
            continue
        if holes_in(ast.parse(reference)):
            problem(f"solutions/{exercise.path} still has a blank `__`")
        comparison = compare(stub, reference)
        if comparison.problem is not None:
            problem(f"solutions/{exercise.path} changes the stub outside its blanks: {comparison.problem}")
            continue
        if len(exercise.talking_points) != len(claims):
            problem(
                f"{len(exercise.talking_points)} talking points for {len(claims)} claims: curriculum.toml lists one"
                " per claim, in the file's order (dojo check shows each once its claim passes)"
            )
        try:
            mutants = load_mutants(root, exercise)
        except MutantError as error:
            problem(str(error))
            mutants = []
        covered: set[str] = set()
        for mutant in mutants:
            if mutant.file != exercise.path:
                problem(
                    f"mutant '{mutant.name}' changes {mutant.file}; a koan's mutants are wrong fills of {exercise.path}"
                )
                continue
            if reference.count(mutant.old) != 1:
                continue  # the mutants check reports it
            mutated = reference.replace(mutant.old, mutant.new)
            result = compare(stub, mutated)
            if result.problem is not None:
                problem(
                    f"mutant '{mutant.name}' is not a wrong fill (it changes the koan outside its blanks:"
                    f" {result.problem}); the structure check, not the claim, would catch it"
                )
                continue
            line = reference[: reference.index(mutant.old)].count("\n") + 1
            covered.update(c.name for c in claims_of(reference) if c.line <= line <= c.end_line)
        for claim in claims:
            if claim.name not in covered:
                problem(
                    f"{claim.name} has no mutant: add a wrong fill a learner would plausibly write to tests/mutants/{slug}.toml"
                )
        variants = [(fill.claim, text) for fill, text in _spans(reference, comparison.fills)]
        for index, outcome in enumerate(_probe(root, exercise, variants)):
            if outcome is not None:
                claim_name, _ = variants[index]
                fill = comparison.fills[index]
                problem(
                    f"{claim_name}: the blank at line {fill.line} of solutions/{exercise.path} is not load-bearing"
                    f" (left empty, the claim still {outcome})"
                )
    return problems


_PROBE = """
import asyncio, inspect, json, sys, types
from dojo.koans import KoanBlank
jobs = json.load(sys.stdin)
verdicts = []
for index, (claim, source, filename) in enumerate(jobs):
    module = types.ModuleType(f"_dojo_koan_probe_{index}")
    module.__file__ = filename
    sys.modules[module.__name__] = module
    try:
        exec(compile(source, filename, "exec"), module.__dict__)
        result = getattr(module, claim)()
        if inspect.iscoroutine(result):
            asyncio.run(result)
        verdicts.append("passes")
    except BaseException as error:  # any failure is what an empty blank should cause
        verdicts.append(None)
    finally:
        sys.modules.pop(module.__name__, None)
print(json.dumps(verdicts))
"""


def _probe(root: Path, exercise: Exercise, variants: Sequence[tuple[str, str]]) -> list[str | None]:
    """Run each (claim, source) in a fresh child process: "passes" for a claim that passed, else None."""
    if not variants:
        return []
    filename = str(root / "solutions" / exercise.path)
    jobs = json.dumps([[claim, source, filename] for claim, source in variants])
    completed = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", _PROBE],
        input=jobs,
        capture_output=True,
        text=True,
        cwd=root / "solutions",
        check=False,
    )
    try:
        verdicts: list[Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return [f"could not be probed: {completed.stderr.strip()[-300:]}"] * len(variants)
    return [str(v) if v is not None else None for v in verdicts]
