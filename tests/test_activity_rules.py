"""Activities: system types are the system's alone, and leads.last_activity_at follows every change of the log.

Migration 20261206140300_activity_rules.sql, as Studio (the superuser), as the API roles in SQL (what Supabase's
REST API runs) and through GraphQL's createActivity / updateActivity.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
import pytest
import pytest_asyncio

from gql.enums import ActivityType
from gql.mutations.activity import SYSTEM_ACTIVITIES
from tests.support.api import CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.databases import PgCluster
from tests.support.mutations import admin_fetch, admin_val, gid, ok, refused
from tests.support.roles import acting_as, user_claims
from tests.support.rows import add_user, insert, rolled_back

EARLY = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class World:
    owner: uuid.UUID
    member: uuid.UUID
    space: uuid.UUID


@pytest_asyncio.fixture(scope="module")
async def world(conn: asyncpg.Connection) -> World:
    owner, member = await add_user(conn, "owner"), await add_user(conn, "member")
    space = await insert(conn, "spaces", name="Activities", created_by=owner)
    await insert(conn, "space_members", space_id=space, user_id=member, role="member")
    return World(owner, member, space)


@pytest_asyncio.fixture
async def db(conn: asyncpg.Connection, world: World) -> AsyncIterator[asyncpg.Connection]:
    """The module's superuser connection (Studio) in a transaction that is rolled back after the test."""
    async with rolled_back(conn):
        yield conn


async def new_lead(conn: asyncpg.Connection, world: World) -> uuid.UUID:
    return await insert(conn, "leads", user_id=world.owner, space_id=world.space, first_name="Ada")


async def last_activity_at(conn: asyncpg.Connection, lead: uuid.UUID) -> dt.datetime | None:
    value = await conn.fetchval("select last_activity_at from public.leads where id = $1", lead)
    assert value is None or isinstance(value, dt.datetime)
    return value


# --------------------------------------------------------------------------------------------------------------
# last_activity_at
# --------------------------------------------------------------------------------------------------------------


async def test_moving_an_activity_in_time_moves_last_activity_at(db: asyncpg.Connection, world: World) -> None:
    lead = await new_lead(db, world)
    first = await insert(db, "lead_activities", lead_id=lead, activity_type="note", created_at=EARLY)
    second = await insert(db, "lead_activities", lead_id=lead, activity_type="call_made", created_at=EARLY + HOUR)
    assert await last_activity_at(db, lead) == EARLY + HOUR
    # Studio corrects the newest activity's time backwards: the lead follows (the other one is newest now)
    await db.execute("update public.lead_activities set created_at = $2 where id = $1", second, EARLY - HOUR)
    assert await last_activity_at(db, lead) == EARLY
    # and forwards
    await db.execute("update public.lead_activities set created_at = $2 where id = $1", first, EARLY + 2 * HOUR)
    assert await last_activity_at(db, lead) == EARLY + 2 * HOUR


async def test_moving_an_activity_to_another_lead_moves_both(db: asyncpg.Connection, world: World) -> None:
    source, target = await new_lead(db, world), await new_lead(db, world)
    activity = await insert(db, "lead_activities", lead_id=source, activity_type="note", created_at=EARLY)
    await insert(db, "lead_activities", lead_id=target, activity_type="note", created_at=EARLY - HOUR)
    await db.execute("update public.lead_activities set lead_id = $2 where id = $1", activity, target)
    assert await last_activity_at(db, source) is None
    assert await last_activity_at(db, target) == EARLY


async def test_last_activity_at_is_derived_whatever_a_write_says(db: asyncpg.Connection, world: World) -> None:
    lead = await new_lead(db, world)
    await db.execute("update public.leads set last_activity_at = $2 where id = $1", lead, EARLY)
    assert await last_activity_at(db, lead) is None
    await insert(db, "lead_activities", lead_id=lead, activity_type="note", created_at=EARLY)
    await db.execute("update public.leads set last_activity_at = $2 where id = $1", lead, EARLY + 5 * HOUR)
    assert await last_activity_at(db, lead) == EARLY
    fresh = await insert(db, "leads", user_id=world.owner, first_name="Bo", last_activity_at=EARLY)
    assert await last_activity_at(db, fresh) is None


# --------------------------------------------------------------------------------------------------------------
# System activity types
# --------------------------------------------------------------------------------------------------------------

SYSTEM_TYPES = sorted(t.value for t in SYSTEM_ACTIVITIES)
ALL_TYPES = sorted(t.value for t in ActivityType)


async def test_studio_writes_every_activity_type(db: asyncpg.Connection, world: World) -> None:
    lead = await new_lead(db, world)
    for activity_type in ALL_TYPES:
        await insert(db, "lead_activities", lead_id=lead, activity_type=activity_type)
    assert await db.fetchval("select count(*) from public.lead_activities where lead_id = $1", lead) >= len(ALL_TYPES)


async def test_the_api_roles_cannot_write_system_types_in_sql(db: asyncpg.Connection, world: World) -> None:
    lead = await new_lead(db, world)
    note = await insert(db, "lead_activities", lead_id=lead, user_id=world.member, activity_type="note")
    system = await insert(db, "lead_activities", lead_id=lead, user_id=world.member, activity_type="form_submitted")
    refused_types = []
    for activity_type in ALL_TYPES:
        async with acting_as(db, user_claims(world.member)):
            try:
                await db.execute(
                    "insert into public.lead_activities (lead_id, user_id, activity_type) values ($1, $2, $3)",
                    lead,
                    world.member,
                    activity_type,
                )
            except asyncpg.CheckViolationError as exc:
                assert exc.constraint_name == "lead_activities_system_type_check"
                refused_types.append(activity_type)
    # the database refuses exactly what logActivity refuses
    assert refused_types == SYSTEM_TYPES
    async with acting_as(db, user_claims(world.member)):
        with pytest.raises(asyncpg.CheckViolationError):
            await db.execute("update public.lead_activities set activity_type = 'converted' where id = $1", note)
    async with acting_as(db, user_claims(world.member)):
        with pytest.raises(asyncpg.CheckViolationError):  # a fake form submission cannot be made from a real one
            await db.execute("update public.lead_activities set activity_type = 'note' where id = $1", system)
    async with acting_as(db, user_claims(world.member)):  # the rest of a system activity may be annotated
        assert await db.execute("update public.lead_activities set description = 'x' where id = $1", system) == (
            "UPDATE 1"
        )


async def test_the_worker_may_record_system_types(
    cluster: PgCluster, module_db: str, conn: asyncpg.Connection, world: World
) -> None:
    lead = await new_lead(conn, world)
    worker = await asyncpg.connect(cluster.dsn(module_db, user="leadgen_worker"))
    try:
        async with acting_as(worker, user_claims(world.owner)):
            await worker.execute(
                "insert into public.lead_activities (lead_id, user_id, activity_type) values ($1, $2, 'assigned')",
                lead,
                world.owner,
            )
    finally:
        await worker.close()
        await conn.execute("delete from public.leads where id = $1", lead)


# --------------------------------------------------------------------------------------------------------------
# Through GraphQL
# --------------------------------------------------------------------------------------------------------------

ACTIVITY = "id activityType lead { id }"
CREATE = f"mutation($input: CreateActivityInput!) {{ createActivity(input: $input) {{ {ACTIVITY} }} }}"
UPDATE = f"mutation($id: ID!, $patch: ActivityPatch!) {{ updateActivity(id: $id, patch: $patch) {{ {ACTIVITY} }} }}"


async def space_lead(api: ApiClient) -> uuid.UUID:
    lead = await admin_val(api, "select id from public.leads where space_id = $1 order by id limit 1", SPACE)
    assert isinstance(lead, uuid.UUID)
    return lead


async def test_create_activity_refuses_system_types_as_log_activity_does(api: ApiClient) -> None:
    lead = gid("Lead", await space_lead(api))
    before = await admin_val(api, "select count(*) from private.workflow_events")
    for kind in SYSTEM_ACTIVITIES:
        response = await api.gql(CREATE, {"input": {"lead": lead, "activityType": kind.name}}, as_user=CAROL)
        refused(response, "BAD_USER_INPUT", "input.activityType")
    assert await admin_val(api, "select count(*) from private.workflow_events") == before
    created = ok(await api.gql(CREATE, {"input": {"lead": lead, "activityType": "NOTE"}}, as_user=CAROL))
    activity = created["createActivity"]["id"]
    for system_type in ("FORM_SUBMITTED", "CONVERTED"):
        response = await api.gql(UPDATE, {"id": activity, "patch": {"activityType": system_type}}, as_user=CAROL)
        refused(response, "BAD_USER_INPUT", "patch.activityType")


async def test_update_activity_keeps_the_type_of_a_system_activity(api: ApiClient) -> None:
    rows = await admin_fetch(
        api,
        "insert into public.lead_activities (lead_id, user_id, activity_type) values ($1, $2, 'stage_changed')"
        " returning id",
        await space_lead(api),
        uuid.UUID(CAROL),
    )
    activity = gid("Activity", rows[0]["id"])
    response = await api.gql(UPDATE, {"id": activity, "patch": {"activityType": "NOTE"}}, as_user=CAROL)
    refused(response, "BAD_USER_INPUT", "activityType")
    assert await admin_val(api, "select activity_type from public.lead_activities where id = $1", rows[0]["id"]) == (
        "stage_changed"
    )


async def test_create_activity_does_not_tell_whether_a_lead_exists(api: ApiClient) -> None:
    hidden = await admin_val(api, "select id from public.leads where space_id = $1 order by id limit 1", SPACE)
    answers = []
    for lead in (hidden, uuid.uuid4()):  # a lead ERIN cannot see, and no lead at all
        response = await api.gql(CREATE, {"input": {"lead": gid("Lead", lead), "activityType": "NOTE"}}, as_user=ERIN)
        answers.append((response.codes, response.errors[0]["message"], response.errors[0]["extensions"].get("field")))
    assert answers[0] == answers[1] == (["NOT_FOUND"], "Lead not found", None)
    # a lead the caller can see but not write: FORBIDDEN, which tells nothing the caller could not read
    response = await api.gql(CREATE, {"input": {"lead": gid("Lead", hidden), "activityType": "NOTE"}}, as_user=DAVE)
    refused(response, "FORBIDDEN")
