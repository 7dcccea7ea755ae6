"""Workflow events from the database (migration 20261125180000_workflow_engine): written by triggers in the same
transaction as the change, by any writer (a superuser here, as Studio connects; API callers in tests/api), only
for scopes whose active workflows want them; NOTIFY on commit; the inactivity scan once per inactive period."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import asyncpg

from domain.workflows.clock import FakeClock
from tests.support.databases import PgCluster
from tests.support.workflows import (
    add_lead,
    add_user,
    add_workflow,
    admin,
    event_types,
    events,
    personal,
    running_worker,
    space_of,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures


async def test_no_event_without_an_active_workflow_that_wants_it(admin: asyncpg.Connection) -> None:
    scope = await personal(admin)
    await add_workflow(admin, scope, "lead_created", active=False)
    await add_workflow(admin, scope, "stage_changed")  # active, but another type
    lead = await add_lead(admin, scope)
    await admin.execute("update public.leads set job_title = 'CTO' where id = $1", lead)
    assert await event_types(admin, lead) == []
    other = await personal(admin)
    await add_workflow(admin, other, "lead_created")  # another scope's workflow
    assert await event_types(admin, await add_lead(admin, scope)) == []


async def test_events_are_written_in_the_changes_transaction_and_never_on_rollback(admin: asyncpg.Connection) -> None:
    scope = await personal(admin)
    await add_workflow(admin, scope, "lead_created")
    async with admin.transaction():
        kept = await add_lead(admin, scope, status="qualified")
        assert await event_types(admin, kept) == ["lead_created"]  # visible inside the transaction already
    tx = admin.transaction()
    await tx.start()
    dropped = await add_lead(admin, scope)
    assert await event_types(admin, dropped) == ["lead_created"]
    await tx.rollback()
    assert await event_types(admin, dropped) == []
    [event] = await events(admin, kept)
    assert event["payload"]["status"] == "qualified" and event["state"] == "pending"
    assert event["origin_workflow_id"] is None and event["chain_depth"] == 0


async def test_a_studio_update_writes_lead_updated_stage_changed_and_score_threshold_events(
    admin: asyncpg.Connection,
) -> None:
    owner, member = await add_user(admin), await add_user(admin)
    scope = await space_of(admin, owner, (member, "member"))
    for trigger in ("lead_updated", "stage_changed", "score_threshold"):
        await add_workflow(admin, scope, trigger, {"threshold": 50} if trigger == "score_threshold" else {})
    stages = [
        r["id"]
        for r in await admin.fetch(
            "select id from public.lead_stages where space_id = $1 order by stage_order", scope.space
        )
    ]
    lead = await add_lead(admin, scope, stage_id=stages[0], score=10)
    # one statement as a superuser (no RLS, no API): Studio's path
    await admin.execute(
        "update public.leads set stage_id = $2, score = 70, job_title = 'CTO' where id = $1", lead, stages[2]
    )
    found = {e["event_type"]: e["payload"] for e in await events(admin, lead)}
    assert found["lead_updated"] == {"changedFields": ["job_title", "score", "stage_id"]}
    assert found["stage_changed"] == {"fromStageId": str(stages[0]), "toStageId": str(stages[2])}
    assert found["score_threshold"] == {"oldScore": 10, "newScore": 70}
    # bookkeeping columns alone are no change: a new activity moves last_activity_at (and updated_at) only
    before = len(await events(admin, lead))
    await admin.execute("update public.leads set last_activity_at = now() where id = $1", lead)
    assert len(await events(admin, lead)) == before


async def test_activities_form_submissions_page_visits_and_campaigns_write_their_events(
    admin: asyncpg.Connection,
) -> None:
    scope = await personal(admin)
    for trigger in ("activity_logged", "form_submit", "page_visit", "campaign_joined"):
        await add_workflow(admin, scope, trigger)
    lead = await add_lead(admin, scope)
    form = uuid.uuid4()
    await admin.execute(
        "insert into public.lead_activities (lead_id, activity_type, activity_data) values"
        " ($1, 'call_made', '{}'), ($1, 'form_submitted', $2::jsonb), ($1, 'page_visit', $3::jsonb)",
        lead,
        {"form_id": str(form), "submission_id": str(form)},
        {"url": "https://example.com/pricing"},
    )
    campaign = await admin.fetchval(
        "insert into public.lead_campaigns (user_id, name) values ($1, 'Spring') returning id", scope.user
    )
    await admin.execute(
        "insert into public.lead_campaign_associations (lead_id, campaign_id) values ($1, $2)", lead, campaign
    )
    found = [(e["event_type"], e["payload"]) for e in await events(admin, lead)]
    assert [t for t, _ in found] == [
        "activity_logged",
        "activity_logged",
        "activity_logged",
        "form_submit",
        "page_visit",
        "campaign_joined",
    ]
    assert {p["activityType"] for t, p in found if t == "activity_logged"} == {
        "call_made",
        "form_submitted",
        "page_visit",
    }
    assert found[3][1]["formId"] == str(form) and found[4][1]["url"] == "https://example.com/pricing"
    assert found[5][1]["campaignId"] == str(campaign)


async def test_a_bulk_load_without_workflows_writes_no_event(admin: asyncpg.Connection) -> None:
    scope = await personal(admin)
    await add_workflow(admin, await personal(admin), "lead_created")  # wanted elsewhere only
    await admin.execute(
        "insert into public.leads (user_id, first_name) select $1, 'L' || n from generate_series(1, 500) n",
        scope.user,
    )
    await admin.execute("update public.leads set job_title = 'x' where user_id = $1", scope.user)
    count = await admin.fetchval(
        "select count(*) from private.workflow_events where lead_owner_id = $1 and space_id is null", scope.user
    )
    assert count == 0


async def test_writes_of_a_workflow_step_carry_their_origin(admin: asyncpg.Connection) -> None:
    scope = await personal(admin)
    await add_workflow(admin, scope, "activity_logged")
    lead = await add_lead(admin, scope)
    origin = uuid.uuid4()
    async with admin.transaction():
        context = json.dumps({"workflowId": str(origin), "depth": 1})
        await admin.execute("select set_config('leadgen.workflow_context', $1, true)", context)
        await admin.execute("insert into public.lead_activities (lead_id, activity_type) values ($1, 'note')", lead)
    async with admin.transaction():  # a malformed context is no context
        await admin.execute("select set_config('leadgen.workflow_context', 'not json', true)")
        await admin.execute("insert into public.lead_activities (lead_id, activity_type) values ($1, 'task')", lead)
    first, second = await events(admin, lead)
    assert (first["origin_workflow_id"], first["chain_depth"]) == (origin, 2)
    assert (second["origin_workflow_id"], second["chain_depth"]) == (None, 0)


async def test_events_notify_listeners_on_commit_only(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    await add_workflow(admin, scope, "lead_created")
    listener = await asyncpg.connect(cluster.dsn(workflow_db, user="leadgen_worker"))
    received: asyncio.Queue[str] = asyncio.Queue()
    try:
        await listener.add_listener("leadgen_workflows", lambda *args: received.put_nowait(str(args[3])))
        tx = admin.transaction()
        await tx.start()
        await add_lead(admin, scope)
        await add_lead(admin, scope)
        await asyncio.sleep(0.1)
        assert received.empty()  # not before the commit
        await tx.commit()
        assert await asyncio.wait_for(received.get(), 5) == "event"
        await asyncio.sleep(0.1)
        assert received.empty()  # coalesced: one per transaction
    finally:
        await listener.close()


async def test_the_inactivity_scan_writes_one_event_per_lead_and_inactive_period(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope, quiet = await personal(admin), await personal(admin)
    await add_workflow(admin, scope, "inactivity", {"days": 7})
    await add_workflow(admin, scope, "inactivity", {"days": 7})  # the same period twice: still one event
    await add_workflow(admin, scope, "inactivity", {"days": 30}, active=False)
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=10)
    stale = await add_lead(admin, scope, created_at=long_ago)
    fresh = await add_lead(admin, scope)
    other = await add_lead(admin, quiet, created_at=long_ago)  # a scope without inactivity workflows
    clock = FakeClock()
    async with (
        running_worker(cluster.dsn(workflow_db), clock) as first,
        running_worker(cluster.dsn(workflow_db), clock) as second,
    ):
        counts = await asyncio.gather(first.engine.scan_inactivity(), second.engine.scan_inactivity())
        assert await event_types(admin, stale) == ["inactivity"] and sum(counts) >= 1
        assert await event_types(admin, fresh) == [] and await event_types(admin, other) == []
        [event] = await events(admin, stale)
        assert event["payload"]["days"] == 7
        clock.advance(days=30)
        await first.engine.scan_inactivity()
        assert await event_types(admin, stale) == ["inactivity"]  # the same inactive period: nothing new
        assert await event_types(admin, fresh) == ["inactivity"]  # its period has come now
        # activity starts a new period, which ends 7 days later
        await admin.execute(
            "insert into public.lead_activities (lead_id, activity_type, created_at) values ($1, 'call_made', $2)",
            stale,
            clock.now(),
        )
        await first.engine.scan_inactivity()
        assert await event_types(admin, stale) == ["inactivity"]
        clock.advance(days=7, seconds=1)
        await second.engine.scan_inactivity()
        assert await event_types(admin, stale) == ["inactivity", "inactivity"]


async def test_the_engines_tables_and_functions_are_private_and_documented(admin: asyncpg.Connection) -> None:
    tables = [
        "private.workflow_events",
        "private.workflow_jobs",
        "private.workflow_inactivity_marks",
        "private.page_visit_limits",
        "private.page_visits",
    ]
    for table in tables:
        row = await admin.fetchrow(
            "select c.relrowsecurity, obj_description(c.oid, 'pg_class') as comment,"
            " (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped"
            "  and col_description(c.oid, a.attnum) is null) as uncommented"
            " from pg_class c where c.oid = $1::regclass",
            table,
        )
        assert row is not None and row["relrowsecurity"] and row["comment"] and row["uncommented"] == 0, table
        for role in ("anon", "authenticated", "service_role", "leadgen_api"):
            granted = await admin.fetchval(
                "select has_table_privilege($1, $2::regclass, 'select, insert, update, delete, truncate')", role, table
            )
            assert granted is False, (role, table)
    uncommented = await admin.fetch(
        "select p.oid::regprocedure::text as f from pg_proc p where p.pronamespace in ('leadgen'::regnamespace,"
        " 'private'::regnamespace) and obj_description(p.oid, 'pg_proc') is null"
        " and (p.proname like '%workflow%' or p.proname = 'track_page_visit')"
    )
    assert [r["f"] for r in uncommented] == []
    undocumented_triggers = await admin.fetch(
        "select tgname from pg_trigger"
        " where tgname like '%workflow_events%' and obj_description(oid, 'pg_trigger') is null"
    )
    assert undocumented_triggers == []
