"""Turn exceptions into GraphQL errors with a stable `extensions.code`; mask and log the unexpected."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
from graphql import GraphQLError

from db.session import TransactionAborted
from db.sql_builder import InvalidCursor
from domain.errors import AppError, bad_input
from resolvers.function_errors import invalid_input, json_detail

log = logging.getLogger("leadgen.errors")


def _field_of(exc: asyncpg.PostgresError) -> str | None:
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


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def from_postgres(exc: asyncpg.PostgresError) -> AppError | None:
    """The client-facing meaning of a Postgres error, or None if it is unexpected."""
    state = exc.sqlstate or ""
    field = _field_of(exc)
    if state == "42501":  # insufficient_privilege: a grant or an RLS WITH CHECK said no
        return AppError("FORBIDDEN", "not allowed: row level security or privileges refused this")
    if state == "23505":
        return AppError("CONFLICT", "already exists", constraint=getattr(exc, "constraint_name", None))
    if state == "23503":
        return AppError("BAD_USER_INPUT", "references something that does not exist or is out of scope", field=field)
    if state == "23514" and (listed := invalid_input(json_detail(exc), "the database refused this change")) is not None:
        return listed  # a rule of the database's triggers, with its problems as DETAIL [{field, message}]
    if state in ("23514", "23502"):
        return AppError("BAD_USER_INPUT", f"invalid value{f' for {field}' if field else ''}", field=field)
    if state.startswith("22"):  # data exceptions: bad format, out of range
        return AppError("BAD_USER_INPUT", "invalid value", field=field)
    if state in ("40001", "40P01"):  # serialization failure, deadlock: a concurrent change got in the way
        message = "a concurrent change got in the way; nothing was written, try again"
        return AppError("CONFLICT", message, retryable=True)
    if state == "25006":
        return AppError("FORBIDDEN", "a query cannot write; use a mutation")
    return None


def format_error(error: GraphQLError) -> tuple[dict[str, Any], bool]:
    """The error as sent to the client, and whether it is a mere consequence of an earlier one."""
    original = error.original_error
    payload: dict[str, Any] = {"message": error.message}
    if error.locations:
        payload["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    if error.path:
        payload["path"] = error.path
    if original is None or isinstance(original, GraphQLError) or (error.locations and not error.path):
        # parse and validation errors (a literal a scalar refuses, e.g. a date that is not one, included), limits,
        # variables not of their type: errors about the document, not a result; the client's document is at fault
        payload["extensions"] = {"code": "BAD_USER_INPUT"}
        return payload, False
    if isinstance(original, TransactionAborted):
        payload["message"] = "not run: an earlier part of this operation failed, and nothing was written"
        payload["extensions"] = {"code": "CONFLICT"}
        return payload, True
    mapped = original if isinstance(original, AppError) else None
    if mapped is None and isinstance(original, asyncpg.PostgresError):
        mapped = from_postgres(original)
    if mapped is None and isinstance(original, InvalidCursor):
        # a cursor that decodes but whose sort key or id does not check out when the SQL is built
        mapped = bad_input("after", f"after: {original}")
    if mapped is None and _is_strawberry_input_error(original):
        mapped = AppError("BAD_USER_INPUT", str(original))
    if mapped is not None:
        payload["message"] = mapped.message
        payload["extensions"] = mapped.extensions()
        return payload, False
    error_id = uuid.uuid4().hex[:12]
    log.error("unexpected error %s at %s", error_id, error.path, exc_info=original)
    payload["message"] = f"internal error (id {error_id})"
    payload["extensions"] = {"code": "INTERNAL", "errorId": error_id}
    return payload, False


def _is_strawberry_input_error(exc: BaseException) -> bool:
    return type(exc).__name__ in ("StrawberryInputCoercionError", "InvalidGlobalIDError")


class QuietGraphQLErrorLog(logging.Filter):
    """Strawberry logs each error as str(error), which quotes the client's document around the error's location
    (and a document may carry secrets inline, e.g. integration credentials). Log the message and path only."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, GraphQLError):
            error = record.msg
            record.msg, record.args = "%s (path %s)", (error.message, error.path)
        return True


def quiet_strawberry_error_log() -> None:
    """Install QuietGraphQLErrorLog on Strawberry's execution logger (once)."""
    logger = logging.getLogger("strawberry.execution")
    if not any(isinstance(f, QuietGraphQLErrorLog) for f in logger.filters):
        logger.addFilter(QuietGraphQLErrorLog())


def format_errors(errors: list[GraphQLError]) -> list[dict[str, Any]]:
    formatted = [format_error(e) for e in errors]
    primary = [payload for payload, consequence in formatted if not consequence]
    return primary or [payload for payload, _ in formatted]
