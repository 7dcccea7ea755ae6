"""`leadgen bench ...`: benchmark commands: `seed` loads the deterministic data set; `run` (the load driver) and
`smoke` (its correctness-only part, for CI) live in bench/cli_load.py.

The bench commands use their own embedded PostgreSQL data folder, so the demo database stays untouched:
`bench <command> --data-dir DIR`, else `leadgen --data-dir DIR bench ...`, else $LEADGEN_BENCH_DATA_DIR,
else `.leadgen-bench`. With DATABASE_URL set they use that server instead (a superuser connection: the load
sets `session_replication_role`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

import asyncpg

from bench import cli_load
from bench.load import BenchError, row_counts, seed_scale
from bench.procs import terminate_as_exit
from bench.scale import Scale
from db.migrations import MigrationError, migrate
from server.database_target import DatabaseTarget, open_target
from server.settings import Settings

DEFAULT_DATA_DIR = Path(".leadgen-bench")
REPORTED: tuple[type[Exception], ...] = (BenchError, MigrationError, *cli_load.ERRORS)  # a message, exit 1


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError("must be in (0, 1]")
    return value


def add_target_arguments(parser: argparse.ArgumentParser) -> None:
    """Where the bench database is (shared by every bench command)."""
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"embedded PostgreSQL folder for benchmarks (default: $LEADGEN_BENCH_DATA_DIR or {DEFAULT_DATA_DIR}); "
        "ignored when DATABASE_URL is set",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="leadgen bench", description="Benchmark data and load tests")
    commands = parser.add_subparsers(dest="bench_command", required=True)
    seed = commands.add_parser(
        "seed",
        help="load the deterministic benchmark data (COPY), scale unit by unit",
        description="Load scale units 0..N-1 (per unit: 100 users, 20 spaces, 10,000 companies, 100,000 leads, "
        "500,000 activities, 200 campaigns, 300,000 campaign associations, stages, sources, scoring rules). "
        "Units already loaded are skipped; --reset removes all bench data first.",
    )
    add_target_arguments(seed)
    seed.add_argument("--scale", type=_positive, default=1, help="number of scale units (default 1)")
    seed.add_argument("--fraction", type=_fraction, default=1.0, help="shrink every unit (quick tries; default 1)")
    seed.add_argument("--reset", action="store_true", help="remove the bench data (and markers) before loading")
    cli_load.add_parsers(commands, add_target_arguments)
    explain = commands.add_parser(
        "explain",
        help="EXPLAIN every loader and compiled query as authenticated: index use, flat keyset pagination",
    )
    add_target_arguments(explain)
    return parser


def bench_settings(settings: Settings, data_dir: Path | None) -> Settings:
    """`settings` with the bench data folder (explicit, else $LEADGEN_BENCH_DATA_DIR, else the default)."""
    chosen = data_dir or Path(os.environ.get("LEADGEN_BENCH_DATA_DIR") or DEFAULT_DATA_DIR)
    return replace(settings, data_dir=chosen)


async def open_bench_target(settings: Settings) -> DatabaseTarget:
    """The bench database, migrated."""
    target = await open_target(settings)
    try:
        conn = await asyncpg.connect(target.admin_dsn)
        try:
            report = await migrate(conn)
        finally:
            await conn.close()
    except BaseException:
        target.close()
        raise
    if report.applied:
        print(f"applied {len(report.applied)} migration(s)", flush=True)
    return target


def main(argv: list[str], settings: Settings, data_dir: Path | None = None) -> int:
    """Run a bench command; `data_dir` is the top-level `leadgen --data-dir`, if given."""
    args = build_parser().parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request
    settings = bench_settings(settings, getattr(args, "data_dir", None) or data_dir)
    try:
        with terminate_as_exit():  # SIGTERM unwinds like Ctrl-C: every server the command started is ended
            if args.bench_command == "seed":
                return asyncio.run(_seed(args, settings))
            if args.bench_command == "explain":
                return asyncio.run(_explain(settings))
            if args.bench_command in cli_load.COMMANDS:
                return asyncio.run(cli_load.run_command(args, settings, open_bench_target, _say))
        raise AssertionError(args.bench_command)  # argparse allows only the commands above
    except REPORTED as exc:
        print(f"leadgen bench: {exc}", file=sys.stderr)
        return 1


async def _seed(args: argparse.Namespace, settings: Settings) -> int:
    scale = Scale.units(args.scale, fraction=args.fraction)
    started = time.perf_counter()
    target = await open_bench_target(settings)
    try:
        print(f"database: {target.describe()}", flush=True)
        conn = await asyncpg.connect(target.admin_dsn)
        try:
            report = await seed_scale(conn, scale, reset=args.reset, out=_say)
            counts = await row_counts(conn)
        finally:
            await conn.close()
    finally:
        target.close()
    if report.others:
        print(f"note: the database also holds units {report.others} (beyond --scale {args.scale})")
    verb = f"loaded units {report.loaded}" if report.loaded else "nothing to load"
    print(f"{verb} in {time.perf_counter() - started:.1f} s; rows now in the database:")
    for table, count in counts.items():
        print(f"  {table:36} {count:>10,}")
    return 0


async def _explain(settings: Settings) -> int:
    from bench.explain import run

    target = await open_bench_target(settings)
    try:
        return await run(target.admin_dsn, target.api_dsn)
    finally:
        target.close()


def _say(line: str) -> None:
    print(line, flush=True)
