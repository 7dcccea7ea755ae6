"""The one map from database errors to the API's errors: Postgres's own, and those our SQL functions raise."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg import exceptions as pg

from domain.errors import AppError, not_found
from domain.form_definitions import Problem, invalid

# SQLSTATEs that the leadgen SQL functions raise on purpose (class LG: ours), with a JSON DETAIL where noted.
NOT_POSSIBLE = "LG409"  # the row's state does not allow it; for the worker: its lease on the row is gone
INVALID = "LG422"  # bad input: DETAIL [{field, message}]
TOO_MANY = "LG429"  # a rate limit: DETAIL {retry_after, limit}


@dataclass(frozen=True)
class Wording:
    """How an operation names what its database errors are about."""

    noun: str = "row"  # NOT_FOUND: "<noun> not found"
    invalid: str = "invalid input"  # INVALID: the message above the listed problems
    limited: str | None = None  # TOO_MANY: the message (default: the function's own)


def is_state(exc: BaseException, state: str) -> bool:
    return isinstance(exc, asyncpg.PostgresError) and exc.sqlstate == state


def json_detail(exc: asyncpg.PostgresError) -> Any:
    """The error's DETAIL as JSON (None when it has none, or it is not JSON)."""
    try:
        return json.loads(getattr(exc, "detail", None) or "null")
    except ValueError:
        return None


def listed_problems(detail: Any, what: str) -> AppError | None:
    """BAD_USER_INPUT from a DETAIL listing [{field, message}], or None when it lists nothing."""
    if not isinstance(detail, list) or not detail:
        return None
    if not all(isinstance(p, dict) and "field" in p and "message" in p for p in detail):
        return None
    return invalid([Problem(str(p["field"]), str(p["message"])) for p in detail], what)


def rate_limited(detail: Any, what: str) -> AppError | None:
    """RATE_LIMITED from a DETAIL {retry_after, limit}, or None when the DETAIL is not one."""
    if not isinstance(detail, dict):
        return None
    retry_after = int(detail.get("retry_after") or 1)
    return AppError(
        "RATE_LIMITED", f"{what}; try again in {retry_after} seconds", retryAfter=retry_after, limit=detail.get("limit")
    )


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def field_of(exc: asyncpg.PostgresError) -> str | None:
    """The input field a constraint is about: `<table>_<column>_check|_fkey|_key`, as Postgres names them."""
    column = getattr(exc, "column_name", None)
    if column:
        return _camel(column)
    name = getattr(exc, "constraint_name", None) or ""
    table = getattr(exc, "table_name", None) or ""
    if table and name.startswith(table + "_"):
        rest = name[len(table) + 1 :]
        for suffix in ("_check", "_fkey", "_key", "_required"):
            if rest.endswith(suffix):
                return _camel(rest[: -len(suffix)])
    return None


def _ours(exc: asyncpg.PostgresError, wording: Wording) -> AppError | None:
    """The errors our functions raise on purpose."""
    state = exc.sqlstate
    if state == NOT_POSSIBLE:
        return AppError("CONFLICT", str(exc))
    if state == INVALID:
        return listed_problems(json_detail(exc), wording.invalid)
    if state == TOO_MANY:
        return rate_limited(json_detail(exc), wording.limited or str(exc))
    return None


def api_error(exc: asyncpg.PostgresError) -> AppError | None:
    """What the client is told about a database error of a statement, or None when it is unexpected (a bug: masked
    and logged by the GraphQL layer)."""
    return _mapped(exc, Wording(), functions_say_why=False)


def function_error(exc: asyncpg.PostgresError, wording: Wording) -> Exception:
    """The error of a call of one of our SQL functions as the API's (their refusals say why in their own words),
    or the error itself when it means something else."""
    return _mapped(exc, wording, functions_say_why=True) or exc


def _mapped(exc: asyncpg.PostgresError, words: Wording, *, functions_say_why: bool) -> AppError | None:
    ours = _ours(exc, words)
    if ours is not None:
        return ours
    field = field_of(exc)
    if isinstance(exc, pg.NoDataFoundError):  # P0002, raised by our functions: nothing (visible) by that id
        return not_found(words.noun)
    if isinstance(exc, pg.InsufficientPrivilegeError):  # a grant or an RLS WITH CHECK said no
        if functions_say_why:
            return AppError("FORBIDDEN", str(exc))
        return AppError("FORBIDDEN", "not allowed: row level security or privileges refused this")
    if isinstance(exc, pg.UniqueViolationError):
        return AppError("CONFLICT", "already exists", constraint=getattr(exc, "constraint_name", None))
    if isinstance(exc, pg.ForeignKeyViolationError):
        return AppError("BAD_USER_INPUT", "references something that does not exist or is out of scope", field=field)
    if isinstance(exc, pg.CheckViolationError):
        # a rule of the database's triggers lists its problems as DETAIL [{field, message}]
        listed = listed_problems(json_detail(exc), "the database refused this change")
        if listed is not None:
            return listed
    if isinstance(exc, pg.CheckViolationError | pg.NotNullViolationError):
        return AppError("BAD_USER_INPUT", f"invalid value{f' for {field}' if field else ''}", field=field)
    if isinstance(exc, pg.DataError):  # class 22: bad format, out of range
        return AppError("BAD_USER_INPUT", "invalid value", field=field)
    if isinstance(exc, pg.SerializationError | pg.DeadlockDetectedError):
        message = "a concurrent change got in the way; nothing was written, try again"
        return AppError("CONFLICT", message, retryable=True)
    if isinstance(exc, pg.ReadOnlySQLTransactionError):
        return AppError("FORBIDDEN", "a query cannot write; use a mutation")
    return None
