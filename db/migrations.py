"""Apply the Supabase shim (where missing), the roles and the pending migrations; load the seed."""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from db.sql_split import split_statements

log = logging.getLogger(__name__)

SUPABASE_DIR = Path(__file__).resolve().parent.parent / "supabase"
MIGRATION_FILE = re.compile(r"^([0-9]+)_(.*)\.sql$")  # the Supabase CLI's pattern

# Serialises concurrent runners (two server processes starting at once) on one database.
MIGRATION_LOCK_KEY = 7_301_946_252

CREATE_HISTORY = """
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);
"""
SELECT_APPLIED = "select version from supabase_migrations.schema_migrations"
INSERT_APPLIED = "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)"
UPSERT_SEED_FILE = """
insert into supabase_migrations.seed_files (path, hash) values ($1, $2)
on conflict (path) do update set hash = excluded.hash
"""
# Everything the shim provides; a real Supabase project has all of it (and `supabase_admin`).
SHIM_PRESENT = """
select exists (select 1 from pg_roles where rolname = 'supabase_admin')
    or (    (select count(*) from pg_roles where rolname in ('anon', 'authenticated', 'service_role')) = 3
        and exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
                    where n.nspname = 'auth' and c.relname = 'users')
        and (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
             where n.nspname = 'auth' and p.proname in ('uid', 'role', 'email', 'jwt') and p.pronargs = 0) = 4)
"""


class MigrationError(RuntimeError):
    """A migration (or the shim, roles or seed) failed; earlier migrations stay applied."""


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


@dataclass(frozen=True)
class MigrationReport:
    shim_applied: bool
    applied: list[str]
    already_applied: int


def discover_migrations(directory: Path | None = None) -> list[Migration]:
    """Migration files in version order, as `supabase db push` would see them."""
    folder = directory or SUPABASE_DIR / "migrations"
    found: list[Migration] = []
    for path in sorted(folder.glob("*.sql")):
        match = MIGRATION_FILE.match(path.name)
        if match is None:
            log.warning("skipping %s: not named <version>_<name>.sql", path.name)
            continue
        found.append(Migration(version=match.group(1), name=match.group(2), path=path))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise MigrationError("two migration files share a version")
    return sorted(found, key=lambda m: m.version)


async def migrate(conn: asyncpg.Connection, supabase_dir: Path | None = None) -> MigrationReport:
    """Bring the database up to date: shim (only where missing), roles.sql, then pending migrations.

    Each migration runs in its own transaction together with its history row, so a failure leaves the
    earlier ones applied and records nothing for the failed one.
    """
    folder = supabase_dir or SUPABASE_DIR
    await conn.execute("select pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        shim_applied = False
        if not await conn.fetchval(SHIM_PRESENT):
            await _run_script(conn, folder / "local" / "shim.sql", "the Supabase shim")
            shim_applied = True
        roles = folder / "roles.sql"
        if roles.exists():
            await _run_script(conn, roles, "roles.sql")
        await conn.execute(CREATE_HISTORY)
        done = {row["version"] for row in await conn.fetch(SELECT_APPLIED)}
        applied: list[str] = []
        for migration in discover_migrations(folder / "migrations"):
            if migration.version in done:
                continue
            sql = migration.sql
            try:
                async with conn.transaction():
                    await conn.execute(sql)
                    await conn.execute(INSERT_APPLIED, migration.version, migration.name, split_statements(sql))
            except asyncpg.PostgresError as exc:
                raise MigrationError(f"{migration.path.name}: {_describe(exc, sql)}") from exc
            log.info("applied %s", migration.path.name)
            applied.append(migration.path.name)
        return MigrationReport(shim_applied=shim_applied, applied=applied, already_applied=len(done))
    finally:
        await conn.execute("select pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)


async def seed(conn: asyncpg.Connection, supabase_dir: Path | None = None) -> Path:
    """Load supabase/seed.sql (idempotent demo data) in one transaction and record it like the CLI."""
    path = (supabase_dir or SUPABASE_DIR) / "seed.sql"
    sql = path.read_text(encoding="utf-8")
    try:
        async with conn.transaction():
            await conn.execute(sql)
            await conn.execute(UPSERT_SEED_FILE, "supabase/seed.sql", hashlib.sha256(sql.encode()).hexdigest())
    except asyncpg.PostgresError as exc:
        raise MigrationError(f"{path.name}: {_describe(exc, sql)}") from exc
    return path


async def _run_script(conn: asyncpg.Connection, path: Path, label: str) -> None:
    sql = path.read_text(encoding="utf-8")
    try:
        async with conn.transaction():
            await conn.execute(sql)
    except asyncpg.PostgresError as exc:
        raise MigrationError(f"{label} ({path.name}): {_describe(exc, sql)}") from exc


def _describe(exc: asyncpg.PostgresError, sql: str) -> str:
    """The Postgres error as psql would show it, with the line of the script it points at."""
    parts = [f"ERROR {exc.sqlstate}: {exc}"]
    detail = getattr(exc, "detail", None)
    if detail:
        parts.append(f"DETAIL: {detail}")
    position = getattr(exc, "position", None)
    if position:
        parts.append(f"(line {sql.count(chr(10), 0, int(position)) + 1})")
    return " ".join(parts)
