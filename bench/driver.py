"""`leadgen bench run`: the load driver (issue 4, item 2), from prepared requests to the results table.

1. Workload: N bench users who see leads, a real ES256 token each (the DevSigningKey of the bench data folder),
   every operation's variables per user drawn from a seeded Random: every request body is fixed before timing.
2. Servers: ours, ours-general (LEADGEN_COMPILED_READS=0), the limit server and PostGraphile v5, each its own
   process on its own port, all on the same database as leadgen_api, all verifying the same JWKS.
3. Correctness: every operation, a sample of users: every server's normalised answer must be equal (writes: must
   succeed), else the run stops with a diff. Statements per operation: counted by Postgres (bench/statements.py).
4. Timing: each operation alone, then the mix: interleaved rounds across servers (autocannon, `connections`
   connections, `duration` seconds), app and Postgres CPU per request; any error fails the run.
5. Report: medians across rounds, ours/limit and ours/PostGraphile; printed, and written as JSON and Markdown.
6. Soak (optional): the mix against ours for M minutes, RSS every 10 s.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from bench import peers, report
from bench.check import CheckReport, Target, check_equal, http_responder
from bench.loadgen import install_autocannon
from bench.metrics import PostgresCpu, machine_info
from bench.operations import OPERATIONS
from bench.servers import SERVER_NAMES, ServerSet
from bench.statements import StatementLog, log_file
from bench.timing import Timing, plan_for, serves, soak, time_operations, write_plans
from bench.workload import MIX, Workload, prepare_workload
from bench.writes import remove_driver_writes
from server.database_target import DatabaseTarget
from server.dev_keys import DevSigningKey

ALL_OPERATIONS = (*OPERATIONS, MIX)
RESULTS_DIR = peers.REPO / "bench" / "results"
LIMIT_STATEMENTS = 3  # BEGIN with role and claims, the statement, COMMIT
Say = Callable[[str], None]


@dataclass(frozen=True)
class RunOptions:
    duration: float = 10
    rounds: int = 3
    connections: int = 16
    operations: tuple[str, ...] = ALL_OPERATIONS
    servers: tuple[str, ...] = SERVER_NAMES
    soak_minutes: float = 0
    output: Path | None = None
    users: int = 40
    per_user: int = 5
    check_users: int = 6
    warmup: float = 2
    seed: int = 1


def default_output() -> Path:
    return RESULTS_DIR / f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.json"


def _role_and_database(dsn: str) -> tuple[str, str]:
    parts = urlsplit(dsn)
    return unquote(parts.username or ""), unquote(parts.path.lstrip("/"))


def targets_of(servers: ServerSet, client: httpx.AsyncClient) -> list[Target]:
    return [Target(s.name, s.dialect, http_responder(client, s.url, s.dialect)) for s in servers]


async def check(servers: ServerSet, workload: Workload, ops: Sequence[str], users: int, say: Say) -> CheckReport:
    samples = {op: workload.sample(op, users, per_user=1 if OPERATIONS[op].write else 2) for op in ops if op != MIX}
    async with httpx.AsyncClient(timeout=60) as client:
        return await check_equal(targets_of(servers, client), samples, say=say)


async def count_statements(
    servers: ServerSet, workload: Workload, ops: Sequence[str], target: DatabaseTarget, say: Say
) -> dict[str, dict[str, float | None]]:
    """Statements per operation and server, from the statement log; empty when the log is not readable here."""
    import asyncpg

    conn = await asyncpg.connect(target.admin_dsn)
    try:
        path = await log_file(conn, target.embedded.pgdata if target.embedded else None)
    finally:
        await conn.close()
    if path is None:
        say("statements per operation: the server log is not readable here (n/a except our header)")
        return {}
    role, database = _role_and_database(target.api_dsn)
    counts: dict[str, dict[str, float | None]] = {s.name: {} for s in servers}
    async with httpx.AsyncClient(timeout=60) as client, StatementLog(target.admin_dsn, path, role, database) as log:
        for op_name in (op for op in ops if op != MIX):
            op, draw = OPERATIONS[op_name], workload.draws[op_name][0]
            for server in (s for s in servers if serves(s, op_name)):
                send = functools.partial(http_responder(client, server.url, server.dialect), op, draw)
                await send()  # warm: the connection that answers has prepared its statements
                counts[server.name][op_name] = await log.count(send, repeats=3)
    say("statements per operation (Postgres statement log): " + json.dumps(counts))
    odd = {op: n for op, n in counts.get("limit", {}).items() if n != LIMIT_STATEMENTS}
    if odd:
        say(f"warning: the limit should take {LIMIT_STATEMENTS} statements per operation, the log shows {odd}")
    await remove_driver_writes(target.admin_dsn)
    return counts


def merged_statements(
    logged: dict[str, dict[str, float | None]], header: dict[str, dict[str, int]]
) -> dict[str, dict[str, float | None]]:
    """The statement log's count where there is one, else our header's."""
    out: dict[str, dict[str, float | None]] = {}
    for server in set(logged) | set(header):
        out[server] = {**{k: float(v) for k, v in header.get(server, {}).items()}, **logged.get(server, {})}
    return out


async def run(options: RunOptions, target: DatabaseTarget, data_dir: Path, say: Say = print) -> dict[str, Any]:
    """The whole run; returns the JSON document it also writes (and its Markdown next to it)."""
    unknown = [op for op in options.operations if op not in ALL_OPERATIONS]
    if unknown:
        raise ValueError(f"unknown operations {unknown}; known: {', '.join(ALL_OPERATIONS)}")
    install_autocannon()
    if "postgraphile" in options.servers:
        peers.install_postgraphile()
    key = DevSigningKey.load_or_create(data_dir)
    removed = await remove_driver_writes(target.admin_dsn)
    if removed:
        say(f"removed {removed} rows left by an earlier run's writes")
    expected_seconds = len(options.operations) * len(options.servers) * options.rounds * (options.duration + 10)
    workload = await prepare_workload(
        target.admin_dsn,
        target.api_dsn,
        key,
        users=options.users,
        per_user=options.per_user,
        seed=options.seed,
        expires_in=int(3600 + expected_seconds + options.soak_minutes * 60),
    )
    say(f"workload: {len(workload.users)} users; " + ", ".join(f"{k} {len(v)}" for k, v in workload.draws.items()))
    postgres = await PostgresCpu.find(target.admin_dsn)
    if postgres.postmaster is None:
        say("Postgres CPU: the cluster's processes are not on this machine (n/a)")
    else:
        say(f"Postgres CPU: the postmaster (pid {postgres.postmaster.pid}) and its children")
    machine = await machine_info(target.admin_dsn, options.servers)
    timing = Timing(options.duration, options.rounds, options.connections, options.warmup)
    soak_result = None
    with (
        ServerSet.start(options.servers, target.api_dsn, key.jwks(), say=say) as servers,
        tempfile.TemporaryDirectory(prefix="leadgen-bench-") as folder,
    ):
        say(f"correctness: every server's normalised answers must be equal ({options.check_users} users)")
        checked = await check(servers, workload, options.operations, options.check_users, say)
        await remove_driver_writes(target.admin_dsn)
        logged = await count_statements(servers, workload, options.operations, target, say)
        statements = merged_statements(logged, checked.statements)
        dialects = [s.dialect for s in servers]
        plans = write_plans(Path(folder), workload, options.operations, dialects, options.connections)
        say(f"timing: {options.rounds} rounds x {options.duration:g} s at {options.connections} connections")
        samples = await time_operations(
            list(servers), plans, options.operations, timing, postgres, target.admin_dsn, say
        )
        if options.soak_minutes > 0 and "ours" not in servers.names():
            say("soak: skipped (it runs against ours, which is not among --servers)")
        elif options.soak_minutes > 0:
            say(f"soak: the mix against ours for {options.soak_minutes:g} min")
            if (MIX, "ours") not in plans:
                plans.update(write_plans(Path(folder), workload, [MIX], ["ours"], options.connections))
            mix_plan = plan_for(plans, MIX, servers["ours"])
            soak_result = await soak(servers["ours"], mix_plan, options.soak_minutes, target.admin_dsn, say)
    table = report.summarise(samples, statements)
    settings = {**asdict(options), "users": len(workload.users), "output": str(options.output or "")}
    extra = {
        "statements_header": checked.statements,
        "checked": checked.compared,
        "workload": {op: len(draws) for op, draws in workload.draws.items()},
        "soak": soak_result.as_dict() if soak_result else None,
    }
    document = report.to_json(table, samples, machine, settings, extra)
    say("\n" + report.text(table))
    if soak_result is not None:
        s = soak_result.as_dict()
        say(
            f"soak: {s['rss_start_mib']:.1f} -> {s['rss_end_mib']:.1f} MiB RSS, slope "
            f"{s['slope_mib_per_min'] or 0:.2f} MiB/min ({'flat' if s['flat'] else 'NOT flat'})"
        )
    output = options.output or default_output()
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, default=str) + "\n")
    output.with_suffix(".md").write_text(report.markdown(table, machine, settings))
    say(f"wrote {output} and {output.with_suffix('.md')}")
    return document
