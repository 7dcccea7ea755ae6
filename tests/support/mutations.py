"""Helpers of the mutation tests: global IDs, asserting outcomes, reading what was really written."""

from __future__ import annotations

from typing import Any

import asyncpg

from gql.ids import global_id, parse_global_id
from tests.support.api import ApiClient, GraphQLResponse


def gid(type_name: str, row_id: object) -> str:
    return global_id(type_name, row_id)


def raw_id(value: str) -> str:
    """The row id inside a global ID."""
    parsed = parse_global_id(value)
    assert parsed is not None, value
    return str(parsed[1])


def ok(response: GraphQLResponse) -> Any:
    """The response's data, asserting there was no error."""
    assert response.errors == [], response.errors
    return response.data


def refused(response: GraphQLResponse, code: str, field: str | None = None) -> None:
    """The mutation failed with `code` (and, for bad input, naming `field`) and returned no data."""
    assert response.codes == [code], response.errors
    assert response.data is None
    if field is not None:
        assert response.errors[0]["extensions"].get("field") == field, response.errors


async def admin_fetch(api: ApiClient, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows read as the superuser (past RLS): what the database really holds."""
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def admin_val(api: ApiClient, sql: str, *args: Any) -> Any:
    rows = await admin_fetch(api, sql, *args)
    return rows[0][0] if rows else None


async def count_rows(api: ApiClient, table: str, where: str, *args: Any) -> int:
    """How many rows of `table` match `where` (SQL from the test itself, values as $n)."""
    return int(await admin_val(api, f"select count(*) from public.{table} where {where}", *args))
