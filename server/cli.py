"""The `leadgen` command line: run the server, mint tokens, manage the database."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from types import FrameType

import asyncpg

from db.migrations import MigrationError, discover_migrations, migrate, seed
from db.pool import UnsafeLoginRoleError
from server import operations_cli, schema_export, schema_sql_cli, serve
from server import worker as worker_cli
from server.database_target import open_target
from server.db_wait import DatabaseStartupError, wait_for_database
from server.log_setup import configure_logging
from server.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadgen", description="Leadgen GraphQL backend")
    parser.add_argument(
        "--data-dir",
        type=Path,
        help="folder of the embedded PostgreSQL and the development signing key "
        "(default: $LEADGEN_DATA_DIR or ./.leadgen); the database part is ignored when DATABASE_URL is set",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the GraphQL server (embedded PostgreSQL unless DATABASE_URL)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="load the demo data and print a token to try the API")
    serve.add_argument("--no-migrate", action="store_true", help="do not apply pending migrations at start")

    token = commands.add_parser("token", help="print an access token for a user")
    token.add_argument("--email", required=True)
    token.add_argument("--expires-in", type=int, default=3600, help="seconds (development tokens)")
    token.add_argument("--password", help="Supabase project: sign in with this password (prompted if omitted)")
    token.add_argument("--otp", action="store_true", help="Supabase project: sign in with an emailed one-time code")

    schema = commands.add_parser("schema", help="write the GraphQL SDL to schema.graphql (--check: only compare)")
    schema_export.add_arguments(schema)

    db = commands.add_parser("db", help="database tasks").add_subparsers(dest="db_command", required=True)
    db.add_parser("migrate", help="apply the shim (where missing), roles.sql and pending migrations")
    db.add_parser("seed", help="load supabase/seed.sql (demo data; safe to repeat)")
    db.add_parser("setup", help="migrate, then seed")
    db.add_parser("status", help="list applied and pending migrations")
    dump = db.add_parser("dump-schema", help="write supabase/schema.sql from a freshly migrated scratch database")
    dump.add_argument("--check", action="store_true", help="only compare: exit 1 when the file is out of date")

    worker = commands.add_parser("worker", help="run workflows in the background (as many workers as you like)")
    worker_cli.add_arguments(worker)

    operations = commands.add_parser(
        "operations", help="trusted documents (LEADGEN_OPERATIONS=trusted runs only these)"
    )
    operations_cli.add_arguments(operations)

    bench = commands.add_parser("bench", help="benchmark data and load tests (`leadgen bench seed --help`)")
    bench.add_argument("bench_args", nargs=argparse.REMAINDER, help="a bench command and its options")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging()
    if args.command == "schema":  # needs neither settings nor a database
        return schema_export.run(args)
    settings = Settings.from_env()
    if args.data_dir is not None:
        settings = replace(settings, data_dir=args.data_dir)
        os.environ["LEADGEN_DATA_DIR"] = str(args.data_dir)
    # SIGTERM ends the process as SIGINT does, through the `finally` blocks that stop the embedded PostgreSQL
    # (uvicorn and the worker handle it first, for a graceful stop, then pass it on)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        if args.command == "serve":
            return serve.run(args, settings)
        if args.command == "worker":
            return worker_cli.run(args, settings)
        if args.command == "bench":
            from bench.cli import main as bench_main

            return bench_main(args.bench_args, settings, args.data_dir)
        if args.command == "operations":
            return asyncio.run(operations_cli.run(args, settings))
        if args.command == "token":
            from server.tokens import print_token

            return asyncio.run(print_token(settings, args.email, args.expires_in, args.password, args.otp))
        if args.db_command == "dump-schema":
            return asyncio.run(_dump_schema(settings, check=args.check))
        return asyncio.run(_run_db(args.db_command, settings))
    except MigrationError as exc:
        print(f"leadgen: migration failed: {exc}", file=sys.stderr)
        return 1
    except (OSError, asyncpg.PostgresError, ValueError, DatabaseStartupError, UnsafeLoginRoleError) as exc:
        print(f"leadgen: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not interrupt the clean-up
    raise SystemExit(0)


async def _run_db(command: str, settings: Settings) -> int:
    target = await open_target(settings)
    try:
        conn = await wait_for_database(
            lambda: asyncpg.connect(target.admin_dsn), target.admin, settings.db_startup_timeout
        )
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
        if target.embedded is not None:
            print("(the embedded server stops when this command exits; `leadgen serve` keeps it running)")
        return 0
    finally:
        target.close()


async def _dump_schema(settings: Settings, *, check: bool) -> int:
    target = await open_target(settings)
    try:
        return await schema_sql_cli.run(target.admin_dsn, check=check)
    finally:
        target.close()


async def _print_status(conn: asyncpg.Connection) -> None:
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
