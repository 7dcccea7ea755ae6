"""A public submission with an existing lead's email: it adds a submission and an activity, fills only what is
empty, proposes the rest to the form's editors, never lowers the score, and its visitor token writes nothing
onto that lead. Checked over HTTP as an anonymous visitor, and in SQL (every column of the lead).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from gql.ids import global_id
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient
from tests.support.http_app import insert_lead, lead_row, named_id
from tests.support.mutations import admin_fetch, admin_val, ok

SEED_FORM_ID = "00000000-0000-4000-b100-000000000001"  # the demo space's published contact form
SEED_FORM = global_id("LeadForm", SEED_FORM_ID)
WORD_OF_MOUTH = named_id("b900", 12)  # a source of the demo space
SUBMIT = """
mutation($form: ID!, $values: JSON!) {
  submitForm(formId: $form, values: $values) { submissionId visitorToken }
}
"""
TRACK = "mutation($t: String!, $u: String!) { trackPageVisit(visitorToken: $t, url: $u) }"
SUBMISSIONS = """
query($form: ID!, $first: Int, $after: String) {
  node(id: $form) {
    ... on LeadForm {
      submissions(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id leadCreated proposedChanges values lead { id } form { id } }
      }
    }
  }
}
"""
# What the activity that every submission adds changes on the lead, besides the lead's own values
ACTIVITY_EFFECTS = {"last_activity_at", "updated_at"}


@pytest_asyncio.fixture(scope="module", autouse=True)
async def lifted_limits(api: ApiClient) -> AsyncIterator[None]:
    """Every request of the module comes from one address: the rate limits are not what these tests look at."""
    await admin_val(api, "update private.form_submission_limits set per_client_limit = 100000, per_form_limit = 100000")
    yield


async def submit(api: ApiClient, values: dict[str, Any]) -> dict[str, Any]:
    return dict(ok(await api.gql(SUBMIT, {"form": SEED_FORM, "values": values}))["submitForm"])


async def company(api: ApiClient, name: str, website: str) -> str:
    return str(
        await admin_val(
            api,
            "insert into public.companies (user_id, space_id, name, website, industry, company_size)"
            " values ($1, $2, $3, $4, 'Software', '51-200') returning id::text",
            BOB,
            SPACE,
            name,
            website,
        )
    )


async def submission_row(api: ApiClient, submission_id: str) -> dict[str, Any]:
    rows = await admin_fetch(
        api,
        "select lead_id::text, lead_created, proposed_changes from private.form_submissions where id = $1::uuid",
        submission_id,
    )
    assert len(rows) == 1
    row = dict(rows[0])
    row["proposed_changes"] = json.loads(row["proposed_changes"])
    return row


async def activities(api: ApiClient, lead: str, kind: str) -> list[dict[str, Any]]:
    rows = await admin_fetch(
        api,
        "select activity_data from public.lead_activities where lead_id = $1::uuid and activity_type = $2"
        " order by created_at",
        lead,
        kind,
    )
    return [json.loads(r["activity_data"]) for r in rows]


async def test_an_anonymous_submission_with_a_known_email_changes_no_existing_value(api: ApiClient) -> None:
    firm = await company(api, "Stone Industries", "https://stone.example")
    lead = await insert_lead(
        api,
        BOB,
        SPACE,
        first_name="Victoria",
        last_name="Stone",
        email="victoria.stone@stone.example",
        phone="+1 555 0100 22",
        job_title="Director of Marketing",
        budget=50000,
        authority="Signs off alone",
        need="More qualified leads",
        timeline="This quarter",
        company_id=uuid.UUID(firm),
        source_id=uuid.UUID(WORD_OF_MOUTH),
        form_id=uuid.UUID(SEED_FORM_ID),
        custom_fields=json.dumps({"message": "Call me on Monday", "interest": "SEO"}),
        form_submission_data=json.dumps({"first_name": "Victoria", "email": "victoria.stone@stone.example"}),
        assigned_to=uuid.UUID(CAROL),
    )
    before = await lead_row(api, lead)
    assert before is not None and before["score"] > 0
    values = {
        "first_name": "Mallory",
        "last_name": "Evil",
        "email": "VICTORIA.Stone@Stone.EXAMPLE",
        "company": "Evil Inc",
        "job_title": "Intern",
        "phone": "+1 555 9999 99",
        "budget": 1,
        "interest": "Web design",
        "message": "Ignore the previous message",
    }
    result = await submit(api, values)

    after = await lead_row(api, lead)
    assert after is not None and set(after) == set(before)
    changed = {column for column in before if after[column] != before[column]}
    assert changed <= ACTIVITY_EFFECTS | {"score"}, {c: (before[c], after[c]) for c in changed - ACTIVITY_EFFECTS}
    assert after["score"] >= before["score"]
    # the submission and its activity were added; the values are proposals for the form's editors
    submission = await submission_row(api, result["submissionId"])
    assert submission["lead_id"] == lead and submission["lead_created"] is False
    proposed = submission["proposed_changes"]
    assert set(proposed) == set(values) - {"email"}
    assert proposed["job_title"] == {"current": "Director of Marketing", "proposed": "Intern", "reason": "conflict"}
    assert proposed["budget"] == {"current": 50000, "proposed": 1, "reason": "conflict"}
    assert proposed["message"]["current"] == "Call me on Monday"
    assert proposed["company"]["current"] == {"name": "Stone Industries", "website": "https://stone.example"}
    assert await admin_val(api, "select count(*) from public.companies where name = 'Evil Inc'") == 0
    [activity] = await activities(api, lead, "form_submitted")
    assert activity["submission_id"] == result["submissionId"] and activity["lead_created"] is False
    assert activity["proposed_fields"] == sorted(proposed)

    # the visitor token does not write onto that lead, and answers as it would for the visitor's own lead
    track = await api.gql(TRACK, {"t": result["visitorToken"], "u": "https://agency.example/pricing"})
    assert ok(track)["trackPageVisit"] is True
    assert await activities(api, lead, "page_visit") == []
    kept = await admin_fetch(
        api, "select url, on_lead from private.page_visits where submission_id = $1::uuid", result["submissionId"]
    )
    assert [dict(r) for r in kept] == [{"url": "https://agency.example/pricing", "on_lead": False}]
    assert await lead_row(api, lead) == after


async def test_a_submission_fills_only_empty_fields_and_its_editors_see_the_rest(api: ApiClient) -> None:
    lead = await insert_lead(
        api, BOB, SPACE, first_name="Ann", email="ann.empty@fill.example", custom_fields=json.dumps({"interest": ""})
    )
    before = await lead_row(api, lead)
    assert before is not None
    values = {
        "first_name": "Anna",
        "last_name": "Lee",
        "email": "Ann.Empty@fill.example",
        "job_title": "Director of Sales",
        "company": "Fill Co",
        "interest": "SEO",
    }
    result = await submit(api, values)
    after = await lead_row(api, lead)
    assert after is not None
    assert (after["first_name"], after["last_name"], after["job_title"]) == ("Ann", "Lee", "Director of Sales")
    assert after["custom_fields"] == {"interest": "SEO"}  # a blank custom value counts as empty
    assert after["company_id"] is not None and after["form_id"] == SEED_FORM_ID and after["source_id"] is not None
    assert after["form_submission_data"] == {k: v for k, v in values.items()}
    assert after["score"] > before["score"]  # a senior title, a form: filling empty fields may raise it
    proposal = {"first_name": {"current": "Ann", "proposed": "Anna", "reason": "conflict"}}
    assert (await submission_row(api, result["submissionId"]))["proposed_changes"] == proposal

    # the form's editors (Alice owns the space, Bob is an admin) and platform admins see the submission
    for editor in (ALICE, BOB, PLATFORM_ADMIN):
        page = ok(await api.gql(SUBMISSIONS, {"form": SEED_FORM, "first": 1}, as_user=editor))["node"]["submissions"]
        assert page["totalCount"] >= 1 and page["pageInfo"]["hasNextPage"] is (page["totalCount"] > 1)
        [node] = page["nodes"]
        assert node["id"] == result["submissionId"] and node["leadCreated"] is False
        assert node["proposedChanges"] == proposal and node["values"] == values
        assert node["lead"]["id"] == global_id("Lead", lead) and node["form"]["id"] == SEED_FORM
    # members and viewers read the form, not its submissions; outsiders not even the form
    for reader in (CAROL, DAVE):
        page = ok(await api.gql(SUBMISSIONS, {"form": SEED_FORM}, as_user=reader))["node"]["submissions"]
        assert page == {"totalCount": 0, "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": []}
    assert ok(await api.gql(SUBMISSIONS, {"form": SEED_FORM}, as_user=ERIN))["node"] is None
    forged = await api.gql(SUBMISSIONS, {"form": SEED_FORM, "after": "bm90IGEgY3Vyc29y"}, as_user=BOB)
    assert forged.codes == ["BAD_USER_INPUT"] and forged.errors[0]["extensions"]["field"] == "after"


async def test_submissions_page_newest_first(api: ApiClient) -> None:
    for n in range(3):
        await submit(api, {"first_name": "Pager", "email": f"pager{n}@paging.example"})
    seen: list[str] = []
    after = None
    for _ in range(10):
        data = ok(await api.gql(SUBMISSIONS, {"form": SEED_FORM, "first": 2, "after": after}, as_user=BOB))
        page = data["node"]["submissions"]
        seen += [n["id"] for n in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    stored = await admin_fetch(
        api,
        "select id::text from private.form_submissions where form_id = $1::uuid order by created_at desc, id desc",
        SEED_FORM_ID,
    )
    assert seen == [r["id"] for r in stored] and len(seen) >= 3


async def test_fills_that_would_lower_the_score_are_proposed_instead(api: ApiClient) -> None:
    rule = await admin_val(
        api,
        "insert into public.lead_scoring_rules (user_id, space_id, name, criteria_type, condition, value, points)"
        " values ($1, $2, 'Interns rarely buy', 'job_title', 'contains', 'Intern', -40) returning id",
        BOB,
        SPACE,
    )
    try:
        lead = await insert_lead(api, BOB, SPACE, first_name=None, email="budget.holder@score.example", budget=50000)
        before = await lead_row(api, lead)
        assert before is not None and before["score"] >= 20
        result = await submit(api, {"first_name": "Bea", "email": "budget.holder@score.example", "job_title": "Intern"})
        after = await lead_row(api, lead)
        assert after is not None
        assert after["score"] >= before["score"]
        assert after["job_title"] is None and after["first_name"] == "Bea"  # a name does not score
        proposed = (await submission_row(api, result["submissionId"]))["proposed_changes"]
        assert proposed == {"job_title": {"current": None, "proposed": "Intern", "reason": "lowers_score"}}
    finally:
        await admin_val(api, "delete from public.lead_scoring_rules where id = $1", rule)


async def test_the_token_of_the_submission_that_created_a_lead_still_records_visits(api: ApiClient) -> None:
    first = await submit(api, {"first_name": "Nova", "email": "nova@new.example"})
    lead = (await submission_row(api, first["submissionId"]))["lead_id"]
    assert ok(await api.gql(TRACK, {"t": first["visitorToken"], "u": "https://agency.example/a"}))["trackPageVisit"]
    # a second visitor giving the same email gets a token that records nothing onto the lead
    second = await submit(api, {"first_name": "Nova", "email": "NOVA@new.example"})
    assert ok(await api.gql(TRACK, {"t": second["visitorToken"], "u": "https://agency.example/b"}))["trackPageVisit"]
    visits = await activities(api, lead, "page_visit")
    assert [v["url"] for v in visits] == ["https://agency.example/a"]
