"""The migration runner: applies everything once, records it like the Supabase CLI, stops on failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import asyncpg
import pytest

from db.migrations import SUPABASE_DIR, MigrationError, discover_migrations, migrate
from db.sql_split import split_statements
from tests.support.databases import PgCluster


async def test_applies_everything_to_an_empty_database_then_nothing(cluster: PgCluster) -> None:
    name = f"leadgen_empty_{id(cluster)}"
    await cluster.drop(name)
    conn0 = await asyncpg.connect(cluster.admin_dsn)
    await conn0.execute(f'create database "{name}"')
    await conn0.close()
    conn = await asyncpg.connect(cluster.dsn(name))
    try:
        first = await migrate(conn)
        expected = [m.path.name for m in discover_migrations()]
        assert first.applied == expected
        second = await migrate(conn)
        assert second.applied == []
        assert second.already_applied == len(expected)
        assert second.shim_applied is False  # the shim is only applied where missing
        rows = await conn.fetch(
            "select version, name, statements from supabase_migrations.schema_migrations order by version"
        )
        assert [f"{r['version']}_{r['name']}.sql" for r in rows] == expected
        assert all(len(r["statements"]) > 0 for r in rows)
    finally:
        await conn.close()
        await cluster.drop(name)


async def test_failing_migration_names_the_file_and_keeps_earlier_ones(cluster: PgCluster, tmp_path: Path) -> None:
    folder = tmp_path / "supabase"
    shutil.copytree(SUPABASE_DIR, folder, ignore=shutil.ignore_patterns("seed.sql"))
    (folder / "migrations" / "29990101000000_broken.sql").write_text(
        "create table public.broken_ok (id int);\nselect * from no_such_table;\n"
    )
    (folder / "migrations" / "29990101000001_after.sql").write_text("create table public.never (id int);\n")
    name = await cluster.clone("broken")
    conn = await asyncpg.connect(cluster.dsn(name))
    try:
        with pytest.raises(MigrationError) as raised:
            await migrate(conn, folder)
        message = str(raised.value)
        assert "29990101000000_broken.sql" in message
        assert "42P01" in message and "no_such_table" in message and "line 2" in message
        versions = {r["version"] for r in await conn.fetch("select version from supabase_migrations.schema_migrations")}
        assert "29990101000000" not in versions and "29990101000001" not in versions
        assert {m.version for m in discover_migrations()} <= versions  # earlier ones stay applied
        assert await conn.fetchval("select to_regclass('public.broken_ok')") is None  # its own transaction
        assert await conn.fetchval("select to_regclass('public.never')") is None
    finally:
        await conn.close()
        await cluster.drop(name)


def test_migration_files_follow_the_cli_naming() -> None:
    for path in (SUPABASE_DIR / "migrations").iterdir():
        assert path.suffix == ".sql"
        version, _, rest = path.name.partition("_")
        assert len(version) == 14 and version.isdigit() and rest, path.name


def test_split_statements_respects_dollar_quotes_comments_and_strings() -> None:
    script = """
    -- a comment; with a semicolon
    create function f() returns int language sql as $$ select 1; $$;
    select 'a;b', "we;ird" from t; /* block ; /* nested ; */ still */
    do $body$ begin perform 1; end $body$;
    """
    statements = split_statements(script)
    assert len(statements) == 3
    assert statements[0].startswith("-- a comment")
    assert "$$ select 1; $$" in statements[0]
    assert "'a;b'" in statements[1]
    assert statements[2].startswith("/* block")


async def test_api_login_role_is_noinherit_and_can_only_become_anon_or_authenticated(
    module_db: str, cluster: PgCluster
) -> None:
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        row = await conn.fetchrow(
            "select rolcanlogin, rolinherit, rolsuper, rolbypassrls from pg_roles where rolname = 'leadgen_api'"
        )
        assert row is not None
        assert row["rolcanlogin"] and not row["rolinherit"] and not row["rolsuper"] and not row["rolbypassrls"]
        granted = {
            r["rolname"]
            for r in await conn.fetch(
                "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
                "join pg_roles u on u.oid = m.member where u.rolname = 'leadgen_api'"
            )
        }
        assert granted == {"anon", "authenticated"}
    finally:
        await conn.close()
    api = await asyncpg.connect(cluster.dsn(module_db, user="leadgen_api"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await api.fetch("select * from public.leads")  # NOINHERIT: nothing without switching role
        async with api.transaction():
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await api.execute("select set_config('role', 'service_role', true)")
        async with api.transaction():
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await api.execute("select set_config('role', 'postgres', true)")
    finally:
        await api.close()


async def test_every_public_table_has_rls_and_comments(module_db: str, cluster: PgCluster) -> None:
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        tables = await conn.fetch(
            "select c.relname, c.relrowsecurity, obj_description(c.oid, 'pg_class') as comment "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and c.relkind = 'r'"
        )
        assert len(tables) >= 19
        for t in tables:
            assert t["relrowsecurity"], f"RLS is off on {t['relname']}"
            assert t["comment"], f"{t['relname']} has no comment"
        missing = await conn.fetch(
            "select c.relname, a.attname from pg_attribute a join pg_class c on c.oid = a.attrelid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped "
            "and col_description(c.oid, a.attnum) is null"
        )
        assert [f"{r['relname']}.{r['attname']}" for r in missing] == []
        for t in tables:
            columns = {
                r["attname"]
                for r in await conn.fetch(
                    "select attname from pg_attribute "
                    "where attrelid = $1::regclass and attnum > 0 and not attisdropped",
                    f"public.{t['relname']}",
                )
            }
            assert {"id", "created_at", "updated_at"} <= columns, t["relname"]
        anon_grants = await conn.fetchval(
            "select count(*) from information_schema.role_table_grants "
            "where grantee = 'anon' and table_schema = 'public'"
        )
        assert anon_grants == 0
    finally:
        await conn.close()


async def test_worker_login_role_is_noinherit_and_can_only_become_authenticated(
    module_db: str, cluster: PgCluster
) -> None:
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        row = await conn.fetchrow(
            "select rolcanlogin, rolinherit, rolsuper, rolbypassrls from pg_roles where rolname = 'leadgen_worker'"
        )
        assert row is not None
        assert row["rolcanlogin"] and not row["rolinherit"] and not row["rolsuper"] and not row["rolbypassrls"]
        granted = {
            r["rolname"]
            for r in await conn.fetch(
                "select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid "
                "join pg_roles u on u.oid = m.member where u.rolname = 'leadgen_worker'"
            )
        }
        assert granted == {"authenticated"}
        tables = await conn.fetch(
            "select distinct table_schema || '.' || table_name as t from information_schema.role_table_grants"
            " where grantee = 'leadgen_worker'"
        )
        assert {r["t"] for r in tables} == {
            "private.workflow_events",
            "private.workflow_jobs",
            "private.integration_deliveries",  # the integration push's queue (20261125190000_workflow_actions.sql)
            "private.invitation_emails",  # invitation emails to send (20261206120100_space_invitations.sql)
        }
    finally:
        await conn.close()
    worker = await asyncpg.connect(cluster.dsn(module_db, user="leadgen_worker"))
    try:
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await worker.fetch("select * from public.leads")  # NOINHERIT: the queue only, without switching
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await worker.fetch("select * from private.form_submissions")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await worker.execute("delete from private.workflow_jobs")
        for role in ("anon", "service_role", "leadgen_api", "postgres"):
            async with worker.transaction():
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    await worker.execute(f"select set_config('role', '{role}', true)")
    finally:
        await worker.close()
