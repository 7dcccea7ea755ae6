"""The migrations on PostgreSQL 15 too (principle 5: "any Postgres 15+"), not only on the embedded server.

Debian's PostgreSQL 15 server binaries run a throw-away cluster for this module (tests/support/pg15.py).
"""

from __future__ import annotations

import json
import uuid

import asyncpg
import pytest

from db.migrations import SUPABASE_DIR, discover_migrations, migrate, seed
from tests.support.pg15 import PG15_BIN, pg15_available, pg15_cluster

pytestmark = pytest.mark.pg15

DATABASE = "leadgen"


async def test_migrations_apply_on_postgres_15() -> None:
    if not pg15_available():
        pytest.skip(f"Debian's PostgreSQL 15 is not installed ({PG15_BIN / 'pg_ctl'} is missing)")
    async with pg15_cluster() as pg:
        admin = await asyncpg.connect(pg.dsn())
        try:
            version = await admin.fetchval("select current_setting('server_version_num')::int")
            assert 150000 <= version < 160000
            await admin.execute(f'create database "{DATABASE}"')
        finally:
            await admin.close()

        conn = await asyncpg.connect(pg.dsn(DATABASE))
        try:
            expected = [m.path.name for m in discover_migrations()]
            first = await migrate(conn)
            assert first.shim_applied and first.applied == expected
            second = await migrate(conn)
            assert second.applied == [] and second.already_applied == len(expected)
            assert not second.shim_applied

            unprotected = await conn.fetch(
                "select relname from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' "
                "and not relrowsecurity"
            )
            assert unprotected == []
            await _exercise_the_triggers(conn)

            if (SUPABASE_DIR / "seed.sql").exists():  # written separately; checked wherever it exists
                await seed(conn)
                recorded = await conn.fetchval("select count(*) from supabase_migrations.seed_files")
                assert recorded == 1
        finally:
            await conn.close()


async def _exercise_the_triggers(conn: asyncpg.Connection) -> None:
    """A smoke run of the PL/pgSQL triggers on this major version (rolled back)."""
    tx = conn.transaction()
    await tx.start()
    try:
        owner, member = uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            "insert into auth.users (id, email) values ($1, 'owner@example.test'), ($2, 'member@example.test')",
            owner,
            member,
        )
        space = await conn.fetchval("insert into public.spaces (name, created_by) values ('S', $1) returning id", owner)
        await conn.execute("insert into public.space_members (space_id, user_id) values ($1, $2)", space, member)
        stage = await conn.fetchval(
            "insert into public.lead_stages (user_id, space_id, name) values ($1, $2, 'Discovery') returning id",
            owner,
            space,
        )
        lead = await conn.fetchval(
            "insert into public.leads (user_id, space_id, stage_id, assigned_to, first_name) "
            "values ($1, $2, $3, $1, 'Ada') returning id",
            owner,
            space,
            stage,
        )
        await conn.execute(
            "insert into public.lead_activities (lead_id, activity_type, created_at) "
            "values ($1, 'note', '2026-01-01T00:00:00Z'), ($1, 'call_made', '2026-01-02T00:00:00Z')",
            lead,
        )
        row = await conn.fetchrow(
            "select last_activity_at = '2026-01-02T00:00:00Z' as latest, search_vector @@ to_tsquery('simple', 'ada') "
            "as found from public.leads where id = $1",
            lead,
        )
        assert row is not None and row["latest"] and row["found"]
        # default stages came with the users and the space; custom field values are type-checked
        boards = await conn.fetchval(
            "select count(*) from public.lead_stages where is_default and (space_id = $1 or user_id in ($2, $3))",
            space,
            owner,
            member,
        )
        assert boards == 3 * 6
        await conn.execute(
            "insert into public.lead_custom_fields (user_id, space_id, field_name, field_label, field_type)"
            " values ($1, $2, 'renewal', 'Renewal', 'date')",
            owner,
            space,
        )
        with pytest.raises(asyncpg.CheckViolationError):
            async with conn.transaction():
                await conn.execute(
                    """update public.leads set custom_fields = '{"renewal": "2027-02-30"}' where id = $1""", lead
                )
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            async with conn.transaction():
                await conn.execute("update public.leads set space_id = null where id = $1", lead)
        # workflow events: statement-level triggers with transition tables, and the engine's bookkeeping
        workflow = await conn.fetchval(
            "insert into public.lead_workflows (user_id, space_id, name, is_active) values ($1, $2, 'W', true)"
            " returning id",
            owner,
            space,
        )
        await conn.execute(
            "insert into public.lead_workflow_triggers (workflow_id, trigger_type) values ($1, 'stage_changed')",
            workflow,
        )
        await conn.execute(
            "insert into public.lead_workflow_actions (workflow_id, action_type, action_config, delay_seconds)"
            " values ($1, 'wait', '{}', 60)",
            workflow,
        )
        await conn.execute("update public.leads set first_name = 'Grace', stage_id = null where id = $1", lead)
        event = await conn.fetchval(
            "select id from private.workflow_events where lead_id = $1 and event_type = 'stage_changed'", lead
        )
        started = await conn.fetchval(
            "select private.start_workflow_executions($1, array[$2::uuid], now())", event, workflow
        )
        assert len(started) == 1
        assert (
            await conn.fetchval("select count(*) from private.workflow_jobs where execution_id = $1", started[0]) == 1
        )
        with pytest.raises(asyncpg.CheckViolationError):
            async with conn.transaction():
                await conn.execute("delete from public.space_members where user_id = $1", owner)
        await conn.execute("delete from auth.users where id = $1", owner)
        assert await conn.fetchval("select user_id from public.leads where id = $1", lead) == member
        roles = await conn.fetchval("select json_object_agg(user_id, role) from public.space_members")
        assert json.loads(roles) == {str(member): "owner"}
    finally:
        await tx.rollback()
