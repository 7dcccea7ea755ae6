"""Turn exceptions into GraphQL errors with a stable `extensions.code`; mask and log the unexpected."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import asyncpg
from graphql import GraphQLError

from db.session import TransactionAborted
from db.sql_builder import InvalidCursor
from domain.database_errors import api_error
from domain.errors import AppError, bad_input

log = logging.getLogger("leadgen.errors")


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
        mapped = api_error(original)
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
