"""Logging activities and converting leads into customers (idempotent, also under concurrency)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient
from tests.support.mutations import admin_fetch, admin_val, count_rows, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)
CREATE_COMPANY = "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { id } }"
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"
CONVERT = """
mutation($lead: ID!) {
  convertLead(leadId: $lead) {
    created
    customer { id name email phone customerData space { id } owner { id } company { id } lead { id } }
    lead { id status convertedToCustomer customer { id } lastActivityAt }
  }
}
"""
LOG = """
mutation($input: LogActivityInput!) {
  logActivity(input: $input) {
    id activityType description activityData createdAt user { id } lead { id lastActivityAt }
  }
}
"""


async def new_lead(api: ApiClient, as_user: str = CAROL, **fields: Any) -> str:
    if as_user != ERIN and "space" not in fields:
        fields["space"] = SPACE_ID
    return str(ok(await api.gql(CREATE_LEAD, {"input": fields}, as_user=as_user))["createLead"]["id"])


def uid(global_id: str) -> uuid.UUID:
    return uuid.UUID(raw_id(global_id))


async def activities(api: ApiClient, lead: str, activity_type: str) -> int:
    return await count_rows(api, "lead_activities", "lead_id = $1 and activity_type = $2", uid(lead), activity_type)


# ---------------------------------------------------------------------------------------------------------
# logActivity
# ---------------------------------------------------------------------------------------------------------


async def test_log_activity_updates_last_activity_at(api: ApiClient) -> None:
    lead = await new_lead(api, email="call.me@example.com")
    data = {"durationSeconds": 300, "direction": "outbound"}
    logged = ok(
        await api.gql(
            LOG,
            {
                "input": {
                    "lead": lead,
                    "activityType": "CALL_MADE",
                    "description": "Discovery call",
                    "activityData": data,
                }
            },
            as_user=CAROL,
        )
    )["logActivity"]
    assert logged["activityType"] == "CALL_MADE" and logged["activityData"] == data
    assert logged["user"] == {"id": gid("User", CAROL)}
    assert logged["lead"] == {"id": lead, "lastActivityAt": logged["createdAt"]}
    stored = await admin_val(api, "select last_activity_at from public.leads where id = $1", uid(lead))
    assert stored is not None and stored.isoformat().startswith(logged["createdAt"][:19])
    for kind in ("EMAIL_SENT", "EMAIL_OPENED", "MEETING", "NOTE"):
        ok(await api.gql(LOG, {"input": {"lead": lead, "activityType": kind}}, as_user=BOB))
    assert await count_rows(api, "lead_activities", "lead_id = $1", uid(lead)) == 5


async def test_log_activity_refusals(api: ApiClient) -> None:
    lead = await new_lead(api, email="quiet@example.com")
    for kind in ("STAGE_CHANGED", "CONVERTED", "SCORE_CHANGED", "FORM_SUBMITTED"):
        response = await api.gql(LOG, {"input": {"lead": lead, "activityType": kind}}, as_user=CAROL)
        refused(response, "BAD_USER_INPUT", "input.activityType")
    note = {"lead": lead, "activityType": "NOTE"}
    refused(await api.gql(LOG, {"input": note}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(LOG, {"input": note}, as_user=PLATFORM_ADMIN), "FORBIDDEN")
    refused(await api.gql(LOG, {"input": note}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(LOG, {"input": {**note, "activityData": [1]}}, as_user=CAROL), "BAD_USER_INPUT")
    refused(await api.gql(LOG, {"input": {**note, "lead": SPACE_ID}}, as_user=CAROL), "BAD_USER_INPUT", "input.lead")
    assert await count_rows(api, "lead_activities", "lead_id = $1", uid(lead)) == 0


# ---------------------------------------------------------------------------------------------------------
# convertLead
# ---------------------------------------------------------------------------------------------------------


async def test_convert_lead_creates_a_customer_once(api: ApiClient) -> None:
    company = ok(await api.gql(CREATE_COMPANY, {"input": {"space": SPACE_ID, "name": "Initech"}}, as_user=CAROL))[
        "createCompany"
    ]["id"]
    lead = await new_lead(
        api,
        firstName="Peter",
        lastName="Gibbons",
        email="peter@initech.example",
        phone="+1 555 0199",
        jobTitle="Engineer",
        company=company,
    )
    score = await admin_val(api, "select score from public.leads where id = $1", uid(lead))  # the rules decide it
    first = ok(await api.gql(CONVERT, {"lead": lead}, as_user=CAROL))["convertLead"]
    customer = first["customer"]
    assert first["created"] is True
    assert customer["name"] == "Peter Gibbons" and customer["email"] == "peter@initech.example"
    assert customer["phone"] == "+1 555 0199" and customer["company"] == {"id": company}
    assert customer["space"] == {"id": SPACE_ID} and customer["owner"] == {"id": gid("User", CAROL)}
    assert customer["lead"] == {"id": lead}
    assert customer["customerData"] == {"job_title": "Engineer", "score_at_conversion": score}
    assert first["lead"]["status"] == "CONVERTED" and first["lead"]["convertedToCustomer"] is True
    assert first["lead"]["customer"] == {"id": customer["id"]}
    assert first["lead"]["lastActivityAt"] is not None
    logged = await admin_fetch(
        api,
        "select activity_data::text as data, user_id from public.lead_activities"
        " where lead_id = $1 and activity_type = 'converted'",
        uid(lead),
    )
    assert len(logged) == 1 and str(logged[0]["user_id"]) == CAROL and raw_id(customer["id"]) in logged[0]["data"]

    # again, by anyone who may see it: the same customer, nothing new
    for user in (CAROL, BOB, DAVE):
        again = ok(await api.gql(CONVERT, {"lead": lead}, as_user=user))["convertLead"]
        assert again["created"] is False and again["customer"]["id"] == customer["id"]
    assert await count_rows(api, "customers", "lead_id = $1", uid(lead)) == 1
    assert await activities(api, lead, "converted") == 1


async def test_the_customer_is_named_after_the_email_without_names(api: ApiClient) -> None:
    lead = await new_lead(api, as_user=ERIN, email="nameless@example.com")
    converted = ok(await api.gql(CONVERT, {"lead": lead}, as_user=ERIN))["convertLead"]
    assert converted["customer"]["name"] == "nameless@example.com"
    assert converted["customer"]["space"] is None and converted["customer"]["company"] is None
    only_last = await new_lead(api, as_user=ERIN, lastName="Lumbergh")
    converted = ok(await api.gql(CONVERT, {"lead": only_last}, as_user=ERIN))["convertLead"]
    assert converted["customer"]["name"] == "Lumbergh" and converted["customer"]["email"] is None


async def test_concurrent_conversions_make_one_customer(api: ApiClient) -> None:
    lead = await new_lead(api, firstName="Milton", email="milton@initech.example")
    responses = await asyncio.gather(*(api.gql(CONVERT, {"lead": lead}, as_user=user) for user in [CAROL, BOB] * 6))
    results = [ok(r)["convertLead"] for r in responses]
    assert len({r["customer"]["id"] for r in results}) == 1
    assert sum(r["created"] for r in results) == 1
    assert await count_rows(api, "customers", "lead_id = $1", uid(lead)) == 1
    assert await activities(api, lead, "converted") == 1


async def test_a_customer_made_beforehand_is_linked(api: ApiClient) -> None:
    """A customer created for the lead by hand (createCustomer with the lead) is the lead's customer."""
    lead = await new_lead(api, email="linked@example.com")
    create_customer = "mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { id } }"
    made = ok(
        await api.gql(create_customer, {"input": {"space": SPACE_ID, "name": "By hand", "lead": lead}}, as_user=BOB)
    )["createCustomer"]["id"]
    refused(await api.gql(CONVERT, {"lead": lead}, as_user=DAVE), "FORBIDDEN")  # linking it is a write
    converted = ok(await api.gql(CONVERT, {"lead": lead}, as_user=CAROL))["convertLead"]
    assert converted["created"] is False and converted["customer"]["id"] == made
    assert converted["lead"]["convertedToCustomer"] is True and converted["lead"]["customer"] == {"id": made}
    assert await activities(api, lead, "converted") == 1


async def test_convert_lead_refusals(api: ApiClient) -> None:
    lead = await new_lead(api, email="not.yet@example.com")
    refused(await api.gql(CONVERT, {"lead": lead}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(CONVERT, {"lead": lead}, as_user=PLATFORM_ADMIN), "FORBIDDEN")
    refused(await api.gql(CONVERT, {"lead": lead}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(CONVERT, {"lead": gid("Lead", uuid.uuid4())}, as_user=CAROL), "NOT_FOUND")
    refused(await api.gql(CONVERT, {"lead": SPACE_ID}, as_user=CAROL), "BAD_USER_INPUT", "leadId")
    assert await count_rows(api, "customers", "lead_id = $1", uid(lead)) == 0
    row = await admin_fetch(api, "select status, converted_to_customer from public.leads where id = $1", uid(lead))
    assert (row[0]["status"], row[0]["converted_to_customer"]) == ("new", False)
    # Alice's personal lead is hers alone to convert
    personal = await new_lead(api, as_user=ALICE, space=None, email="mine@example.com")
    refused(await api.gql(CONVERT, {"lead": personal}, as_user=BOB), "NOT_FOUND")
    assert ok(await api.gql(CONVERT, {"lead": personal}, as_user=ALICE))["convertLead"]["created"] is True
