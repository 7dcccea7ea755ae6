"""The workflow actions that write to the database, run by a real engine against a real database: assign_lead (a
user, round robin: fair, remembered, never the same turn twice under concurrency), change_stage, update_field,
add_to_campaign / remove_from_campaign; and a workflow owner's RLS bounding what each action may touch.
Email and webhook actions: tests/test_workflow_actions_outside.py; configs: tests/test_workflow_action_configs.py."""

from __future__ import annotations

import asyncio
import collections
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from domain.workflows.clock import FakeClock
from tests.support.databases import PgCluster
from tests.support.mutations import gid
from tests.support.waiting import wait_until
from tests.support.workflow_actions import (
    action_settings,
    activities,
    add_campaign,
    add_custom_field,
    stage_named,
    step_outputs,
    worker_with,
)
from tests.support.workflows import (
    Scope,
    Step,
    add_lead,
    add_user,
    add_workflow,
    admin,
    executions,
    personal,
    space_of,
    statuses,
    steps,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures


async def run(
    admin: asyncpg.Connection,
    dsn: str,
    scope: Scope,
    steps_: Sequence[Step],
    tmp_path: Path | None = None,
    **lead: Any,
) -> tuple[uuid.UUID, asyncpg.Record]:
    """A lead_created workflow of `scope` with these steps, one new lead, and a worker run: (lead, execution).
    The workflow is switched off afterwards, so later leads of the scope do not start it."""
    workflow = await add_workflow(admin, scope, "lead_created", steps=steps_)
    lead_id = await add_lead(admin, scope, **lead)
    async with worker_with(dsn, FakeClock(), action_settings(outbox=tmp_path)) as worker:
        await worker.run_once()
    await admin.execute("update public.lead_workflows set is_active = false where id = $1", workflow)  # done
    [execution] = await executions(admin, workflow)
    return lead_id, execution


async def test_assign_lead_to_a_user_of_the_scope_and_refuse_anyone_else(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    owner, member, stranger = [await add_user(admin, n) for n in ("owner", "member", "stranger")]
    scope = await space_of(admin, owner, (member, "member"))
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, [("assign_lead", {"user": gid("User", member)}, 0)])
    assert run_["status"] == "completed" and step_outputs(run_)[0]["assignedTo"] == str(member)
    assert await admin.fetchval("select assigned_to from public.leads where id = $1", lead) == member
    [assigned] = await activities(admin, lead, "assigned")
    assert assigned["user_id"] == owner and assigned["activity_data"]["to"] == str(member)
    assert assigned["activity_data"]["from"] is None and assigned["description"].startswith("Assigned to member.")
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, [("assign_lead", {"user": str(stranger)}, 0)])
    assert run_["status"] == "failed" and f"user {stranger} is not in the lead's scope" in run_["error"]
    assert await admin.fetchval("select assigned_to from public.leads where id = $1", lead) is None


async def test_round_robin_is_fair_remembers_its_turn_and_skips_viewers(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    owner, boss, member, viewer = [await add_user(admin, n) for n in ("owner", "admin", "member", "viewer")]
    scope = await space_of(admin, owner, (boss, "admin"), (member, "member"), (viewer, "viewer"))
    workflow = await add_workflow(admin, scope, "lead_created", steps=[("assign_lead", {"strategy": "round_robin"}, 0)])
    writers = [
        r["user_id"]
        for r in await admin.fetch(
            "select user_id from public.space_members where space_id = $1 and role <> 'viewer'"
            " order by created_at, user_id",
            scope.space,
        )
    ]
    await admin.execute(
        "insert into public.leads (user_id, space_id, first_name) select $1, $2, 'L' || n from generate_series(1, 6) n",
        owner,
        scope.space,
    )
    dsn, clock = cluster.dsn(workflow_db), FakeClock()
    async with (
        worker_with(dsn, clock, action_settings(), concurrency=3, worker_id="rr-a") as a,
        worker_with(dsn, clock, action_settings(), concurrency=3, worker_id="rr-b") as b,
    ):
        await asyncio.gather(a.run_once(), b.run_once())
    runs = await executions(admin, workflow)
    assert len(runs) == 6 and {r["status"] for r in runs} == {"completed"}
    outputs = [step_outputs(r)[0] for r in runs]
    assert sorted(o["turn"] for o in outputs) == list(range(6))  # no turn taken twice
    assert all(o["assignedTo"] == str(writers[o["turn"] % 3]) and o["candidates"] == 3 for o in outputs)
    leads = await admin.fetch("select assigned_to from public.leads where space_id = $1", scope.space)
    assigned = collections.Counter(r["assigned_to"] for r in leads)
    assert assigned == {w: 2 for w in writers}
    assert await admin.fetchval("select turns from private.workflow_round_robin where workflow_id = $1", workflow) == 6
    # a new worker (a restart) goes on from the stored turn
    lead = await add_lead(admin, scope)
    async with worker_with(dsn, clock, action_settings()) as worker:
        await worker.run_once()
    [later] = [r for r in await executions(admin, workflow) if r["lead_id"] == lead]
    assert step_outputs(later)[0]["turn"] == 6 and step_outputs(later)[0]["assignedTo"] == str(writers[0])


async def test_two_executions_at_once_take_consecutive_turns(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    owner, member = await add_user(admin, "owner"), await add_user(admin, "member")
    scope = await space_of(admin, owner, (member, "member"))
    workflow = await add_workflow(admin, scope, "lead_created", steps=[("assign_lead", {"strategy": "round_robin"}, 0)])
    dsn, clock = cluster.dsn(workflow_db), FakeClock()
    await add_lead(admin, scope)
    async with worker_with(dsn, clock, action_settings()) as worker:
        await worker.run_once()  # the workflow's turn exists now: 1
    blocker = await asyncpg.connect(dsn)
    try:
        await blocker.execute("begin")
        await blocker.execute("select 1 from private.workflow_round_robin where workflow_id = $1 for update", workflow)
        await admin.execute(
            "insert into public.leads (user_id, space_id) select $1, $2 from generate_series(1, 2)", owner, scope.space
        )
        async with (
            worker_with(dsn, clock, action_settings(), worker_id="x") as x,
            worker_with(dsn, clock, action_settings(), worker_id="y") as y,
        ):
            await x.engine.process_events()  # both executions exist, with their steps due, before the race
            racing = asyncio.gather(x.run_once(), y.run_once())

            async def both_wait() -> bool:  # both steps wait on the turn's row lock
                waiting = await admin.fetchval(
                    "select count(*) from pg_stat_activity where datname = current_database()"
                    " and application_name = 'leadgen-worker' and wait_event_type = 'Lock'"
                )
                assert waiting <= 2
                return bool(waiting == 2)

            await wait_until(both_wait, 10, "both steps to wait on the lock")
            await blocker.execute("rollback")
            await racing
    finally:
        await blocker.close()
    runs = await executions(admin, workflow)
    assert sorted(step_outputs(r)[0]["turn"] for r in runs) == [0, 1, 2]
    assert await admin.fetchval("select turns from private.workflow_round_robin where workflow_id = $1", workflow) == 3


async def test_round_robin_of_a_personal_lead_assigns_its_owner(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, [("assign_lead", {"strategy": "round_robin"}, 0)])
    assert run_["status"] == "completed" and step_outputs(run_)[0]["assignedTo"] == str(scope.user)
    assert await admin.fetchval("select assigned_to from public.leads where id = $1", lead) == scope.user


async def test_change_stage_by_name_or_id_within_the_lead_s_board(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope, other = await personal(admin), await personal(admin)
    qualified = await stage_named(admin, scope, "Qualified")
    moves: list[Step] = [
        ("change_stage", {"stageName": "qualified"}, 0),
        ("change_stage", {"stage": str(qualified)}, 0),
    ]
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, moves)
    assert run_["status"] == "completed" and statuses(run_) == ["completed", "skipped"]
    assert step_outputs(run_)[0] == {"toStageId": str(qualified), "stageName": "Qualified"}  # nulls are left out
    assert await admin.fetchval("select stage_id from public.leads where id = $1", lead) == qualified
    [moved] = await activities(admin, lead, "stage_changed")
    assert moved["activity_data"] == {"from": None, "to": {"id": str(qualified), "name": "Qualified"}}
    assert moved["user_id"] == scope.user
    foreign = await stage_named(admin, other, "Won")
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, [("change_stage", {"stage": str(foreign)}, 0)])
    assert run_["status"] == "failed" and "is not a stage of the lead's board" in run_["error"]
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, [("change_stage", {"stageName": "Nope"}, 0)])
    assert run_["status"] == "failed" and "no stage named 'Nope'" in run_["error"]


async def test_update_field_sets_allowed_columns_and_checks_custom_fields(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    await add_custom_field(admin, scope, "plan", "select", ["basic", "pro"])
    updates: list[Step] = [
        ("update_field", {"field": "status", "value": "QUALIFIED"}, 0),
        ("update_field", {"field": "budget", "value": "1500.5"}, 0),
        ("update_field", {"field": "jobTitle", "value": "CTO"}, 0),
        ("update_field", {"field": "phone", "value": None}, 0),
        ("update_field", {"field": "customFields.plan", "value": "pro"}, 0),
    ]
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, updates, phone="+1 555")
    assert run_["status"] == "completed", run_["error"]
    columns = "status, budget, job_title, phone, custom_fields"
    row = await admin.fetchrow(f"select {columns} from public.leads where id = $1", lead)
    assert row is not None and (row["status"], str(row["budget"]), row["job_title"], row["phone"]) == (
        "qualified",
        "1500.50",
        "CTO",
        None,
    )
    assert row["custom_fields"] == {"plan": "pro"}
    assert step_outputs(run_)[0] == {"field": "status", "previous": "new", "value": "qualified"}
    assert step_outputs(run_)[4] == {"field": "customFields.plan", "value": "pro"}
    lead, run_ = await run(
        admin, cluster.dsn(workflow_db), scope, [("update_field", {"field": "customFields.plan", "value": "gold"}, 0)]
    )
    assert run_["status"] == "failed" and "customFields.plan" in run_["error"]
    assert await admin.fetchval("select custom_fields from public.leads where id = $1", lead) == {}


async def test_campaign_membership_of_the_lead_s_scope(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope, other = await personal(admin), await personal(admin)
    campaign, foreign = await add_campaign(admin, scope), await add_campaign(admin, other)
    config = {"campaign": gid("Campaign", campaign)}
    steps_: list[Step] = [
        ("add_to_campaign", config, 0),
        ("add_to_campaign", config, 0),
        ("remove_from_campaign", config, 0),
        ("remove_from_campaign", config, 0),
        ("add_to_campaign", config, 0),
    ]
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, steps_)
    assert statuses(run_) == ["completed", "skipped", "completed", "skipped", "completed"]
    assert step_outputs(run_)[0] == {"campaignId": str(campaign), "campaignName": "Spring"}
    members = "select count(*) from public.lead_campaign_associations where lead_id = $1 and campaign_id = $2"
    assert await admin.fetchval(members, lead, campaign) == 1
    lead, run_ = await run(admin, cluster.dsn(workflow_db), scope, [("add_to_campaign", {"campaign": str(foreign)}, 0)])
    assert run_["status"] == "failed" and "does not exist or is not visible" in run_["error"]


async def test_actions_run_with_the_owner_s_rights_only(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    """A's workflows can touch nothing A may not: a space where A became a viewer, or B's rows named in configs."""
    owner, a, b = [await add_user(admin, n) for n in ("owner", "a", "b")]
    space = await space_of(admin, owner, (a, "admin"))
    as_a = Scope(a, space.space)
    campaign = await add_campaign(admin, space)
    kinds: list[Step] = [
        ("update_field", {"field": "status", "value": "lost"}, 0),
        ("assign_lead", {"user": str(owner)}, 0),
        ("assign_lead", {"strategy": "round_robin"}, 0),
        ("change_stage", {"stageName": "Won"}, 0),
        ("add_to_campaign", {"campaign": str(campaign)}, 0),
        ("send_email", {"subject": "Hi", "body": "Hello"}, 0),
        ("add_note", {"note": "hi"}, 0),
    ]
    workflows = [await add_workflow(admin, as_a, "lead_created", steps=[kind]) for kind in kinds]
    await admin.execute("update public.space_members set role = 'viewer' where user_id = $1", a)
    lead = await add_lead(admin, space, email="lead@example.com")
    dsn = cluster.dsn(workflow_db)
    async with worker_with(dsn, FakeClock(), action_settings(outbox=tmp_path)) as worker:
        await worker.run_once()
    for workflow in workflows:
        [run_] = await executions(admin, workflow)
        assert run_["status"] == "failed", (steps(run_), run_["error"])
    row = await admin.fetchrow("select status, assigned_to, stage_id from public.leads where id = $1", lead)
    assert row is not None and (row["status"], row["assigned_to"], row["stage_id"]) == ("new", None, None)
    assert await admin.fetchval("select count(*) from public.lead_activities where lead_id = $1", lead) == 0
    assert await admin.fetchval("select count(*) from public.lead_campaign_associations where lead_id = $1", lead) == 0
    assert list(tmp_path.iterdir()) == []  # no email went out
    # B's stage, campaign and B as an assignee, named in A's personal workflow: nothing of B's is reachable
    mine, theirs = Scope(a), Scope(b)
    foreign: list[Step] = [
        ("change_stage", {"stage": str(await stage_named(admin, theirs, "Won"))}, 0),
        ("add_to_campaign", {"campaign": str(await add_campaign(admin, theirs))}, 0),
        ("assign_lead", {"user": str(b)}, 0),
    ]
    workflows = [await add_workflow(admin, mine, "lead_created", steps=[step]) for step in foreign]
    b_lead = await add_lead(admin, theirs)
    await add_lead(admin, mine)
    async with worker_with(dsn, FakeClock(), action_settings(outbox=tmp_path)) as worker:
        await worker.run_once()
    for workflow in workflows:
        runs = await executions(admin, workflow)
        assert [r["status"] for r in runs] == ["failed"] and runs[0]["lead_id"] != b_lead
    assert await admin.fetchval("select count(*) from public.lead_activities where lead_id = $1", b_lead) == 0
