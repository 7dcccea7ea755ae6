"""`leadgen bench smoke`: the benchmark's operations, for correctness only (issue 4, item 7), in under a minute.

A throw-away embedded cluster gets a tiny bench data set (`bench seed --fraction`); our server (compiled read
path), our server on the general path only and the limit server start as processes; every operation's answers
must be equal on all three for several users (writes: must succeed). No PostGraphile, no autocannon, no timing.
tests/test_bench_smoke.py runs the same comparison in-process for CI.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx

from bench.check import check_equal
from bench.driver import targets_of
from bench.load import seed_scale
from bench.operations import OPERATIONS
from bench.scale import Scale
from bench.servers import ServerSet
from bench.workload import prepare_workload
from db.migrations import migrate
from server.dev_keys import DevSigningKey
from server.embedded import EmbeddedPostgres

SMOKE_SERVERS = ("ours", "ours-general", "limit")
SMOKE_FRACTION = 0.002


async def smoke(
    *, fraction: float = SMOKE_FRACTION, users: int = 8, per_user: int = 2, say: Callable[[str], None] = print
) -> None:
    """Raise (bench.check.Mismatch, BenchError, PeerError...) unless every server agrees on every operation."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="leadgen-bench-smoke-") as folder:
        embedded = EmbeddedPostgres(Path(folder) / "db", delete_on_exit=True)
        embedded.start()
        try:
            await embedded.ensure_database()
            admin_dsn, api_dsn = embedded.dsn(), embedded.dsn(user="leadgen_api")
            conn = await asyncpg.connect(admin_dsn)
            try:
                await migrate(conn)
                await seed_scale(conn, Scale.units(1, fraction=fraction), out=lambda line: None)
            finally:
                await conn.close()
            say(f"tiny bench database (fraction {fraction}) ready in {time.perf_counter() - started:.1f} s")
            key = DevSigningKey.load_or_create(Path(folder) / "keys")
            workload = await prepare_workload(
                admin_dsn, api_dsn, key, users=users, per_user=per_user, writes_per_user=1
            )
            samples = {name: workload.draws[name] for name in OPERATIONS}
            with ServerSet.start(SMOKE_SERVERS, api_dsn, key.jwks(), say=say) as servers:
                async with httpx.AsyncClient(timeout=60) as client:
                    report = await check_equal(targets_of(servers, client), samples, say=say)
        finally:
            embedded.stop()
    servers_text = ", ".join(SMOKE_SERVERS)
    seconds = time.perf_counter() - started
    say(f"smoke: {len(report.compared)} operations identical on {servers_text} for {len(workload.users)} users")
    say(f"smoke passed in {seconds:.1f} s")
