"""Campaigns: status transitions (GraphQL and SQL), computed results against hand-written SQL, money checks."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.support.api import ALICE, BOB, CAROL, ERIN, SPACE, ApiClient
from tests.support.http_app import CustomApp, custom_app
from tests.support.mutations import admin_fetch, admin_val, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)
STATUSES = ("draft", "scheduled", "active", "paused", "completed", "cancelled")
ALLOWED = {
    "draft": {"scheduled", "active", "cancelled"},
    "scheduled": {"active", "draft", "cancelled"},
    "active": {"paused", "completed", "cancelled"},
    "paused": {"active", "completed", "cancelled"},
    "completed": set(),
    "cancelled": set(),
}
RESULTS = "id spent leadCount conversions conversionRate costPerLead costPerConversion"
CREATE = f"mutation($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{ id status {RESULTS} }} }}"
UPDATE = "mutation($id: ID!, $patch: CampaignPatch!) { updateCampaign(id: $id, patch: $patch) { id status spent } }"
ADD = "mutation($lead: ID!, $campaign: ID!) { addLeadToCampaign(lead: $lead, campaign: $campaign) { id } }"
REMOVE = "mutation($lead: ID!, $campaign: ID!) { removeLeadFromCampaign(lead: $lead, campaign: $campaign) { id } }"
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"
ALL_RESULTS = f"{{ campaigns(first: 100) {{ totalCount nodes {{ {RESULTS} }} }} }}"
NESTED_RESULTS = f"{{ leads(first: 40, orderBy: NAME_ASC) {{ nodes {{ id campaigns {{ nodes {{ {RESULTS} }} }} }} }} }}"
BY_ID = f"query($id: ID!) {{ node(id: $id) {{ ... on Campaign {{ {RESULTS} }} }} }}"
# Hand-written, as the superuser: a campaign's associated leads and those of them that converted.
EXPECTED = """
select c.id, c.spent, count(l.id)::integer as leads, count(l.id) filter (where l.converted_to_customer)::integer as won
from public.lead_campaigns c
left join public.lead_campaign_associations a on a.campaign_id = c.id
left join public.leads l on l.id = a.lead_id
group by c.id
"""
CENT, SHARE = Decimal("0.01"), Decimal("0.0001")


@pytest_asyncio.fixture(scope="module")
async def general_path(api: ApiClient) -> AsyncIterator[CustomApp]:
    """The same database through the general (DataLoader) read path; `api` reads on the compiled one."""
    async with custom_app(api, compiled_reads=False) as app:
        yield app


async def campaign(api: ApiClient, name: str, *, as_user: str = BOB, **fields: Any) -> dict[str, Any]:
    data = ok(await api.gql(CREATE, {"input": {"space": SPACE_ID, "name": name, **fields}}, as_user=as_user))
    return dict(data["createCampaign"])


async def space_lead(api: ApiClient, email: str) -> str:
    data = ok(await api.gql(CREATE_LEAD, {"input": {"space": SPACE_ID, "email": email}}, as_user=CAROL))
    return str(data["createLead"]["id"])


def expected_results(row: asyncpg.Record) -> dict[str, Any]:
    leads, won, spent = row["leads"], row["won"], row["spent"]
    rate = None if not leads else float((Decimal(won) / Decimal(leads)).quantize(SHARE, ROUND_HALF_UP))
    return {
        "id": gid("Campaign", row["id"]),
        "spent": str(spent),
        "leadCount": leads,
        "conversions": won,
        "conversionRate": rate,
        "costPerLead": None if not leads else str((spent / leads).quantize(CENT, ROUND_HALF_UP)),
        "costPerConversion": None if not won else str((spent / won).quantize(CENT, ROUND_HALF_UP)),
    }


async def expected_by_id(api: ApiClient) -> dict[str, dict[str, Any]]:
    return {gid("Campaign", r["id"]): expected_results(r) for r in await admin_fetch(api, EXPECTED)}


# ---------------------------------------------------------------------------------------------------------
# Status transitions
# ---------------------------------------------------------------------------------------------------------


async def test_allowed_transitions_through_graphql(api: ApiClient) -> None:
    created = await campaign(api, "Transitions: the long way")
    assert created["status"] == "DRAFT"
    for status in ("SCHEDULED", "DRAFT", "ACTIVE", "PAUSED", "ACTIVE", "PAUSED", "COMPLETED"):
        updated = ok(await api.gql(UPDATE, {"id": created["id"], "patch": {"status": status}}, as_user=BOB))
        assert updated["updateCampaign"]["status"] == status
    # the same status again is not a transition; other fields of a final campaign may still change
    same = await api.gql(UPDATE, {"id": created["id"], "patch": {"status": "COMPLETED", "spent": "12.5"}}, as_user=BOB)
    assert ok(same)["updateCampaign"] == {"id": created["id"], "status": "COMPLETED", "spent": "12.50"}


@pytest.mark.parametrize(
    "path",
    [
        ("COMPLETED",),  # from draft: a campaign that never ran cannot be completed
        ("PAUSED",),
        ("SCHEDULED", "PAUSED"),
        ("ACTIVE", "DRAFT"),
        ("ACTIVE", "SCHEDULED"),
        ("ACTIVE", "COMPLETED", "ACTIVE"),
        ("CANCELLED", "DRAFT"),
    ],
    ids=lambda path: "draft-" + "-".join(path).lower(),
)
async def test_refused_transitions_through_graphql(api: ApiClient, path: tuple[str, ...]) -> None:
    """Every step but the last is allowed; the last one is refused, and nothing of its patch is written."""
    created = await campaign(api, f"Refused {'-'.join(path)}")
    *allowed, forbidden = path
    for status in allowed:
        ok(await api.gql(UPDATE, {"id": created["id"], "patch": {"status": status}}, as_user=BOB))
    before = await admin_val(
        api, "select status from public.lead_campaigns where id = $1", uuid.UUID(raw_id(created["id"]))
    )
    response = await api.gql(UPDATE, {"id": created["id"], "patch": {"status": forbidden, "spent": "5"}}, as_user=BOB)
    refused(response, "BAD_USER_INPUT", "patch.status")
    message = response.errors[0]["message"]
    assert message.startswith("patch.status:") and f"from {before} to {forbidden.lower()}" in message
    row = await admin_fetch(
        api, "select status, spent from public.lead_campaigns where id = $1", uuid.UUID(raw_id(created["id"]))
    )
    assert (row[0]["status"], row[0]["spent"]) == (before, Decimal("0.00"))


async def test_every_transition_in_sql_as_superuser(api: ApiClient) -> None:
    """Studio's path: the trigger judges every (from, to) pair, whoever writes."""
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        for old, new in itertools.product(STATUSES, STATUSES):
            tx = conn.transaction()
            await tx.start()
            try:
                row_id = await conn.fetchval(
                    "insert into public.lead_campaigns (user_id, name, status) values ($1, 'SQL', $2) returning id",
                    uuid.UUID(ERIN),
                    old,
                )
                update = "update public.lead_campaigns set status = $2 where id = $1"
                if old == new or new in ALLOWED[old]:
                    await conn.execute(update, row_id, new)
                    assert await conn.fetchval("select status from public.lead_campaigns where id = $1", row_id) == new
                else:
                    with pytest.raises(asyncpg.CheckViolationError) as refused_update:
                        await conn.execute(update, row_id, new)
                    error = refused_update.value
                    assert (
                        error.sqlstate == "23514" and error.constraint_name == "lead_campaigns_status_transition_check"
                    )
                    assert error.column_name == "status" and error.table_name == "lead_campaigns"
                    assert f"from {old} to {new}" in error.message, error.message
            finally:
                await tx.rollback()
    finally:
        await conn.close()


async def test_other_writers_are_refused_too(api: ApiClient) -> None:
    """service_role (which bypasses RLS) and a bulk update: the trigger still decides."""
    created = await campaign(api, "Finished elsewhere", status="COMPLETED")
    row_id = uuid.UUID(raw_id(created["id"]))
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        async with conn.transaction():
            await conn.execute("set local role service_role")
            with pytest.raises(asyncpg.CheckViolationError):
                await conn.execute("update public.lead_campaigns set status = 'active' where id = $1", row_id)
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute("update public.lead_campaigns set status = 'draft' where name like 'Finished%'")
    finally:
        await conn.close()
    assert await admin_val(api, "select status from public.lead_campaigns where id = $1", row_id) == "completed"


# ---------------------------------------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------------------------------------


async def test_budget_and_spent_are_never_negative(api: ApiClient) -> None:
    created = await campaign(api, "Careful spender", budget="100")
    for patch, field in (({"spent": "-0.01"}, "patch.spent"), ({"budget": "-5"}, "patch.budget")):
        refused(await api.gql(UPDATE, {"id": created["id"], "patch": patch}, as_user=BOB), "BAD_USER_INPUT", field)
    row_id = uuid.UUID(raw_id(created["id"]))
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        for column in ("spent", "budget"):
            with pytest.raises(asyncpg.CheckViolationError) as violated:
                await conn.execute(f"update public.lead_campaigns set {column} = -1 where id = $1", row_id)
            assert violated.value.constraint_name == f"lead_campaigns_{column}_check"
    finally:
        await conn.close()
    assert await admin_val(api, "select (budget, spent)::text from public.lead_campaigns where id = $1", row_id) == (
        "(100.00,0.00)"
    )


# ---------------------------------------------------------------------------------------------------------
# Computed results
# ---------------------------------------------------------------------------------------------------------


async def test_results_of_a_campaign_follow_its_leads(api: ApiClient, general_path: CustomApp) -> None:
    created = await campaign(api, "Measured campaign", spent="100", status="ACTIVE")
    assert {k: created[k] for k in ("leadCount", "conversions", "conversionRate", "costPerLead")} == {
        "leadCount": 0,
        "conversions": 0,
        "conversionRate": None,
        "costPerLead": None,
    }
    leads = [await space_lead(api, f"measured.{n}@example.com") for n in range(3)]
    for lead in leads:
        ok(await api.gql(ADD, {"lead": lead, "campaign": created["id"]}, as_user=CAROL))
    await admin_val(  # converted in SQL: a customer of its own, linked (a converted lead has its customer)
        api,
        "with c as (insert into public.customers (user_id, space_id, lead_id, name)"
        " select l.user_id, l.space_id, l.id, 'Measured' from public.leads l where l.id = $1 returning id, lead_id)"
        " update public.leads l set converted_to_customer = true, customer_id = c.id from c where l.id = c.lead_id",
        uuid.UUID(raw_id(leads[0])),
    )
    expected = {
        "id": created["id"],
        "spent": "100.00",
        "leadCount": 3,
        "conversions": 1,
        "conversionRate": 0.3333,
        "costPerLead": "33.33",
        "costPerConversion": "100.00",
    }
    for client in (api, general_path.client):
        response = await client.gql(BY_ID, {"id": created["id"]}, as_user=BOB)
        assert ok(response)["node"] == expected
    ok(await api.gql(REMOVE, {"lead": leads[0], "campaign": created["id"]}, as_user=CAROL))
    after = ok(await api.gql(BY_ID, {"id": created["id"]}, as_user=CAROL))["node"]
    assert (after["leadCount"], after["conversions"], after["costPerLead"], after["costPerConversion"]) == (
        2,
        0,
        "50.00",
        None,
    )


@pytest.mark.parametrize("user", [ALICE, CAROL, ERIN])
async def test_results_equal_hand_written_sql(api: ApiClient, general_path: CustomApp, user: str) -> None:
    expected = await expected_by_id(api)
    general = await general_path.client.gql(ALL_RESULTS, as_user=user)
    fast = await api.gql(ALL_RESULTS, as_user=user)
    assert fast.statements == 3 and general.statements is not None and general.statements > 3
    assert fast.body == general.body
    nodes = ok(general)["campaigns"]["nodes"]
    assert nodes and all(node == expected[node["id"]] for node in nodes)
    if user != ERIN:  # the demo space's campaigns have leads and conversions
        assert any(node["conversions"] > 0 for node in nodes) and any(node["leadCount"] == 0 for node in nodes)


async def test_results_are_batched_per_request(api: ApiClient, general_path: CustomApp) -> None:
    """The general path: one statement for the results of all campaigns of a list, however many there are."""
    expected = await expected_by_id(api)
    general = general_path.client
    few = await general.gql(f"{{ campaigns(first: 2) {{ nodes {{ {RESULTS} }} }} }}", as_user=ALICE)
    many = await general.gql(f"{{ campaigns(first: 100) {{ nodes {{ {RESULTS} }} }} }}", as_user=ALICE)
    plain = await general.gql("{ campaigns(first: 100) { nodes { id } } }", as_user=ALICE)
    assert len(ok(many)["campaigns"]["nodes"]) > 2
    assert few.statements == many.statements == (plain.statements or 0) + 1
    nested = await general.gql(NESTED_RESULTS, as_user=ALICE)
    fast = await api.gql(NESTED_RESULTS, as_user=ALICE)
    assert fast.body == nested.body and fast.statements == 3
    seen = [c for lead in ok(nested)["leads"]["nodes"] for c in lead["campaigns"]["nodes"]]
    assert seen and all(c == expected[c["id"]] for c in seen)
