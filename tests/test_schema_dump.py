"""supabase/schema.sql is what the migrations make: the second contract a reader can open (with schema.graphql)."""

from __future__ import annotations

import asyncpg
import pytest

from db.schema_dump import DUMPED_MAJOR, SCHEMA_FILE
from server.schema_sql_cli import fresh_schema_sql
from tests.support.databases import PgCluster


async def test_the_committed_schema_sql_is_what_the_migrations_make(cluster: PgCluster) -> None:
    conn = await asyncpg.connect(cluster.admin_dsn)
    try:
        major = int(await conn.fetchval("select current_setting('server_version_num')::int / 10000"))
    finally:
        await conn.close()
    if major != DUMPED_MAJOR:
        pytest.skip(f"schema.sql is dumped from PostgreSQL {DUMPED_MAJOR}; TEST_DATABASE_URL is {major}")
    expected = await fresh_schema_sql(cluster.admin_dsn)
    assert SCHEMA_FILE.read_text() == expected, "supabase/schema.sql drifted: run `leadgen db dump-schema` and commit"
