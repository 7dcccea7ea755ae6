"""The bench smoke run in-process (issue 4, item 7): on a tiny generated bench data set, every benchmark operation
answers alike on our compiled read path, our general (field-by-field) path and the limit SQL, for several users;
writes succeed on all three. No timing. `leadgen bench smoke` does the same with real server processes."""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from bench.check import Answer, Mismatch, Responder, Target, check_equal, http_responder
from bench.load import seed_scale
from bench.loadgen import LoadResult
from bench.operations import OPERATIONS, READ_OPERATIONS, Operation, run_limit
from bench.report import Sample, Soak, ratios, summarise
from bench.scale import Scale
from bench.workload import MIX, Draw, Workload, prepare_workload
from bench.writes import remove_driver_writes
from db.pool import SERVER_SETTINGS
from server.dev_keys import DevSigningKey
from tests.support.api import api_client
from tests.support.databases import PgCluster

FRACTION = 0.002
USERS = 8


@dataclass
class TinyBench:
    admin_dsn: str
    api_dsn: str
    key_dir: Path
    workload: Workload


@pytest_asyncio.fixture(scope="module")
async def tiny(cluster: PgCluster, module_db: str, tmp_path_factory: pytest.TempPathFactory) -> TinyBench:
    admin_dsn, api_dsn = cluster.dsn(module_db), cluster.dsn(module_db, user="leadgen_api")
    conn = await asyncpg.connect(admin_dsn)
    try:
        await seed_scale(conn, Scale.units(1, fraction=FRACTION), out=lambda line: None)
    finally:
        await conn.close()
    key_dir = tmp_path_factory.mktemp("bench-keys")
    key = DevSigningKey.load_or_create(key_dir)
    workload = await prepare_workload(admin_dsn, api_dsn, key, users=USERS, per_user=2, writes_per_user=1)
    return TinyBench(admin_dsn, api_dsn, key_dir, workload)


@pytest_asyncio.fixture
async def limit_conn(tiny: TinyBench) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(tiny.api_dsn, server_settings=SERVER_SETTINGS)  # no JSON codec: text as sent
    try:
        yield conn
    finally:
        await conn.close()


def limit_responder(conn: asyncpg.Connection) -> Responder:
    async def respond(op: Operation, draw: Draw) -> Answer:
        return Answer(200, json.loads(await run_limit(conn, op, draw.user.caller, draw.variables)), 3)

    return respond


async def test_every_operation_agrees_on_ours_compiled_general_and_the_limit(
    tiny: TinyBench, limit_conn: asyncpg.Connection
) -> None:
    samples = {name: tiny.workload.draws[name] for name in OPERATIONS}
    assert all(samples.values())
    async with (
        api_client(tiny.api_dsn, tiny.key_dir, compiled_reads=True) as compiled,
        api_client(tiny.api_dsn, tiny.key_dir, compiled_reads=False) as general,
    ):
        targets = [
            Target("ours", "ours", http_responder(compiled.http, "/graphql", "ours")),
            Target("ours-general", "ours", http_responder(general.http, "/graphql", "ours")),
            Target("limit", "ours", limit_responder(limit_conn)),
        ]
        report = await check_equal(targets, samples, say=lambda line: None)
    assert set(report.compared) == set(OPERATIONS)
    users_per_op = {name: len({d.user.user_id for d in draws}) for name, draws in samples.items()}
    assert min(users_per_op.values()) >= 5, users_per_op
    # the one-statement path answers the list-heavy reads: BEGIN (with role and claims), the query, COMMIT
    assert report.statements["ours"]["dashboard"] == report.statements["ours"]["nested50"] == 3
    assert report.statements["ours-general"]["dashboard"] > 3
    assert await remove_driver_writes(tiny.admin_dsn) >= len(samples["create_lead"]) + len(samples["log_activity"])
    assert await remove_driver_writes(tiny.admin_dsn) == 0


async def test_a_difference_is_reported_with_a_diff(tiny: TinyBench, limit_conn: asyncpg.Connection) -> None:
    honest = limit_responder(limit_conn)

    async def tampered(op: Operation, draw: Draw) -> Answer:
        answer = await honest(op, draw)
        answer.body["data"]["leads"]["nodes"][0]["score"] += 1
        return answer

    targets = [Target("limit", "ours", honest), Target("tampered", "ours", tampered)]
    with pytest.raises(Mismatch, match=r"tampered differs from limit:\n(.|\n)*score"):
        await check_equal(targets, {"dashboard": tiny.workload.draws["dashboard"][:1]}, say=lambda line: None)


def test_requests_are_fixed_and_the_mix_writes_about_one_in_ten(tiny: TinyBench) -> None:
    workload = tiny.workload
    assert workload.requests("tiny", "ours") == workload.requests("tiny", "ours")
    first_users = [d.user.user_id for d in workload.draws["dashboard"][:USERS]]
    assert len(set(first_users)) == USERS  # users interleaved: consecutive requests rotate tokens
    names = [name for name, _ in workload.mix]
    share = sum(OPERATIONS[n].write for n in names) / len(names)
    assert 0.07 < share < 0.13
    assert {op.name for op in READ_OPERATIONS} <= set(names)
    assert len(workload.requests(MIX, "postgraphile")) == len(workload.mix)


def _result(rps: float, p95: float) -> LoadResult:
    return LoadResult(int(rps * 10), 10.0, rps, p95 / 2, p95, p95 * 1.5, 0, 0, 0, 0, None)


def test_the_report_takes_medians_across_rounds_and_the_ratios() -> None:
    samples = [
        Sample("dashboard", server, round_, _result(rps, p95), 1.0, 2.0)
        for server, values in {"ours": [(900, 20), (1000, 18), (1100, 30)], "limit": [(1000, 10)] * 3}.items()
        for round_, (rps, p95) in enumerate(values, 1)
    ] + [Sample("dashboard", "postgraphile", r, _result(400, 40), 3.0, 1.0) for r in (1, 2, 3)]
    table = summarise(samples, {"ours": {"dashboard": 3.0}})
    ours = table["dashboard"][0]
    assert (ours.server, ours.rps, ours.p95_ms, ours.statements, ours.rounds) == ("ours", 1000, 20, 3.0, 3)
    r = ratios(table["dashboard"])
    assert (r.ours_limit_rps, r.ours_limit_p95, r.ours_postgraphile_rps) == (1.0, 2.0, 2.5)


def test_a_soak_is_flat_unless_memory_keeps_growing() -> None:
    flat = Soak(minutes=10, samples=[(t * 10.0, 100 + (t % 2) * 0.5) for t in range(61)])
    growing = Soak(minutes=10, samples=[(t * 10.0, 100 + t) for t in range(61)])
    assert flat.flat and abs(flat.slope_mib_per_min or 0) < 0.1
    assert growing.flat is False
    assert math.isclose(growing.slope_mib_per_min or 0, 6.0)
