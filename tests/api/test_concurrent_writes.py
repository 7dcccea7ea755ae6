"""The same write sent twice at once: both calls succeed when the second finds the work done by the first.

Each pair really races: both statements start before either commits, and the second waits on the first's row
lock (tests/support/races.py), so it judges "already done" from the rows as the first left them, not from its
statement's snapshot. moveLead, reorderLeadStages and convertLead (of a lead whose customer exists already) once
answered FORBIDDEN there, though the caller may write the row and it ended as asked.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.api import ALICE, BOB, CAROL, SPACE, ApiClient
from tests.support.mutations import admin_fetch, count_rows, gid, ok, raw_id
from tests.support.pipeline import default_stage_id
from tests.support.races import one_after_the_other

PAIRS = 10  # races per operation; each is forced, so every pair meets the case
SPACE_ID = gid("Space", SPACE)
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"
CREATE_SPACE = "mutation($name: String!) { createSpace(input: {name: $name}) { id } }"
CREATE_CUSTOMER = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"
MOVE = "mutation($lead: ID!, $stage: ID!) { moveLead(leadId: $lead, stageId: $stage) { id stage { id } } }"
REORDER = "mutation($space: ID, $ids: [ID!]!) { reorderLeadStages(space: $space, stageIds: $ids) { id stageOrder } }"
CONVERT = "mutation($lead: ID!) { convertLead(leadId: $lead) { created customer { id } lead { customer { id } } } }"
LOCK_LEAD = "select id from public.leads where id = $1 for update"
LOCK_BOARD = "select id from public.lead_stages where space_id = $1 for update"


async def new_lead(api: ApiClient, email: str) -> str:
    variables: dict[str, Any] = {"input": {"space": SPACE_ID, "email": email}}
    return str(ok(await api.gql(CREATE_LEAD, variables, as_user=CAROL))["createLead"]["id"])


async def test_two_identical_moves_at_once_both_succeed(api: ApiClient) -> None:
    lead = await new_lead(api, "twin-moves@example.com")
    stages = [gid("LeadStage", default_stage_id(SPACE, name)) for name in ("Contacted", "Qualified")]
    for n in range(PAIRS):
        move = {"lead": lead, "stage": stages[n % 2]}
        first, second = await one_after_the_other(
            api,
            LOCK_LEAD,
            [uuid.UUID(raw_id(lead))],
            api.gql(MOVE, move, as_user=CAROL),
            api.gql(MOVE, move, as_user=CAROL),
        )
        assert ok(first)["moveLead"]["stage"] == ok(second)["moveLead"]["stage"] == {"id": stages[n % 2]}, n
    logged = await count_rows(
        api, "lead_activities", "lead_id = $1 and activity_type = 'stage_changed'", uuid.UUID(raw_id(lead))
    )
    assert logged == PAIRS  # one move per pair, logged once


async def test_two_identical_reorders_at_once_both_succeed(api: ApiClient) -> None:
    space = ok(await api.gql(CREATE_SPACE, {"name": "Twin reorders"}, as_user=ALICE))["createSpace"]["id"]
    rows = await admin_fetch(
        api,
        "select id::text from public.lead_stages where space_id = $1 order by stage_order",
        uuid.UUID(raw_id(space)),
    )
    board = [gid("LeadStage", row["id"]) for row in rows]
    orders = [list(reversed(board)), board]
    for n in range(PAIRS):
        reorder = {"space": space, "ids": orders[n % 2]}
        first, second = await one_after_the_other(
            api,
            LOCK_BOARD,
            [uuid.UUID(raw_id(space))],
            api.gql(REORDER, reorder, as_user=ALICE),
            api.gql(REORDER, reorder, as_user=ALICE),
        )
        for response in (first, second):
            assert [s["id"] for s in ok(response)["reorderLeadStages"]] == orders[n % 2], n


async def test_two_identical_conversions_at_once_link_the_customer_made_beforehand(api: ApiClient) -> None:
    for n in range(PAIRS):
        lead = await new_lead(api, f"twin-conversions.{n}@example.com")
        made = ok(
            await api.gql(
                CREATE_CUSTOMER, {"input": {"space": SPACE_ID, "name": f"Made {n}", "lead": lead}}, as_user=BOB
            )
        )["createCustomer"]["id"]
        first, second = await one_after_the_other(
            api,
            LOCK_LEAD,
            [uuid.UUID(raw_id(lead))],
            api.gql(CONVERT, {"lead": lead}, as_user=CAROL),
            api.gql(CONVERT, {"lead": lead}, as_user=CAROL),
        )
        for response in (first, second):
            converted = ok(response)["convertLead"]
            assert converted["created"] is False and converted["customer"] == {"id": made}, n
            assert converted["lead"]["customer"] == {"id": made}, n
        logged = await count_rows(
            api, "lead_activities", "lead_id = $1 and activity_type = 'converted'", uuid.UUID(raw_id(lead))
        )
        assert logged == 1, n
