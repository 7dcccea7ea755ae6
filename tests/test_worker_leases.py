"""The worker's leases and concurrency against a real database: a step longer than its lease keeps it while its
worker lives (heartbeat) and stops when it is lost, `--concurrency N` has N steps in flight as soon as N are due,
however they arrive, a claim skips rows another claim holds (never waits for them), and a worker whose lease was
taken over can neither finish, retry, fail nor renew the step. (The claims come last: they leave rows leased.)"""

from __future__ import annotations

import asyncio
import inspect
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from db import integration_push as push_sql
from db import workflows as sql
from db.pool import init_connection
from domain.workflows.actions.base import ActionContext, StepOutcome
from domain.workflows.actions.registry import ActionRegistry, default_registry
from domain.workflows.clock import FakeClock
from domain.workflows.conditions import Problem
from domain.workflows.settings import EngineConfig
from tests.support.databases import PgCluster, with_user
from tests.support.workflow_actions import add_webhook_integration
from tests.support.workflows import (
    add_lead,
    add_workflow,
    admin,
    executions,
    personal,
    running_worker,
    steps,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures
SLOW: tuple[str, dict[str, Any], int] = ("wait", {}, 0)  # the stand-in actions below take the `wait` type


@pytest_asyncio.fixture
async def as_worker(cluster: PgCluster, workflow_db: str) -> AsyncIterator[Callable[[], Awaitable[asyncpg.Connection]]]:
    """Connections logged in as the worker's role (closed after the test)."""
    opened: list[asyncpg.Connection] = []

    async def connect() -> asyncpg.Connection:
        conn = await asyncpg.connect(with_user(cluster.dsn(workflow_db), "leadgen_worker"))
        await init_connection(conn)  # JSON as Python values, as on the worker's pool
        opened.append(conn)
        return conn

    yield connect
    for conn in opened:
        await conn.close()


async def until(check: Callable[[], Any], what: str, seconds: float = 30.0) -> Any:
    """Poll `check` (a function or a coroutine function) until it gives something truthy (a generous limit: the
    machine may be busy)."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = check()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


def registry_with(action: Any) -> ActionRegistry:
    registry = default_registry()
    registry.register(action)
    return registry


# ---- heartbeat ------------------------------------------------------------------------------------------------


class Slow:
    """Takes `seconds`; counts its runs and how many are under way at once; `release` ends them early."""

    type = "wait"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.runs = 0
        self.running = 0
        self.peak = 0
        self.cancelled = 0
        self.release = asyncio.Event()

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return []

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        self.runs += 1
        self.running += 1
        self.peak = max(self.peak, self.running)
        try:
            await asyncio.wait_for(self.release.wait(), self.seconds)
        except TimeoutError:
            pass
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.running -= 1
        return StepOutcome(output={"slept": True})


async def test_a_step_longer_than_its_lease_keeps_it_while_its_worker_lives(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[SLOW])
    await add_lead(admin, scope)
    slow = Slow(seconds=2.5)  # more than twice the lease
    config = EngineConfig(lease_seconds=1.0)
    dsn = cluster.dsn(workflow_db)
    async with (
        running_worker(dsn, config=config, registry=registry_with(slow)) as first,
        running_worker(dsn, config=config, registry=registry_with(slow)) as second,
    ):
        task = asyncio.create_task(first.run_once())
        await until(lambda: slow.runs, "the step to start")
        while not task.done():  # the second worker keeps looking for due work meanwhile
            await second.run_once()
            await asyncio.sleep(0.1)
        await task
    [run] = await executions(admin, workflow)
    assert run["status"] == "completed" and steps(run)[0]["attempts"] == 1
    assert slow.runs == 1 and slow.cancelled == 0


async def test_a_step_whose_lease_is_lost_is_stopped(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[SLOW])
    await add_lead(admin, scope)
    slow = Slow(seconds=60)
    config = EngineConfig(lease_seconds=0.6)
    async with running_worker(cluster.dsn(workflow_db), config=config, registry=registry_with(slow)) as worker:
        task = asyncio.create_task(worker.run_once())
        await until(lambda: slow.runs, "the step to start")
        await asyncio.sleep(3 * config.lease_seconds)
        assert (slow.runs, slow.running) == (1, 1)  # still at it: its lease renewed
        [run] = await executions(admin, workflow)
        # cancelled in Studio: the job is no longer the worker's, the next heartbeat finds out and stops the step
        await admin.execute(
            "update private.workflow_jobs set state = 'cancelled', locked_by = null, locked_until = null"
            " where execution_id = $1",
            run["id"],
        )
        summary = await asyncio.wait_for(task, 30)
    assert slow.cancelled == 1 and summary.lost >= 1


# ---- concurrency ----------------------------------------------------------------------------------------------


async def test_concurrency_n_runs_n_due_steps_at_once_however_they_arrive(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[SLOW])
    slow = Slow(seconds=60)
    async with running_worker(cluster.dsn(workflow_db), concurrency=4, registry=registry_with(slow)) as worker:
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            await add_lead(admin, scope)
            await until(lambda: slow.running == 1, "the first step to start")
            for _ in range(3):  # three more arrive while the first runs: each starts at once, next to it
                await add_lead(admin, scope)
            await until(lambda: slow.running == 4, "four steps running at once")
            await add_lead(admin, scope)  # a fifth waits for a free slot ...
            await asyncio.sleep(0.5)
            assert slow.running == 4 and slow.peak == 4
            slow.release.set()  # ... and runs when one frees up
            await until(lambda: _completed(admin, workflow, 5), "all five executions to complete", seconds=60)
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)
    assert slow.runs == 5 and slow.peak == 4


async def _completed(admin: asyncpg.Connection, workflow: uuid.UUID, count: int) -> bool:
    runs = await executions(admin, workflow)
    return len(runs) == count and all(r["status"] == "completed" for r in runs)


# ---- the claim: FOR UPDATE SKIP LOCKED ------------------------------------------------------------------------


async def two_due(admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, queue: str) -> None:
    """At least two due rows in `queue`."""
    scope = await personal(admin)
    if queue in ("workflow_events", "workflow_jobs"):
        await add_workflow(admin, scope, "lead_created")  # each lead's creation is an event
    else:
        await add_webhook_integration(admin, scope, "https://hooks.example.com/in", "whsec_" + uuid.uuid4().hex)
    for _ in range(2):
        await add_lead(admin, scope)
    if queue == "workflow_jobs":  # fan the events out: a job each
        async with running_worker(cluster.dsn(workflow_db), FakeClock()) as worker:
            await worker.engine.process_events(limit=100)


@pytest.mark.parametrize(
    ("queue", "claim"),
    [
        ("workflow_events", sql.CLAIM_EVENTS),
        ("workflow_jobs", sql.CLAIM_JOBS),
        ("integration_deliveries", push_sql.CLAIM),
    ],
)
async def test_a_claim_takes_another_row_at_once_while_one_is_held(
    admin: asyncpg.Connection,
    cluster: PgCluster,
    workflow_db: str,
    as_worker: Callable[[], Awaitable[asyncpg.Connection]],
    queue: str,
    claim: str,
) -> None:
    await two_due(admin, cluster, workflow_db, queue)
    holder, other = await as_worker(), await as_worker()
    now = FakeClock().now()
    async with holder.transaction():  # a claim still open (its worker is slow to commit, or stuck)
        [held] = await holder.fetch(claim, "holder", now, 30.0, 1)
        await other.execute("set statement_timeout = '2s'")
        # with SKIP LOCKED the second claim passes the held row by; without, it waits for it (and times out)
        [taken] = await other.fetch(claim, "other", now, 30.0, 1)
        assert taken["id"] != held["id"]
        row = await admin.fetchrow(f"select locked_by from private.{queue} where id = $1", taken["id"])
        assert row is not None and row["locked_by"] == "other"


# ---- settling checks the lease --------------------------------------------------------------------------------

OUTCOMES = [("completed", {"x": 1}, None), ("skipped", {}, None), ("retry", None, "later"), ("failed", None, "no")]


async def test_a_worker_whose_lease_was_taken_over_cannot_finish_retry_fail_or_renew_the_step(
    admin: asyncpg.Connection,
    cluster: PgCluster,
    workflow_db: str,
    as_worker: Callable[[], Awaitable[asyncpg.Connection]],
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created")
    lead = await add_lead(admin, scope)
    clock = FakeClock()
    async with running_worker(cluster.dsn(workflow_db), clock) as worker:
        await worker.engine.process_events(limit=100)
    [execution] = [r for r in await executions(admin, workflow) if r["lead_id"] == lead]
    job = await admin.fetchval("select id from private.workflow_jobs where execution_id = $1", execution["id"])
    conn = await as_worker()

    async def claim(worker_id: str) -> int:
        rows = await conn.fetch(sql.CLAIM_JOBS, worker_id, clock.now(), 30.0, 100)
        [attempt] = [r["attempts"] for r in rows if r["id"] == job]
        return int(attempt)

    assert await claim("slow") == 1
    assert (await conn.fetchval(sql.BEGIN_STEP, job, "slow", 1, clock.now()))["state"] == "run"
    clock.advance(31)  # the slow worker's lease ran out ...
    assert await claim("slow") == 2  # ... it claimed the step again itself (attempt 2) ...
    clock.advance(31)
    assert await claim("rescuer") == 3  # ... and ran out again: the rescuer holds attempt 3 now
    before = await admin.fetchrow("select * from private.workflow_jobs where id = $1", job)
    data = await admin.fetchval(
        "select execution_data from public.lead_workflow_executions where id = $1", execution["id"]
    )
    for worker_id, attempt in (("slow", 1), ("slow", 2), ("rescuer", 2), ("slow", 3)):
        for outcome, output, error in OUTCOMES:
            with pytest.raises(asyncpg.PostgresError) as refused:
                await conn.fetchval(
                    sql.END_STEP, job, worker_id, attempt, clock.now(), outcome, output, error, clock.now()
                )
            assert refused.value.sqlstate == "LG409", (worker_id, attempt, outcome)
        assert await conn.fetchval(sql.RENEW_JOB, job, worker_id, attempt, clock.now(), 30.0) is None
    assert await admin.fetchrow("select * from private.workflow_jobs where id = $1", job) == before
    after = await admin.fetchval(
        "select execution_data from public.lead_workflow_executions where id = $1", execution["id"]
    )
    assert after == data
    # the holder of the lease can
    assert await conn.fetchval(sql.RENEW_JOB, job, "rescuer", 3, clock.now(), 30.0) is not None
    assert await conn.fetchval(sql.END_STEP, job, "rescuer", 3, clock.now(), "completed", {}, None, None) == "completed"
