"""The workflow engine in this process, against a real database: steps in order after their delays (a controllable
clock, no waiting), exactly once with workers racing, a worker that dies mid-step, retries with back-off and final
failure, a workflow never touching another user's lead, bounded chains, and the worker's role checks."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg
import pytest

from db.pool import UnsafeLoginRoleError, create_worker_pool
from domain.workflows.actions.base import ActionContext, PermanentActionError, RetryableActionError, StepOutcome
from domain.workflows.actions.registry import ActionRegistry, default_registry
from domain.workflows.clock import FakeClock
from domain.workflows.conditions import Problem
from domain.workflows.settings import EngineConfig
from tests.support.databases import PgCluster
from tests.support.waiting import wait_until
from tests.support.workflows import (
    NOTE,
    add_lead,
    add_user,
    add_workflow,
    admin,
    executions,
    notes,
    personal,
    running_worker,
    space_of,
    statuses,
    steps,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures


class Flaky:
    """Fails retryably `failures` times per execution, then adds nothing and succeeds."""

    type = "webhook"  # stands in for a real action type

    def __init__(self, failures: int, *, permanent: bool = False) -> None:
        self.failures = failures
        self.permanent = permanent
        self.calls: dict[uuid.UUID, int] = {}

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return []

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        calls = self.calls[ctx.execution_id] = self.calls.get(ctx.execution_id, 0) + 1
        if self.permanent:
            raise PermanentActionError("the receiver said 410 Gone")
        if calls <= self.failures:
            raise RetryableActionError(f"timed out (call {calls})")
        return StepOutcome(output={"calls": calls})


class Trespass:
    """Writes a note on the lead named in its config: the owner's RLS decides whether that is allowed."""

    type = "update_field"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return []

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        await ctx.session.execute(
            "insert into public.lead_activities (lead_id, user_id, activity_type) values ($1, auth.uid(), 'note')",
            uuid.UUID(config["lead"]),
        )
        await ctx.session.execute(
            "update public.leads set job_title = 'pwned' where id = $1", uuid.UUID(config["lead"])
        )
        return StepOutcome()


def registry_with(*actions: Any) -> ActionRegistry:
    registry = default_registry()
    for action in actions:
        registry.register(action)
    return registry


async def test_steps_run_in_order_each_after_its_delay(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(
        admin,
        scope,
        "lead_created",
        steps=[NOTE, ("wait", {}, 3600), ("add_note", {"note": "Then {{ lastName }}"}, 0)],
    )
    lead = await add_lead(admin, scope, last_name="Lovelace")
    clock = FakeClock()
    async with running_worker(cluster.dsn(workflow_db), clock) as worker:
        summary = await worker.run_once()
        assert summary.executions >= 1
        [execution] = await executions(admin, workflow)
        assert execution["status"] == "running" and await notes(admin, lead) == ["Hello Ada"]
        assert statuses(execution) == ["completed", "scheduled", "pending"]
        run_at = dt.datetime.fromisoformat(steps(execution)[1]["runAt"])
        assert abs((run_at - clock.now()).total_seconds() - 3600) < 1
        clock.advance(3599)
        await worker.run_once()
        assert statuses((await executions(admin, workflow))[0]) == ["completed", "scheduled", "pending"]
        clock.advance(2)
        await worker.run_once()
    [execution] = await executions(admin, workflow)
    assert execution["status"] == "completed" and statuses(execution) == ["completed", "completed", "completed"]
    assert await notes(admin, lead) == ["Hello Ada", "Then Lovelace"]
    first, wait, last = steps(execution)
    assert first["attempts"] == 1 and first["output"]["activityId"] and wait["output"] == {"waitedSeconds": 3600}
    assert execution["completed_at"] >= execution["started_at"]
    assert steps(execution)[0]["type"] == "add_note" and "startedAt" in last and "finishedAt" in last


async def test_two_workers_racing_start_and_run_everything_exactly_once(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[NOTE, NOTE])
    twin = await add_workflow(admin, scope, "lead_created", steps=[NOTE])
    await admin.execute(
        "insert into public.leads (user_id, first_name) select $1, 'L' || n from generate_series(1, 30) n", scope.user
    )
    leads = [r["id"] for r in await admin.fetch("select id from public.leads where user_id = $1", scope.user)]
    clock = FakeClock()
    async with (
        running_worker(cluster.dsn(workflow_db), clock, concurrency=4, worker_id="a") as a,
        running_worker(cluster.dsn(workflow_db), clock, concurrency=4, worker_id="b") as b,
    ):
        first, second = await asyncio.gather(a.run_once(), b.run_once())
    assert first.events + second.events >= 30
    assert first.executions + second.executions == 60
    for wf, count in ((workflow, 2), (twin, 1)):
        runs = await executions(admin, wf)
        assert len(runs) == 30 and {r["lead_id"] for r in runs} == set(leads)
        assert {r["status"] for r in runs} == {"completed"}
        assert all(s["attempts"] == 1 for r in runs for s in steps(r)) and len(steps(runs[0])) == count
    counts = await admin.fetch(
        "select lead_id, count(*) as n from public.lead_activities where lead_id = any($1) group by lead_id", leads
    )
    assert {r["n"] for r in counts} == {3} and len(counts) == 30  # 2 + 1 notes each, none twice


async def test_a_worker_that_dies_mid_step_loses_nothing(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[NOTE])
    lead = await add_lead(admin, scope)
    clock = FakeClock()
    async with running_worker(cluster.dsn(workflow_db), clock, worker_id="doomed") as doomed:
        # the doomed worker claims the event and abandons it (as if killed): nobody else may take it yet
        [event] = [e for e in await doomed.engine.claim_events(50, lease_seconds=30) if e.lead_id == lead]
        async with running_worker(cluster.dsn(workflow_db), clock, worker_id="rescuer") as rescuer:
            await rescuer.run_once()
            assert await executions(admin, workflow) == []
            clock.advance(31)  # the lease ran out
            await rescuer.run_once()
            [execution] = await executions(admin, workflow)
            assert execution["status"] == "completed" and execution["event_id"] == event.id
            # now the same with a step: claimed, begun, abandoned
            again = await add_lead(admin, scope)
            await doomed.engine.process_events()  # fans the event out: a job is due
            jobs = await doomed.engine.claim_jobs(10, lease_seconds=30)
            assert len(jobs) == 1
            await rescuer.run_once()
            assert await notes(admin, again) == []
            clock.advance(31)
            await rescuer.run_once()
            # a late finish by the doomed worker is refused: its lease is gone, and so are its writes
            from domain.workflows.steps import run_job

            assert await run_job(doomed.engine.runtime, jobs[0]) == "lost"
    runs = {r["lead_id"]: r for r in await executions(admin, workflow)}
    assert runs[again]["status"] == "completed" and steps(runs[again])[0]["attempts"] == 2
    assert await notes(admin, again) == ["Hello Ada"] and await notes(admin, lead) == ["Hello Ada"]
    state = await admin.fetchval("select state from private.workflow_events where id = $1", event.id)
    assert state == "done"


async def test_retries_back_off_then_fail_with_the_error(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    flaky, broken = Flaky(failures=10), Flaky(failures=1)
    config = EngineConfig(max_attempts=3, retry_base_seconds=10)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[("webhook", {}, 0), NOTE])
    lead = await add_lead(admin, scope)
    clock = FakeClock()
    async with running_worker(cluster.dsn(workflow_db), clock, config=config, registry=registry_with(flaky)) as worker:
        await worker.run_once()
        [execution] = await executions(admin, workflow)
        step = steps(execution)[0]
        assert execution["status"] == "running" and step["status"] == "retrying" and step["attempts"] == 1
        assert step["error"] == "timed out (call 1)"
        assert dt.datetime.fromisoformat(step["nextAttemptAt"]) == clock.now() + dt.timedelta(seconds=10)
        clock.advance(9)
        await worker.run_once()
        assert steps((await executions(admin, workflow))[0])[0]["attempts"] == 1  # not yet
        clock.advance(1)
        await worker.run_once()  # attempt 2 fails; the next one waits 20 s
        step = steps((await executions(admin, workflow))[0])[0]
        assert step["attempts"] == 2
        assert dt.datetime.fromisoformat(step["nextAttemptAt"]) == clock.now() + dt.timedelta(seconds=20)
        clock.advance(20)
        await worker.run_once()  # attempt 3 is the last
    [execution] = await executions(admin, workflow)
    assert execution["status"] == "failed" and statuses(execution) == ["failed", "pending"]
    assert execution["error"] == "step 1 (webhook): timed out (call 3) (gave up after 3 attempts)"
    assert steps(execution)[0]["attempts"] == 3 and await notes(admin, lead) == []
    job = await admin.fetchrow(
        "select state, attempts, last_error from private.workflow_jobs where execution_id = $1", execution["id"]
    )
    assert job is not None and job["state"] == "failed" and job["attempts"] == 3 and "gave up" in job["last_error"]
    # a step that fails once then succeeds completes the workflow
    other = await add_lead(admin, scope)
    async with running_worker(cluster.dsn(workflow_db), clock, config=config, registry=registry_with(broken)) as worker:
        await worker.run_once()
        clock.advance(10)
        await worker.run_once()
    run = next(r for r in await executions(admin, workflow) if r["lead_id"] == other)
    assert run["status"] == "completed" and steps(run)[0]["output"] == {"calls": 2}
    assert await notes(admin, other) == ["Hello Ada"]


async def test_permanent_errors_and_unwritten_actions_fail_at_once(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    misfit = await add_workflow(admin, scope, "lead_created", steps=[("send_email", {"template": "x"}, 0), NOTE])
    gone = await add_workflow(admin, scope, "lead_created", steps=[("webhook", {}, 0)])
    invalid = await add_workflow(admin, scope, "lead_created", steps=[("add_note", {"text": "?"}, 0)])
    await add_lead(admin, scope)
    clock = FakeClock()
    registry = registry_with(Flaky(0, permanent=True))
    async with running_worker(cluster.dsn(workflow_db), clock, registry=registry) as worker:
        await worker.run_once()
    [run] = await executions(admin, misfit)  # a config written past the API's checks
    assert run["status"] == "failed"
    assert run["error"].startswith("step 1 (send_email): invalid actionConfig (template: not a setting of send_email")
    assert statuses(run) == ["failed", "pending"] and steps(run)[0]["attempts"] == 1
    assert (await executions(admin, gone))[0]["error"] == "step 1 (webhook): the receiver said 410 Gone"
    assert "invalid actionConfig (text: not a setting of add_note" in (await executions(admin, invalid))[0]["error"]


async def test_a_workflow_never_touches_another_users_lead(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    alice, bob = await personal(admin, "alice"), await personal(admin, "bob")
    member = await add_user(admin, "member")
    alices_space = await space_of(admin, alice.user, (member, "member"))
    on_created = await add_workflow(admin, alice, "lead_created")
    in_space = await add_workflow(admin, alices_space, "lead_created")
    bobs_lead = await add_lead(admin, bob)
    alices_lead = await add_lead(admin, alice)
    trespass = await add_workflow(admin, alice, "manual", steps=[("update_field", {"lead": str(bobs_lead)}, 0)])
    # a manual run as the engine starts one (leadgen.run_workflow wants a caller's claims; the API tests use it)
    event = await admin.fetchval(
        "insert into private.workflow_events (event_type, lead_id, lead_owner_id, state) values ('manual', $1, $2,"
        " 'done') returning id",
        alices_lead,
        alice.user,
    )
    execution = await admin.fetchval("select private.create_workflow_execution($1, $2, null)", event, trespass)
    clock = FakeClock()
    async with running_worker(cluster.dsn(workflow_db), clock, registry=registry_with(Trespass())) as worker:
        await worker.run_once()
    # Bob's event never started Alice's workflows (neither her personal nor her space's)
    assert {r["lead_id"] for r in await executions(admin, on_created)} == {alices_lead}
    assert await executions(admin, in_space) == []
    # and an action as Alice could not write Bob's lead, even given its id
    [run] = await executions(admin, trespass)
    assert run["id"] == execution and run["status"] == "failed"
    assert "not allowed for the workflow's owner" in run["error"]
    assert await notes(admin, bobs_lead) == []
    assert await admin.fetchval("select job_title from public.leads where id = $1", bobs_lead) is None


async def test_a_workflow_does_not_restart_itself_and_chains_are_bounded(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    ping = await add_workflow(admin, scope, "activity_logged", {"activityTypes": ["note", "CALL_MADE"]})
    pong = await add_workflow(admin, scope, "activity_logged", {"activityTypes": ["note"]})
    lead = await add_lead(admin, scope)
    await admin.execute("insert into public.lead_activities (lead_id, activity_type) values ($1, 'call_made')", lead)
    clock = FakeClock()
    async with running_worker(cluster.dsn(workflow_db), clock, config=EngineConfig(max_chain_depth=3)) as worker:
        await worker.run_once()
    # depth 0: the call starts ping; depth 1: ping's note starts pong; depth 2: pong's note starts ping;
    # depth 3: ping's note would start pong, but the chain is too deep
    assert len(await executions(admin, ping)) == 2 and len(await executions(admin, pong)) == 1
    assert len(await notes(admin, lead)) == 3
    deepest = await admin.fetchrow(
        "select chain_depth, last_error from private.workflow_events where lead_id = $1 order by id desc limit 1", lead
    )
    assert deepest is not None and deepest["chain_depth"] == 3 and deepest["last_error"].startswith("started nothing")


async def test_the_worker_wakes_on_notify(admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created")
    async with running_worker(cluster.dsn(workflow_db)) as worker:
        worker.options = type(worker.options)(concurrency=1, poll_interval=60)  # only a NOTIFY can wake it in time
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run(stop))
        try:
            await asyncio.sleep(0.3)  # idle, listening
            lead = await add_lead(admin, scope)

            async def completed() -> bool:
                runs = await executions(admin, workflow)
                return bool(runs) and runs[0]["status"] == "completed"

            await wait_until(completed, 5, "the execution to complete")
            assert await notes(admin, lead) == ["Hello Ada"]
        finally:
            stop.set()
            await asyncio.wait_for(task, 5)


@pytest.mark.parametrize("user", [None, "leadgen_api"])
async def test_the_worker_refuses_an_unsafe_login_role(cluster: PgCluster, workflow_db: str, user: str | None) -> None:
    with pytest.raises(UnsafeLoginRoleError):
        await create_worker_pool(cluster.dsn(workflow_db, user=user))


class Hang:
    type = "change_stage"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return []

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        await asyncio.sleep(30)
        return StepOutcome()


async def test_a_step_that_runs_too_long_is_stopped(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[("change_stage", {}, 0)])
    await add_lead(admin, scope)
    config = EngineConfig(step_timeout_seconds=0.4, max_attempts=1)
    async with running_worker(
        cluster.dsn(workflow_db), FakeClock(), config=config, registry=registry_with(Hang())
    ) as w:
        await w.run_once()
    [run] = await executions(admin, workflow)
    assert run["status"] == "failed" and "took too long" in run["error"]
