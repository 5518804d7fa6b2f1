"""``dojo fuzz``: an API fuzzer (schemathesis) against your capstone app, in process, in plain words.

::

    dojo fuzz [--target learner|solutions|pristine] [--database-url URL] [--max-examples 50] [--seed 1]

The app is built through the capstone's seams (``Settings``, ``create_app``, ``migrations.upgrade``,
``loader.load_csv``) on a fresh SQLite file with the committed 400-deal sample, or on ``--database-url``
(migrated and loaded first: give it a throwaway database). schemathesis then reads the app's own
OpenAPI schema and runs every phase (examples, coverage, fuzzing, stateful) with all its default checks,
plus the spec's own rules from ``dojo.fuzz_rules`` (the error envelope, ``Retry-After`` on a 503). The
seed is fixed and generation deterministic, so the same app gets the same report.

A failure is shown once per cause, explained for a learner, with a curl line that reproduces it against
``dojo serve``. The spec's operations missing from the app's schema are failures too: the fuzzer cannot
test what the schema does not list. Exit status: 0 when nothing failed, 1 otherwise, 2 for bad usage.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

import typer
from rich.console import Console
from rich.markup import escape

from dojo import capstone, deals_data
from dojo.errors import one_line_errors
from dojo.paths import kit_root, state_dir
from dojo.targets import Target

FUZZ_TARGETS: Final[tuple[Target, ...]] = ("learner", "solutions", "pristine")
DEFAULT_EXAMPLES: Final = 50
DEFAULT_SEED: Final = 1
SERVE_URL: Final = "http://127.0.0.1:8000"
EXAMPLES_SHOWN: Final = 3
# What the spec asks for (README of the capstone). Path parameters are compared by position, not name.
SPEC_OPERATIONS: Final = (
    "GET /health",
    "GET /ready",
    "GET /deals",
    "POST /deals",
    "GET /deals/feed",
    "GET /deals/stats",
    "GET /deals/{}",
    "PATCH /deals/{}",
    "DELETE /deals/{}",
)


@dataclass(frozen=True)
class Cause:
    title: str
    explanation: str


# Keyed by the schemathesis failure class (or dojo.fuzz_rules'): what went wrong, in a learner's words.
CAUSES: Final[dict[str, Cause]] = {
    "ServerError": Cause(
        "the server crashed (5xx)",
        "A request made your app answer 500 or another 5xx. Bad input must be a 4xx in the error envelope (a"
        " bound your model does not check reaches the database: an id beyond INTEGER, a NUL byte, a sub-cent"
        " price); a database that is down must be a 503 database_unavailable with Retry-After.",
    ),
    "AcceptedNegativeData": Cause(
        "accepted input the schema forbids",
        "The fuzzer sent a value your OpenAPI schema says is invalid (wrong type, out of bounds, missing"
        " field) and your app accepted it. The schema and the code disagree: validate in the request model"
        " (Strict types, ge/le, patterns) so the schema states exactly what the server takes.",
    ),
    "RejectedPositiveData": Cause(
        "rejected input the schema allows",
        "The fuzzer sent a value your schema says is fine and your app refused it. Put the rule into the"
        " request model so the schema documents it (a bound, a pattern, not nullable), or accept the value.",
    ),
    "UndefinedStatusCode": Cause(
        "a status code the schema does not document",
        "Document every status an operation can answer (responses={404: ..., 409: ..., 503: ...} on the route"
        " or the router), or stop answering it.",
    ),
    "JsonSchemaError": Cause(
        "a response body that does not match the schema",
        "The body your app sent does not match the response model it documents (a missing field, a null"
        " where the schema says a number, a string where it says an integer).",
    ),
    "MissingHeaders": Cause(
        "a documented response header is missing",
        "The schema promises a header (Retry-After on a 503, for instance) that the response does not carry.",
    ),
    "MalformedMediaType": Cause("a malformed Content-Type", "The response's Content-Type header cannot be parsed."),
    "UndefinedContentType": Cause(
        "an undocumented Content-Type", "The response's Content-Type is not one the schema lists for that status."
    ),
    "UnsupportedMethodResponse": Cause(
        "a wrong method did not get 405",
        "A method the schema does not list for a path (PUT /deals/1, PATCH /deals/stats) must answer 405"
        " Method Not Allowed, in the error envelope, with an Allow header.",
    ),
    "AllowHeaderMismatch": Cause(
        "the Allow header lists the wrong methods",
        "A 405's Allow header must name exactly the methods the path serves (compute it from every route that"
        " matches the path; Starlette names only the first).",
    ),
    "UseAfterFree": Cause(
        "a deleted resource is still there", "After a 204 DELETE, GET of the same deal must be a 404."
    ),
    "EnsureResourceAvailability": Cause(
        "a created resource cannot be fetched", "After a 201 POST, GET /deals/{id} of the new deal must answer 200."
    ),
    "EnvelopeMissing": Cause(
        "an error outside the error envelope",
        'Every 4xx and 5xx body must be {"error": {"code": "...", "message": "..."}}: register handlers for your'
        " ApiError, RequestValidationError and Starlette's HTTPException (404, 405, and 400 for a body that is"
        " not UTF-8 JSON, which the spec wants as a 422).",
    ),
    "RetryAfterMissing": Cause(
        "a 503 without Retry-After", "A 503 tells clients when to come back: add Retry-After: <seconds>."
    ),
    "MissingOperation": Cause(
        "not in your API (or its schema) yet",
        "The spec asks for these operations and your app's OpenAPI schema does not list them, so the fuzzer"
        " cannot test them. Build them (dojo check round1, ...), and keep them in the schema.",
    ),
    "EngineError": Cause("the fuzzer could not run", "schemathesis stopped with an error; the message says where."),
}
OTHER: Final = Cause("another failed check", "schemathesis' own title and message say what it saw.")


@dataclass(frozen=True)
class Finding:
    cause: str
    operation: str
    detail: str
    status: int | None = None
    curl: str | None = None


@dataclass
class FuzzReport:
    cases: int = 0
    findings: list[Finding] = field(default_factory=list)
    excused: int = 0

    @property
    def unique_failures(self) -> int:
        return len(self.findings)

    @property
    def server_errors(self) -> int:
        return sum(1 for finding in self.findings if finding.status is not None and finding.status >= 500)

    def by_cause(self) -> dict[str, list[Finding]]:
        groups: dict[str, list[Finding]] = defaultdict(list)
        for finding in self.findings:
            groups[finding.cause].append(finding)
        return dict(sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])))


def _config(max_examples: int, seed: int) -> Any:
    from schemathesis.config import SchemathesisConfig

    return SchemathesisConfig.from_dict(
        {
            "seed": seed,
            "workers": 1,
            "continue-on-failure": True,
            "generation": {"max-examples": max_examples, "deterministic": True},
        }
    )


def _operation_key(label: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", label)


def missing_operations(openapi: dict[str, Any]) -> list[str]:
    """The spec's operations that the app's schema does not list."""
    listed = {
        _operation_key(f"{method.upper()} {path}")
        for path, operations in openapi.get("paths", {}).items()
        for method in operations
    }
    return [operation for operation in SPEC_OPERATIONS if operation not in listed]


def _curl(code_sample: str | None) -> str | None:
    if not code_sample:
        return None
    return code_sample.replace("http://testserver", SERVE_URL)


class AsServed:
    """The app as uvicorn serves it: an exception that escapes it is a 500 response, not a crash of the run.

    In process, the exception would reach the fuzzer as an error without a request to show; served, it
    is a 500 the client sees, and that is what the learner must fix (and reproduce with curl).
    """

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = False

        async def watch(message: Any) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            if scope["type"] != "http":
                raise
            if started:  # Starlette has sent its 500 already and re-raised for the server to log
                return
            headers = [(b"content-type", b"text/plain; charset=utf-8")]
            await send({"type": "http.response.start", "status": 500, "headers": headers})
            await send({"type": "http.response.body", "body": b"Internal Server Error"})


def fuzz_app(app: Any, *, max_examples: int = DEFAULT_EXAMPLES, seed: int = DEFAULT_SEED) -> FuzzReport:
    """Run schemathesis against ``app`` (an ASGI app, started by schemathesis itself) and collect the findings."""
    import schemathesis
    from schemathesis.engine import events, from_schema
    from schemathesis.engine.statistic import Statistic
    from schemathesis.python.asgi import shutdown_lifespans

    import dojo.fuzz_rules  # noqa: F401  (registers the spec's checks and the narrow exclusion)

    report = FuzzReport()
    try:
        schema = schemathesis.openapi.from_asgi("/openapi.json", AsServed(app), config=_config(max_examples, seed))
        missing = missing_operations(schema.raw_schema)
        report.findings += [Finding("MissingOperation", operation, "not in /openapi.json") for operation in missing]
        statistic = Statistic()
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
                statistic.on_scenario_finished(event.recorder)
            elif isinstance(event, events.NonFatalError):
                finding = _error_finding(event.label, event.value, event.info.code_sample)
                if finding not in report.findings:  # the same crash on many inputs is one failure
                    report.findings.append(finding)
            elif isinstance(event, events.FatalError):
                report.findings.append(Finding("EngineError", "the run", _one_line(str(event.exception))))
        report.cases = statistic.total_cases
        report.excused = statistic.filtered_failures
        report.findings += _findings(statistic)
    finally:
        shutdown_lifespans()
    return report


def _error_finding(label: str, error: Exception, code_sample: str | None) -> Finding:
    """An exception out of the app is a crash (a 500 in production); one out of schemathesis, a failed run."""
    if type(error).__module__.split(".")[0] == "schemathesis":
        return Finding("EngineError", label, _one_line(str(error)))
    detail = f"unhandled {type(error).__name__}: {_one_line(str(error) or '(no message)')} (a 500 in production)"
    return Finding("ServerError", label, detail, 500, _curl(code_sample))


def _findings(statistic: Any) -> Iterable[Finding]:
    for label, groups in sorted(statistic.failures.items()):
        for group in groups.values():
            status = group.response.status_code if group.response is not None else None
            for failure in group.failures:
                detail = failure.title + (f": {_one_line(failure.message)}" if failure.message else "")
                yield Finding(type(failure).__name__, label, detail, status, _curl(group.code_sample))


def _one_line(text: str, limit: int = 240) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------------
# The command


console = Console(highlight=False, soft_wrap=True)


def prepare_database(
    root: Path, seams: capstone.Seams, target: Target, database_url: str | None
) -> tuple[str, list[str]]:
    """A database for the run: migrated and holding the sample when the app can do it; notes say what it could not."""
    if database_url is None:
        folder = state_dir(root) / "capstone"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"fuzz-{target}.db"
        path.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        url = capstone.async_database_url(database_url)
    notes: list[str] = []
    try:
        asyncio.run(capstone.migrate_and_load(seams, url, root / deals_data.SAMPLE_PATH))
    except Exception as error:
        notes.append(f"the database could not be prepared ({capstone.describe_exception(error)}); fuzzing anyway")
    return url, notes


def show(report: FuzzReport) -> None:
    summary = (
        f"{report.cases} cases · [bold]{report.unique_failures} unique failures[/] ·"
        f" {report.server_errors} server errors (5xx)"
    )
    if report.excused:
        summary += f" · {report.excused} excused (rules OpenAPI cannot state: dojo/fuzz_rules.py)"
    console.print(summary)
    for key, findings in report.by_cause().items():
        cause = CAUSES.get(key, OTHER)
        console.print(f"\n[bold red]{escape(cause.title)}[/] ({len(findings)})")
        console.print(f"  {escape(cause.explanation)}")
        for finding in findings[:EXAMPLES_SHOWN]:
            console.print(f"  - [bold]{escape(finding.operation)}[/]: {escape(finding.detail)}")
            if finding.curl:
                console.print(f"    {escape(finding.curl)}")
        if len(findings) > EXAMPLES_SHOWN:
            console.print(f"  ... and {len(findings) - EXAMPLES_SHOWN} more of this kind")
    if any(finding.curl for finding in report.findings):
        console.print(f"\nThe curl lines reproduce each failure against `uv run dojo serve` ({SERVE_URL}).")
    if not report.findings:
        console.print("[green]No failures: the app does what its schema says, on every generated request.[/]")


def fuzz(
    target: Annotated[
        str, typer.Option(help="learner (katas/deals_api), solutions, or pristine (the starter)")
    ] = "learner",
    database_url: Annotated[
        str | None, typer.Option(help="fuzz on this database (migrated and loaded first: use a throwaway one)")
    ] = None,
    max_examples: Annotated[
        int, typer.Option(min=1, help="generated requests per operation and phase")
    ] = DEFAULT_EXAMPLES,
    seed: Annotated[int, typer.Option(help="the generator's seed: the same seed gives the same run")] = DEFAULT_SEED,
) -> None:
    """Fuzz your capstone API with schemathesis, in process, and explain what breaks."""
    if target not in FUZZ_TARGETS:
        raise capstone.CapstoneError(f"--target is one of {', '.join(FUZZ_TARGETS)}, not '{target}'", 2)
    chosen = next(t for t in FUZZ_TARGETS if t == target)
    root = kit_root()
    seams = capstone.load_seams(root, chosen)
    url, notes = prepare_database(root, seams, chosen, database_url)
    try:
        app = seams.create_app(seams.settings(database_url=url, debug=False))
    except Exception as error:
        raise capstone.CapstoneError(f"create_app failed: {capstone.describe_exception(error)}") from None
    console.print(
        f"fuzzing the {chosen} app on {escape(capstone.mask_password(url))}:"
        f" {max_examples} examples per operation, seed {seed}, every phase"
    )
    for note in notes:
        console.print(f"[yellow]{escape(note)}[/]")
    report = fuzz_app(app, max_examples=max_examples, seed=seed)
    show(report)
    if report.findings:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("fuzz")(one_line_errors(fuzz))
