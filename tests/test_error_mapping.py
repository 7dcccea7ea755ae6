"""What clients see of real Postgres errors: each SQLSTATE family maps to one stable `extensions.code`."""

from __future__ import annotations

import asyncpg
import pytest

from gql.errors import from_postgres
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
]


async def _raised(conn: asyncpg.Connection, sqlstate: str) -> asyncpg.PostgresError:
    """The error Postgres itself sends for `sqlstate`, as asyncpg hands it to the server."""
    with pytest.raises(asyncpg.PostgresError) as raised:
        await conn.execute(f"do $$ begin raise exception 'test' using errcode = '{sqlstate}'; end $$")
    return raised.value


async def test_every_mapped_sqlstate_has_its_code(cluster: PgCluster, fresh_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        for sqlstate, code in CASES:
            mapped = from_postgres(await _raised(conn, sqlstate))
            assert mapped is not None, sqlstate
            assert mapped.code == code, sqlstate
        retry = from_postgres(await _raised(conn, "40P01"))
        assert retry is not None and retry.extensions().get("retryable") is True
        # anything else is unexpected: masked as INTERNAL with an error id by format_error
        assert from_postgres(await _raised(conn, "XX000")) is None
    finally:
        await conn.close()
