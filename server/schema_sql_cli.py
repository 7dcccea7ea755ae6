"""`leadgen db dump-schema [--check]`: write (or compare) supabase/schema.sql from a freshly migrated database."""

from __future__ import annotations

import difflib
import os
import sys
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from db.migrations import migrate
from db.schema_dump import DUMPED_MAJOR, SCHEMA_FILE, schema_sql
from db.sql import ident


def _with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


async def fresh_schema_sql(admin_dsn: str) -> str:
    """Migrate a new scratch database on the same server, dump its schema, drop it."""
    name = f"leadgen_schema_dump_{os.getpid()}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        major = int(await admin.fetchval("select current_setting('server_version_num')::int / 10000"))
        if major != DUMPED_MAJOR:
            raise RuntimeError(f"supabase/schema.sql is dumped from PostgreSQL {DUMPED_MAJOR}; this server is {major}")
        await admin.execute(f"drop database if exists {ident(name)} with (force)")
        await admin.execute(f"create database {ident(name)}")
        try:
            scratch = await asyncpg.connect(_with_database(admin_dsn, name))
            try:
                await migrate(scratch)
            finally:
                await scratch.close()
            return await schema_sql(_with_database(admin_dsn, name))
        finally:
            await admin.execute(f"drop database if exists {ident(name)} with (force)")
    finally:
        await admin.close()


async def run(admin_dsn: str, *, check: bool) -> int:
    expected = await fresh_schema_sql(admin_dsn)
    current = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
    if check:
        if current == expected:
            print(f"{SCHEMA_FILE} is up to date")
            return 0
        diff = difflib.unified_diff(current.splitlines(True), expected.splitlines(True), "committed", "migrations")
        sys.stdout.writelines(diff)
        print(f"\n{SCHEMA_FILE} differs from what the migrations make: run `leadgen db dump-schema`", file=sys.stderr)
        return 1
    SCHEMA_FILE.write_text(expected)
    print(f"{'unchanged:' if current == expected else 'wrote'} {SCHEMA_FILE}")
    return 0
