"""Timed slots: one operation on one server for one round (warm-up, then autocannon inside a CPU window); soak."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.loadgen import LoadRequest, LoadResult, run_plan, write_plan
from bench.metrics import CpuWindow, PostgresCpu, per_request_ms, tree_rss_bytes
from bench.operations import OPERATIONS
from bench.report import Sample, Soak
from bench.servers import Server
from bench.workload import MIX, Dialect, Workload
from bench.writes import remove_driver_writes

SOAK_SAMPLE_SECONDS = 10.0


class RunFailed(RuntimeError):
    """A timed load saw errors (non-2xx, GraphQL errors, connection errors, timeouts) or no response at all."""


@dataclass(frozen=True)
class Timing:
    duration: float
    rounds: int
    connections: int
    warmup: float


def writes_in(op_name: str) -> bool:
    return op_name == MIX or OPERATIONS[op_name].write


def serves(server: Server, op_name: str) -> bool:
    """PostGraphile answers only operations with an equivalent query (all of them, so far)."""
    return server.dialect != "postgraphile" or op_name == MIX or OPERATIONS[op_name].comparable_with_postgraphile


def write_plans(
    folder: Path, workload: Workload, op_names: Sequence[str], dialects: Sequence[Dialect], connections: int
) -> dict[tuple[str, Dialect], Path]:
    """One plan file per (operation, dialect): the URL is filled in per server by `plan_for`."""
    plans = {}
    for op_name in op_names:
        for dialect in dict.fromkeys(dialects):
            requests: list[LoadRequest] = workload.requests(op_name, dialect)
            path = folder / f"{op_name}-{dialect}.json"  # per server: `plan_for`
            plans[(op_name, dialect)] = write_plan(path, "", requests, connections=connections, duration=1)
    return plans


def plan_for(plans: Mapping[tuple[str, Dialect], Path], op_name: str, server: Server) -> Path:
    """The (operation, dialect) plan with this server's URL: a copy per server, written once."""
    source = plans[(op_name, server.dialect)]
    target = source.with_name(f"{op_name}@{server.name}.json")
    if not target.exists():
        text = source.read_text()
        target.write_text(text.replace('"url":""', f'"url":"{server.url}"', 1))
    return target


def _check(result: LoadResult, what: str) -> None:
    if result.failures or result.requests == 0:
        raise RunFailed(f"{what}: {result.requests} responses; {result.describe_failures()}")


async def time_slot(
    server: Server, plan: Path, timing: Timing, postgres: PostgresCpu, op_name: str, round_: int
) -> Sample:
    what = f"{op_name} on {server.name} (round {round_ + 1})"
    if timing.warmup > 0:
        _check(await run_plan(plan, duration=timing.warmup), f"warm-up of {what}")
    window = CpuWindow(server.pid, postgres)
    window.start()
    result = await run_plan(plan, duration=timing.duration)
    window.stop()
    _check(result, what)
    return Sample(
        op=op_name,
        server=server.name,
        round=round_ + 1,
        result=result,
        app_cpu_ms=per_request_ms(window.app_seconds, result.requests),
        pg_cpu_ms=per_request_ms(window.pg_seconds, result.requests),
    )


def _line(sample: Sample) -> str:
    r = sample.result

    def ms(value: float | None) -> str:
        return "n/a" if value is None else f"{value:.2f}"

    return (
        f"  {sample.op} round {sample.round} {sample.server:13} {r.rps:9.1f} req/s  p50 {r.p50_ms:7.1f}  "
        f"p95 {r.p95_ms:7.1f}  p99 {r.p99_ms:7.1f} ms  app {ms(sample.app_cpu_ms)}  PG {ms(sample.pg_cpu_ms)} ms/req"
    )


async def time_operations(
    servers: Sequence[Server],
    plans: Mapping[tuple[str, Dialect], Path],
    op_names: Sequence[str],
    timing: Timing,
    postgres: PostgresCpu,
    admin_dsn: str,
    say: Callable[[str], None],
) -> list[Sample]:
    """Each operation alone: `rounds` rounds, every server once per round, the starting server rotating."""
    samples: list[Sample] = []
    for op_name in op_names:
        eligible = [s for s in servers if serves(s, op_name)]
        for round_ in range(timing.rounds):
            shift = round_ % len(eligible)
            for server in eligible[shift:] + eligible[:shift]:
                plan = plan_for(plans, op_name, server)
                sample = await time_slot(server, plan, timing, postgres, op_name, round_)
                samples.append(sample)
                say(_line(sample))
                if writes_in(op_name):
                    await remove_driver_writes(admin_dsn)
        if writes_in(op_name):
            await remove_driver_writes(admin_dsn, vacuum=True)
    return samples


async def soak(server: Server, plan: Path, minutes: float, admin_dsn: str, say: Callable[[str], None]) -> Soak:
    """The mix against one server for `minutes`, its RSS sampled every 10 s."""
    result = Soak(minutes=minutes)
    started = time.monotonic()
    load = asyncio.create_task(run_plan(plan, duration=minutes * 60))
    try:
        done: set[asyncio.Task[LoadResult]] = set()
        while not done:
            elapsed = time.monotonic() - started
            result.samples.append((round(elapsed, 1), tree_rss_bytes(server.pid) / 2**20))
            say(f"  soak {elapsed / 60:5.1f} min: RSS {result.samples[-1][1]:.1f} MiB")
            done, _ = await asyncio.wait({load}, timeout=SOAK_SAMPLE_SECONDS)
        result.samples.append((round(time.monotonic() - started, 1), tree_rss_bytes(server.pid) / 2**20))
        outcome = load.result()
    finally:
        if not load.done():
            load.cancel()
            await asyncio.gather(load, return_exceptions=True)
        await remove_driver_writes(admin_dsn, vacuum=True)
    result.requests, result.rps, result.failures = outcome.requests, outcome.rps, outcome.failures
    _check(outcome, f"soak of {server.name}")
    return result
