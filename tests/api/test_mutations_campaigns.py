"""Mutations of campaigns and of the leads in them."""

from __future__ import annotations

import uuid
from typing import Any

from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_val, count_rows, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)
CAMPAIGN = "id name description campaignType status startDate endDate budget spent space { id }"
CREATE = f"mutation($input: CreateCampaignInput!) {{ createCampaign(input: $input) {{ {CAMPAIGN} }} }}"
UPDATE = f"mutation($id: ID!, $patch: CampaignPatch!) {{ updateCampaign(id: $id, patch: $patch) {{ {CAMPAIGN} }} }}"
DELETE = "mutation($id: ID!) { deleteCampaign(id: $id) { deletedId } }"
READ = (
    f"query($id: ID!) {{ node(id: $id) {{ ... on Campaign {{ {CAMPAIGN} leads {{ totalCount nodes {{ id }} }} }} }} }}"
)
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"
ADD = """
mutation($lead: ID!, $campaign: ID!) {
  addLeadToCampaign(lead: $lead, campaign: $campaign) { id campaigns { nodes { id } } }
}
"""
REMOVE = """
mutation($lead: ID!, $campaign: ID!) {
  removeLeadFromCampaign(lead: $lead, campaign: $campaign) { id campaigns { nodes { id } } }
}
"""
PAIR = "lead_id = $1 and campaign_id = $2"


def uid(global_id: str) -> uuid.UUID:
    return uuid.UUID(raw_id(global_id))


async def campaign(api: ApiClient, name: str, as_user: str = BOB, space: str | None = SPACE_ID, **fields: Any) -> str:
    data = ok(await api.gql(CREATE, {"input": {"space": space, "name": name, **fields}}, as_user=as_user))
    return str(data["createCampaign"]["id"])


async def lead(api: ApiClient, email: str, as_user: str = CAROL, space: str | None = SPACE_ID) -> str:
    data = ok(await api.gql(CREATE_LEAD, {"input": {"space": space, "email": email}}, as_user=as_user))
    return str(data["createLead"]["id"])


async def pair_count(api: ApiClient, lead_id: str, campaign_id: str) -> int:
    return await count_rows(api, "lead_campaign_associations", PAIR, uid(lead_id), uid(campaign_id))


async def test_campaign_lifecycle(api: ApiClient) -> None:
    input = {
        "space": SPACE_ID,
        "name": "Winter webinar",
        "campaignType": "WEBINAR",
        "startDate": "2026-12-01",
        "endDate": "2026-12-15",
        "budget": "2500.5",
    }
    created = ok(await api.gql(CREATE, {"input": input}, as_user=BOB))["createCampaign"]
    assert created["status"] == "DRAFT" and created["budget"] == "2500.50" and created["spent"] == "0.00"
    read = ok(await api.gql(READ, {"id": created["id"]}, as_user=DAVE))["node"]
    assert read["name"] == "Winter webinar" and read["endDate"] == "2026-12-15" and read["leads"]["totalCount"] == 0
    patch = {"budget": None, "status": "ACTIVE", "spent": "100"}
    updated = ok(await api.gql(UPDATE, {"id": created["id"], "patch": patch}, as_user=BOB))["updateCampaign"]
    assert updated["budget"] is None and updated["status"] == "ACTIVE" and updated["spent"] == "100.00"
    assert updated["startDate"] == "2026-12-01" and updated["campaignType"] == "WEBINAR"
    deleted = ok(await api.gql(DELETE, {"id": created["id"]}, as_user=ALICE))
    assert deleted["deleteCampaign"] == {"deletedId": created["id"]}
    assert await count_rows(api, "lead_campaigns", "id = $1", uid(created["id"])) == 0


async def test_campaign_validation(api: ApiClient) -> None:
    dates = {"space": SPACE_ID, "name": "Backwards", "startDate": "2026-12-10", "endDate": "2026-12-01"}
    response = await api.gql(CREATE, {"input": dates}, as_user=BOB)
    refused(response, "BAD_USER_INPUT", "input.endDate")
    refused(
        await api.gql(CREATE, {"input": {"name": "Costly", "spent": "-1"}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.spent",
    )
    refused(
        await api.gql(CREATE, {"input": {"name": "Costly", "budget": "1e15"}}, as_user=BOB),
        "BAD_USER_INPUT",
        "input.budget",
    )
    assert await count_rows(api, "lead_campaigns", "name in ('Backwards', 'Costly')") == 0
    created = await campaign(api, "Dated", startDate="2026-12-10")
    refused(
        await api.gql(
            UPDATE, {"id": created, "patch": {"startDate": "2027-01-02", "endDate": "2027-01-01"}}, as_user=BOB
        ),
        "BAD_USER_INPUT",
        "patch.endDate",
    )
    refused(await api.gql(UPDATE, {"id": created, "patch": {"endDate": "2026-12-01"}}, as_user=BOB), "BAD_USER_INPUT")
    refused(
        await api.gql(UPDATE, {"id": created, "patch": {"spent": None}}, as_user=BOB), "BAD_USER_INPUT", "patch.spent"
    )
    assert await admin_val(api, "select end_date from public.lead_campaigns where id = $1", uid(created)) is None


async def test_campaign_permissions(api: ApiClient) -> None:
    refused(
        await api.gql(CREATE, {"input": {"space": SPACE_ID, "name": "Carol's campaign"}}, as_user=CAROL), "FORBIDDEN"
    )
    assert await count_rows(api, "lead_campaigns", "name = 'Carol''s campaign'") == 0
    created = await campaign(api, "Managed campaign")
    refused(await api.gql(UPDATE, {"id": created, "patch": {"status": "ACTIVE"}}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(UPDATE, {"id": created, "patch": {"status": "ACTIVE"}}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(DELETE, {"id": created}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(DELETE, {"id": created}, as_user=ERIN), "NOT_FOUND")
    assert await admin_val(api, "select status from public.lead_campaigns where id = $1", uid(created)) == "draft"


async def test_add_and_remove_a_lead(api: ApiClient) -> None:
    target = await campaign(api, "Spring launch")
    member_lead = await lead(api, "spring.one@example.com")
    added = ok(await api.gql(ADD, {"lead": member_lead, "campaign": target}, as_user=CAROL))["addLeadToCampaign"]
    assert added["id"] == member_lead and {"id": target} in added["campaigns"]["nodes"]
    again = ok(await api.gql(ADD, {"lead": member_lead, "campaign": target}, as_user=CAROL))["addLeadToCampaign"]
    assert again["campaigns"]["nodes"] == added["campaigns"]["nodes"]  # an existing pair is not an error
    assert await pair_count(api, member_lead, target) == 1
    read = ok(await api.gql(READ, {"id": target}, as_user=DAVE))["node"]
    assert read["leads"] == {"totalCount": 1, "nodes": [{"id": member_lead}]}
    removed = ok(await api.gql(REMOVE, {"lead": member_lead, "campaign": target}, as_user=CAROL))[
        "removeLeadFromCampaign"
    ]
    assert removed == {"id": member_lead, "campaigns": {"nodes": []}}
    assert await pair_count(api, member_lead, target) == 0
    refused(await api.gql(REMOVE, {"lead": member_lead, "campaign": target}, as_user=CAROL), "NOT_FOUND")


async def test_association_refusals(api: ApiClient) -> None:
    target = await campaign(api, "Guarded launch")
    space_lead = await lead(api, "guarded.one@example.com")
    refused(await api.gql(ADD, {"lead": space_lead, "campaign": target}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(ADD, {"lead": space_lead, "campaign": target}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(ADD, {"lead": target, "campaign": target}, as_user=CAROL), "BAD_USER_INPUT", "lead")
    personal = await lead(api, "alice.own@example.com", as_user=ALICE, space=None)
    refused(await api.gql(ADD, {"lead": personal, "campaign": target}, as_user=ALICE), "BAD_USER_INPUT", "campaign")
    assert await pair_count(api, space_lead, target) == 0
    assert await pair_count(api, personal, target) == 0
    ok(await api.gql(ADD, {"lead": space_lead, "campaign": target}, as_user=CAROL))
    refused(await api.gql(REMOVE, {"lead": space_lead, "campaign": target}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(REMOVE, {"lead": space_lead, "campaign": target}, as_user=ERIN), "NOT_FOUND")
    assert await pair_count(api, space_lead, target) == 1
    personal_campaign = await campaign(api, "Alice's own", as_user=ALICE, space=None)
    ok(await api.gql(ADD, {"lead": personal, "campaign": personal_campaign}, as_user=ALICE))
    assert await pair_count(api, personal, personal_campaign) == 1
