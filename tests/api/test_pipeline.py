"""The pipeline: default boards, reordering a board, moving leads along it (with their activity), the board query."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_fetch, admin_val, gid, ok, raw_id, refused
from tests.support.pipeline import DEFAULT_STAGES, default_stage_id

pytestmark = pytest.mark.both_read_paths  # the board and its counts: alike on both read paths

SPACE_ID = gid("Space", SPACE)
COLOURS = ["#3B82F6", "#8B5CF6", "#F59E0B", "#EC4899", "#10B981", "#EF4444"]
CREATE_SPACE = "mutation($name: String!) { createSpace(input: {name: $name}) { id } }"
BOARD = """
query Board($filter: LeadStageFilter) {
  leadStages(filter: $filter, first: 50) {
    nodes { id name stageOrder color isDefault leads(first: 3, orderBy: SCORE_DESC) { totalCount nodes { id } } }
  }
}
"""
REORDER = """
mutation($space: ID, $ids: [ID!]!) { reorderLeadStages(space: $space, stageIds: $ids) { id name stageOrder } }
"""
MOVE = """
mutation($lead: ID!, $stage: ID!) {
  moveLead(leadId: $lead, stageId: $stage) {
    id stage { id name }
    activities(first: 5, orderBy: CREATED_AT_DESC) {
      totalCount nodes { activityType description activityData user { id } }
    }
  }
}
"""
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"


async def board(api: ApiClient, space: str | None, as_user: str) -> list[dict[str, Any]]:
    space_filter = {"eq": space} if space is not None else {"isNull": True}
    data = ok(await api.gql(BOARD, {"filter": {"space": space_filter}}, as_user=as_user))
    return list(data["leadStages"]["nodes"])


async def new_space(api: ApiClient, name: str, as_user: str = ALICE) -> str:
    return str(ok(await api.gql(CREATE_SPACE, {"name": name}, as_user=as_user))["createSpace"]["id"])


async def new_lead(api: ApiClient, as_user: str, **fields: Any) -> str:
    return str(ok(await api.gql(CREATE_LEAD, {"input": fields}, as_user=as_user))["createLead"]["id"])


# ---------------------------------------------------------------------------------------------------------
# Default stages
# ---------------------------------------------------------------------------------------------------------


async def test_a_new_space_comes_with_the_default_board(api: ApiClient) -> None:
    space = await new_space(api, "Board test agency")
    stages = await board(api, space, ALICE)
    assert [s["name"] for s in stages] == list(DEFAULT_STAGES)
    assert [s["stageOrder"] for s in stages] == list(range(6))
    assert [s["color"] for s in stages] == COLOURS
    assert all(s["isDefault"] and s["leads"]["totalCount"] == 0 for s in stages)
    assert [raw_id(s["id"]) for s in stages] == [default_stage_id(raw_id(space), n) for n in DEFAULT_STAGES]
    owners = await admin_fetch(
        api, "select distinct user_id from public.lead_stages where space_id = $1", uuid.UUID(raw_id(space))
    )
    assert [str(r["user_id"]) for r in owners] == [ALICE]


async def test_every_demo_user_has_a_personal_board(api: ApiClient) -> None:
    for user in (ALICE, BOB, CAROL, DAVE, ERIN):
        stages = await board(api, None, user)
        assert [s["name"] for s in stages] == list(DEFAULT_STAGES), user
        assert [raw_id(s["id"]) for s in stages] == [default_stage_id(user, n) for n in DEFAULT_STAGES]


async def test_concurrent_space_creation_gives_each_space_one_board(api: ApiClient) -> None:
    names = [f"Concurrent agency {i}" for i in range(12)]
    created = await asyncio.gather(*(new_space(api, name, as_user=CAROL) for name in names))
    ids = [uuid.UUID(raw_id(space)) for space in created]
    rows = await admin_fetch(
        api,
        "select s.space_id, count(*) as n, count(distinct lower(s.name)) as names,"
        " bool_and(s.id = md5('leadgen-default-stage:' || s.space_id || ':' || s.name)::uuid) as deterministic"
        " from public.lead_stages s where s.space_id = any($1::uuid[]) group by s.space_id",
        ids,
    )
    assert len(rows) == len(ids)
    assert all(r["n"] == 6 and r["names"] == 6 and r["deterministic"] for r in rows)


# ---------------------------------------------------------------------------------------------------------
# Reordering a board
# ---------------------------------------------------------------------------------------------------------


async def test_reorder_a_space_board(api: ApiClient) -> None:
    space = await new_space(api, "Reorder agency")
    stages = await board(api, space, ALICE)
    wanted = [stages[i]["id"] for i in (5, 4, 0, 1, 2, 3)]
    result = ok(await api.gql(REORDER, {"space": space, "ids": wanted}, as_user=ALICE))["reorderLeadStages"]
    assert [s["id"] for s in result] == wanted
    assert [s["stageOrder"] for s in result] == list(range(6))
    assert [s["id"] for s in await board(api, space, ALICE)] == wanted
    # the same order again changes nothing and is allowed
    again = ok(await api.gql(REORDER, {"space": space, "ids": wanted}, as_user=ALICE))["reorderLeadStages"]
    assert [s["id"] for s in again] == wanted


async def test_reorder_needs_every_stage_of_the_board_once(api: ApiClient) -> None:
    space = await new_space(api, "Strict reorder agency")
    ids = [s["id"] for s in await board(api, space, ALICE)]
    foreign = gid("LeadStage", default_stage_id(ALICE, "New"))
    for wrong in (ids[:-1], [*ids, ids[0]], [*ids[:-1], foreign], [*ids, foreign], []):
        refused(await api.gql(REORDER, {"space": space, "ids": wrong}, as_user=ALICE), "BAD_USER_INPUT", "stageIds")
    refused(
        await api.gql(REORDER, {"space": space, "ids": [*ids[:-1], SPACE_ID]}, as_user=ALICE),
        "BAD_USER_INPUT",
        "stageIds[5]",
    )
    orders = await admin_fetch(
        api,
        "select stage_order from public.lead_stages where space_id = $1 order by stage_order",
        uuid.UUID(raw_id(space)),
    )
    assert [r["stage_order"] for r in orders] == list(range(6))


async def test_reorder_permissions(api: ApiClient) -> None:
    stages = await board(api, SPACE_ID, DAVE)
    reversed_ids = [s["id"] for s in reversed(stages)]
    for user in (CAROL, DAVE):  # members and viewers read the space's board but do not manage it
        refused(await api.gql(REORDER, {"space": SPACE_ID, "ids": reversed_ids}, as_user=user), "FORBIDDEN")
    refused(await api.gql(REORDER, {"space": SPACE_ID, "ids": reversed_ids}, as_user=ERIN), "NOT_FOUND")
    assert [s["id"] for s in await board(api, SPACE_ID, DAVE)] == [s["id"] for s in stages]
    # a personal board is its owner's to reorder (space left out)
    own = [s["id"] for s in await board(api, None, ERIN)]
    swapped = [own[1], own[0], *own[2:]]
    result = ok(await api.gql(REORDER, {"ids": swapped}, as_user=ERIN))["reorderLeadStages"]
    assert [s["id"] for s in result] == swapped
    refused(await api.gql(REORDER, {"ids": swapped}, as_user=DAVE), "BAD_USER_INPUT", "stageIds")


# ---------------------------------------------------------------------------------------------------------
# Moving leads
# ---------------------------------------------------------------------------------------------------------


async def test_move_lead_logs_the_change_once(api: ApiClient) -> None:
    new, qualified = (gid("LeadStage", default_stage_id(SPACE, n)) for n in ("New", "Qualified"))
    lead = await new_lead(api, CAROL, space=SPACE_ID, email="mover@example.com", stage=new)
    moved = ok(await api.gql(MOVE, {"lead": lead, "stage": qualified}, as_user=CAROL))["moveLead"]
    assert moved["stage"] == {"id": qualified, "name": "Qualified"}
    activities = moved["activities"]
    assert activities["totalCount"] == 1
    entry = activities["nodes"][0]
    assert entry["activityType"] == "STAGE_CHANGED" and entry["user"] == {"id": gid("User", CAROL)}
    assert entry["description"] == "Moved from New to Qualified"
    assert entry["activityData"] == {
        "from": {"id": default_stage_id(SPACE, "New"), "name": "New"},
        "to": {"id": default_stage_id(SPACE, "Qualified"), "name": "Qualified"},
    }
    # the same stage again: nothing changes, nothing is logged
    again = ok(await api.gql(MOVE, {"lead": lead, "stage": qualified}, as_user=BOB))["moveLead"]
    assert again["stage"]["name"] == "Qualified" and again["activities"]["totalCount"] == 1
    stored = await admin_val(api, "select stage_id::text from public.leads where id = $1", uuid.UUID(raw_id(lead)))
    assert stored == default_stage_id(SPACE, "Qualified")


async def test_moving_a_lead_without_a_stage(api: ApiClient) -> None:
    lead = await new_lead(api, ERIN, email="unstaged@example.com")
    won = gid("LeadStage", default_stage_id(ERIN, "Won"))
    moved = ok(await api.gql(MOVE, {"lead": lead, "stage": won}, as_user=ERIN))["moveLead"]
    entry = moved["activities"]["nodes"][0]
    assert entry["description"] == "Moved to Won"
    assert entry["activityData"] == {"from": None, "to": {"id": default_stage_id(ERIN, "Won"), "name": "Won"}}


UPDATE_LEAD_STAGE = "mutation($id: ID!, $stage: ID) { updateLead(id: $id, patch: {stage: $stage}) { id } }"
UPDATE_LEADS_STAGE = """
mutation($email: String!, $stage: ID!) {
  updateLeads(filter: {email: {eq: $email}}, patch: {stage: $stage}, atMost: 5) { count }
}
"""


async def stage_log(api: ApiClient, lead: str) -> list[tuple[str | None, str, str | None]]:
    """The lead's stage_changed activities, oldest first: (description, to-stage name, author)."""
    rows = await admin_fetch(
        api,
        "select description, activity_data -> 'to' ->> 'name' as to_name, user_id::text as author"
        " from public.lead_activities where lead_id = $1 and activity_type = 'stage_changed'"
        " order by created_at, id",
        uuid.UUID(raw_id(lead)),
    )
    return [(r["description"], r["to_name"], r["author"]) for r in rows]


async def test_every_way_of_changing_a_stage_logs_it(api: ApiClient) -> None:
    """updateLead, updateLeads and a Studio edit log the change as moveLead does; clearing a stage logs nothing."""
    stage = {n: default_stage_id(SPACE, n) for n in ("New", "Contacted", "Qualified", "Proposal")}
    lead = await new_lead(
        api, CAROL, space=SPACE_ID, email="every-way@example.com", stage=gid("LeadStage", stage["New"])
    )
    ok(await api.gql(UPDATE_LEAD_STAGE, {"id": lead, "stage": gid("LeadStage", stage["Contacted"])}, as_user=CAROL))
    variables = {"email": "every-way@example.com", "stage": gid("LeadStage", stage["Qualified"])}
    assert ok(await api.gql(UPDATE_LEADS_STAGE, variables, as_user=BOB))["updateLeads"]["count"] == 1
    # as Studio does: the superuser, no JWT claims
    await admin_fetch(
        api,
        "update public.leads set stage_id = $1 where id = $2",
        uuid.UUID(stage["Proposal"]),
        uuid.UUID(raw_id(lead)),
    )
    ok(await api.gql(UPDATE_LEAD_STAGE, {"id": lead, "stage": None}, as_user=CAROL))
    assert await stage_log(api, lead) == [
        ("Moved from New to Contacted", "Contacted", CAROL),
        ("Moved from Contacted to Qualified", "Qualified", BOB),
        ("Moved from Qualified to Proposal", "Proposal", None),
    ]


async def test_racing_moves_each_record_the_stage_they_really_left(api: ApiClient) -> None:
    stage = {n: default_stage_id(SPACE, n) for n in ("New", "Contacted", "Qualified")}
    lead = await new_lead(api, CAROL, space=SPACE_ID, email="racing@example.com", stage=gid("LeadStage", stage["New"]))
    moves = [
        api.gql(MOVE, {"lead": lead, "stage": gid("LeadStage", stage[name])}, as_user=user)
        for name, user in (("Contacted", CAROL), ("Qualified", BOB))
    ]
    for response in await asyncio.gather(*moves):
        ok(response)
    rows = await admin_fetch(
        api,
        "select activity_data -> 'from' ->> 'name' as from_name, activity_data -> 'to' ->> 'name' as to_name"
        " from public.lead_activities where lead_id = $1 and activity_type = 'stage_changed' order by created_at, id",
        uuid.UUID(raw_id(lead)),
    )
    steps = {r["from_name"]: r["to_name"] for r in rows}
    # whichever move committed second left the stage the first one had moved the lead to: a chain from New
    assert len(rows) == 2 and len(steps) == 2, rows
    assert steps[steps["New"]] in ("Contacted", "Qualified") and steps[steps["New"]] != steps["New"]


async def test_move_lead_errors(api: ApiClient) -> None:
    lead = await new_lead(api, CAROL, space=SPACE_ID, email="stuck@example.com")
    space_stage = gid("LeadStage", default_stage_id(SPACE, "Proposal"))
    alices_stage = gid("LeadStage", default_stage_id(ALICE, "Proposal"))
    cases: list[tuple[str, dict[str, str], str, str | None]] = [
        (DAVE, {"lead": lead, "stage": space_stage}, "FORBIDDEN", None),  # viewers read only
        (ERIN, {"lead": lead, "stage": space_stage}, "NOT_FOUND", None),  # not her lead to see
        (ALICE, {"lead": lead, "stage": alices_stage}, "BAD_USER_INPUT", "stageId"),  # another board's stage
        (CAROL, {"lead": lead, "stage": gid("LeadStage", uuid.uuid4())}, "BAD_USER_INPUT", "stageId"),
        (CAROL, {"lead": lead, "stage": SPACE_ID}, "BAD_USER_INPUT", "stageId"),
        (CAROL, {"lead": space_stage, "stage": space_stage}, "BAD_USER_INPUT", "leadId"),
        (CAROL, {"lead": gid("Lead", uuid.uuid4()), "stage": space_stage}, "NOT_FOUND", None),
    ]
    for user, variables, code, field in cases:
        refused(await api.gql(MOVE, variables, as_user=user), code, field)
    row = await admin_fetch(
        api,
        "select l.stage_id, (select count(*) from public.lead_activities a where a.lead_id = l.id) as activities"
        " from public.leads l where l.id = $1",
        uuid.UUID(raw_id(lead)),
    )
    assert row[0]["stage_id"] is None and row[0]["activities"] == 0


async def test_a_leads_stage_is_of_its_scope_even_for_the_superuser(api: ApiClient) -> None:
    """The scope trigger holds in Studio too: no role, however privileged, links a lead to another board's stage."""
    lead = uuid.UUID(raw_id(await new_lead(api, ALICE, email="studio@example.com")))
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        for stage in (default_stage_id(SPACE, "Won"), default_stage_id(ERIN, "Won")):
            with pytest.raises(asyncpg.ForeignKeyViolationError) as raised:
                await conn.execute("update public.leads set stage_id = $1 where id = $2", uuid.UUID(stage), lead)
            assert raised.value.constraint_name == "leads_refs_in_scope"
        await conn.execute(
            "update public.leads set stage_id = $1 where id = $2", uuid.UUID(default_stage_id(ALICE, "Won")), lead
        )
        with pytest.raises(asyncpg.ForeignKeyViolationError):  # nor by moving the lead away from its stage's board
            await conn.execute("update public.leads set space_id = $1 where id = $2", uuid.UUID(SPACE), lead)
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------------------------
# The board query: leadStages of a scope with each stage's leads
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("user", "space"), [(ALICE, SPACE), (DAVE, SPACE), (ALICE, None), (ERIN, None)])
async def test_the_board_query_counts_each_stages_leads(api: ApiClient, user: str, space: str | None) -> None:
    stages = await board(api, gid("Space", space) if space else None, user)
    expected = await admin_fetch(
        api,
        "select s.id::text as id, count(l.id) as n from public.lead_stages s left join public.leads l"
        " on l.stage_id = s.id where case when $1::uuid is null then s.space_id is null and s.user_id = $2::uuid"
        " else s.space_id = $1::uuid end group by s.id",
        uuid.UUID(space) if space else None,
        uuid.UUID(user),
    )
    counts = {r["id"]: r["n"] for r in expected}
    assert {raw_id(s["id"]): s["leads"]["totalCount"] for s in stages} == counts
    assert [s["stageOrder"] for s in stages] == sorted(s["stageOrder"] for s in stages)
    assert all(len(s["leads"]["nodes"]) == min(3, s["leads"]["totalCount"]) for s in stages)
