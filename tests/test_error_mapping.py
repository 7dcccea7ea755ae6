"""What clients see of real Postgres errors: each SQLSTATE family maps to one stable `extensions.code`."""

from __future__ import annotations

import asyncpg
import pytest

from domain.database_errors import Wording, api_error, function_error
from domain.errors import AppError
from tests.support.databases import PgCluster

CASES = [
    ("42501", "FORBIDDEN"),
    ("23505", "CONFLICT"),
    ("23503", "BAD_USER_INPUT"),
    ("23514", "BAD_USER_INPUT"),
    ("22023", "BAD_USER_INPUT"),
    ("25006", "FORBIDDEN"),
    ("40001", "CONFLICT"),
    ("40P01", "CONFLICT"),
    ("P0002", "NOT_FOUND"),
    ("LG409", "CONFLICT"),
]


async def _raised(conn: asyncpg.Connection, sqlstate: str, detail: str | None = None) -> asyncpg.PostgresError:
    """The error Postgres itself sends for `sqlstate`, as asyncpg hands it to the server."""
    with_detail = f", detail = '{detail}'" if detail else ""
    with pytest.raises(asyncpg.PostgresError) as raised:
        await conn.execute(f"do $$ begin raise exception 'test' using errcode = '{sqlstate}'{with_detail}; end $$")
    return raised.value


async def test_every_mapped_sqlstate_has_its_code(cluster: PgCluster, fresh_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        for sqlstate, code in CASES:
            mapped = api_error(await _raised(conn, sqlstate))
            assert mapped is not None, sqlstate
            assert mapped.code == code, sqlstate
        retry = api_error(await _raised(conn, "40P01"))
        assert retry is not None and retry.extensions().get("retryable") is True
        # anything else is unexpected: masked as INTERNAL with an error id by format_error
        assert api_error(await _raised(conn, "XX000")) is None
    finally:
        await conn.close()


async def test_our_functions_errors_carry_their_details(cluster: PgCluster, fresh_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        listed = api_error(await _raised(conn, "LG422", '[{"field": "email", "message": "not an email"}]'))
        assert listed is not None and listed.code == "BAD_USER_INPUT"
        assert listed.extensions()["fields"] == [{"field": "email", "message": "not an email"}]
        limited = api_error(await _raised(conn, "LG429", '{"retry_after": 7, "limit": "client"}'))
        assert limited is not None and limited.extensions() == {
            "code": "RATE_LIMITED",
            "retryAfter": 7,
            "limit": "client",
        }
        # a trigger's refusal (23514) lists its problems the same way
        checked = api_error(await _raised(conn, "23514", '[{"field": "status", "message": "needs a customer"}]'))
        assert checked is not None and checked.extensions()["fields"] == [
            {"field": "status", "message": "needs a customer"}
        ]
        # a function's own refusals say why in its words; a plain statement's do not name tables or policies
        refused = await _raised(conn, "42501")
        assert str(function_error(refused, Wording(noun="lead"))) == "test"
        statement = api_error(refused)
        assert statement is not None and statement.message.startswith("not allowed: row level security")
        missing = function_error(await _raised(conn, "P0002"), Wording(noun="workflow"))
        assert isinstance(missing, AppError) and missing.message == "workflow not found"
        unexpected = await _raised(conn, "XX000")
        assert function_error(unexpected, Wording()) is unexpected
    finally:
        await conn.close()
