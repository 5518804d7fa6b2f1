"""The capstone's rules for schemathesis: two checks the spec adds, and the one narrow exclusion.

Importing this module registers them with schemathesis (globally, as its hooks work), for ``dojo fuzz``,
for the kit's fuzz tests, and for the schemathesis CLI::

    SCHEMATHESIS_HOOKS=dojo.fuzz_rules uv run schemathesis run http://127.0.0.1:8000/openapi.json ...

Checks the spec adds to schemathesis' own (which only know what the OpenAPI schema says):

- ``error_envelope``: every 4xx and 5xx body is ``{"error": {"code": str, "message": str, ...}}``;
- ``retry_after_on_503``: a 503 says when to come back (``Retry-After``).

The exclusion. ``positive_data_acceptance`` sends requests that the schema allows and expects them
accepted. A few capstone rules involve two values, or stored data, and OpenAPI cannot state them (the
schema's descriptions do): ``price_min <= price_max``, ``checkout_date > checkin_date`` and
``original_price >= price_per_night`` (also for the *merged* deal a PATCH would make), and "a cursor
is one the API issued". A 422 is excused only when the request really breaks one of them, judged
from the request itself; any other rejection of valid data still fails.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Final

import schemathesis
from schemathesis.checks import CheckContext
from schemathesis.core.failures import Failure
from schemathesis.core.transport import Response
from schemathesis.generation.case import Case
from schemathesis.hooks import HookContext
from schemathesis.openapi.checks import RejectedPositiveData

# The body fields of the spec's two-field rules: a PATCH touching one may break the rule with the stored
# value of the other, which only the server knows.
TWO_FIELD_RULE_FIELDS: Final = frozenset({"checkin_date", "checkout_date", "price_per_night", "original_price"})
EXCUSED_STATUS: Final = 422
AnyCase = Case[Any]


class EnvelopeMissing(Failure):
    code = "ST910"
    kind_title = "Error response outside the error envelope"


class RetryAfterMissing(Failure):
    code = "ST911"
    kind_title = "503 without Retry-After"


def _error_of(response: Response) -> dict[str, Any] | None:
    try:
        body = json.loads(response.content or b"")
    except ValueError:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str):
        return error
    return None


@schemathesis.check
def error_envelope(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    """Every error body is the spec's envelope, whatever the status (400, 404, 405, 422, 500, 503...)."""
    if response.status_code < 400 or _error_of(response) is not None:
        return None
    raise EnvelopeMissing(
        operation=case.operation.label,
        message=f"{response.status_code} answered {(response.content or b'')[:120]!r}; the spec wants"
        ' {"error": {"code": "...", "message": "..."}} on every error',
    )


@schemathesis.check
def retry_after_on_503(ctx: CheckContext, response: Response, case: AnyCase) -> bool | None:
    if response.status_code != 503 or "retry-after" in {name.lower() for name in response.headers}:
        return None
    raise RetryAfterMissing(
        operation=case.operation.label, message="a 503 must say when to retry: Retry-After: <seconds>"
    )


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _cents(value: Decimal) -> Decimal:
    try:
        return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the context holds: far beyond any price, cents do not matter
        return value


def _below(low: Any, high: Any) -> bool:
    """``low < high``, as sent or once rounded to the cent (the spec rounds prices before its rules)."""
    a, b = _number(low), _number(high)
    return a is not None and b is not None and a.is_finite() and b.is_finite() and (a < b or _cents(a) < _cents(b))


def breaks_a_rule_openapi_cannot_state(case: AnyCase, response: Response) -> bool:
    """Does this schema-valid request break one of the spec's rules that the schema can only describe?"""
    query = case.query or {}
    if "price_min" in query and "price_max" in query and _below(query["price_max"], query["price_min"]):
        return True
    if "after" in query and (_error_of(response) or {}).get("code") == "invalid_cursor":
        return True
    body = case.body if isinstance(case.body, dict) else {}
    if case.method.upper() == "PATCH" and TWO_FIELD_RULE_FIELDS & set(body):
        return True
    if case.method.upper() == "POST":
        checkin, checkout = body.get("checkin_date"), body.get("checkout_date")
        if isinstance(checkin, str) and isinstance(checkout, str) and checkout <= checkin:  # ISO dates sort as text
            return True
        if _below(body.get("original_price"), body.get("price_per_night")):
            return True
    return False


@schemathesis.hook
def filter_failure(context: HookContext, failure: Failure, case: AnyCase, response: Response) -> bool:
    """Keep every failure except a 422 to a request that breaks a rule OpenAPI cannot state."""
    excused = (
        isinstance(failure, RejectedPositiveData)
        and response.status_code == EXCUSED_STATUS
        and breaks_a_rule_openapi_cannot_state(case, response)
    )
    return not excused
