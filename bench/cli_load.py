"""The `run` and `smoke` commands of `leadgen bench` (bench/cli.py adds them): options, then the driver."""

from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.check import Mismatch
from bench.driver import ALL_OPERATIONS, RunOptions, run
from bench.peers import PeerError
from bench.servers import SERVER_NAMES
from bench.smoke import SMOKE_FRACTION, smoke
from bench.timing import RunFailed
from server.database_target import DatabaseTarget
from server.settings import Settings

COMMANDS = ("run", "smoke")
ERRORS: tuple[type[Exception], ...] = (PeerError, Mismatch, RunFailed)  # reported as a message, exit status 1


def _number(kind: type[float] | type[int], minimum: float, strict: bool = False) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if value < minimum or (strict and value == minimum):
            raise argparse.ArgumentTypeError(f"must be {'above' if strict else 'at least'} {minimum}")
        return value

    return parse


def _csv(choices: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    def parse(text: str) -> tuple[str, ...]:
        values = tuple(v.strip() for v in text.split(",") if v.strip())
        unknown = [v for v in values if v not in choices]
        if unknown or not values:
            raise argparse.ArgumentTypeError(f"unknown {unknown or 'empty list'}; choose from {','.join(choices)}")
        return values

    return parse


def add_parsers(commands: Any, add_target_arguments: Callable[[argparse.ArgumentParser], None]) -> None:
    """`run` and `smoke` on the `leadgen bench` subcommands (`commands`, from add_subparsers)."""
    run_parser = commands.add_parser(
        "run",
        help="the load driver: correctness check, then timed rounds against every server, results table",
        description="Start ours, ours-general (field by field), the limit server and PostGraphile on the bench "
        "database, check that their answers are equal, then time each operation (and the mix) in interleaved "
        "rounds with autocannon; print and write the results (JSON and Markdown). See bench/README.md.",
    )
    add_target_arguments(run_parser)
    add = run_parser.add_argument
    add("--duration", type=_number(float, 0, strict=True), default=10, help="seconds per timed slot (default 10)")
    add("--rounds", type=_number(int, 1), default=3, help="interleaved rounds (default 3)")
    add("--connections", type=_number(int, 1), default=16, help="concurrent connections (default 16)")
    operations = ",".join(ALL_OPERATIONS)
    add("--operations", type=_csv(ALL_OPERATIONS), default=ALL_OPERATIONS, help=f"comma-separated ({operations})")
    servers = ",".join(SERVER_NAMES)
    add("--servers", type=_csv(SERVER_NAMES), default=SERVER_NAMES, help=f"comma-separated ({servers})")
    add("--soak-minutes", type=_number(float, 0), default=0, help="then the mix against ours for M minutes")
    add("--output", type=Path, help="results JSON, Markdown beside it (default bench/results/<UTC time>.json)")
    add("--users", type=_number(int, 1), default=40, help="bench users whose tokens rotate (default 40)")
    add("--check-users", type=_number(int, 5), default=6, help="users compared per operation (default 6, >= 5)")
    add("--warmup", type=_number(float, 0), default=2, help="untimed seconds before each slot (default 2)")
    add("--seed", type=int, default=1, help="seed of the variable draws (default 1)")
    smoke_parser = commands.add_parser(
        "smoke",
        help="correctness only: a tiny bench database, ours (compiled and general) and the limit must agree",
        description="Load a tiny bench data set into a throw-away embedded cluster, start our server (compiled "
        "and general path) and the limit server, and require equal answers for every operation and several "
        "users. No PostGraphile, no load, no timing.",
    )
    smoke_parser.add_argument(
        "--fraction", type=_number(float, 0, strict=True), default=SMOKE_FRACTION, help="data size (%(default)s)"
    )
    smoke_parser.add_argument("--users", type=_number(int, 5), default=8, help="users compared (%(default)s)")


async def run_command(
    args: argparse.Namespace,
    settings: Settings,
    open_target: Callable[[Settings], Awaitable[DatabaseTarget]],
    say: Callable[[str], None],
) -> int:
    if args.bench_command == "smoke":
        await smoke(fraction=args.fraction, users=args.users, say=say)
        return 0
    options = RunOptions(
        duration=args.duration,
        rounds=args.rounds,
        connections=args.connections,
        operations=args.operations,
        servers=args.servers,
        soak_minutes=args.soak_minutes,
        output=args.output,
        users=args.users,
        check_users=args.check_users,
        warmup=args.warmup,
        seed=args.seed,
    )
    target = await open_target(settings)
    try:
        say(f"database: {target.describe()}")
        await run(options, target, settings.data_dir, say=say)
    finally:
        target.close()
    return 0
