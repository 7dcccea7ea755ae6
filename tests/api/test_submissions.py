"""Public form submissions over HTTP, without a token: validation, writes, idempotency, spam defences, privileges.

The module's forms: the seed's published contact form, and a form built here through GraphQL (every field
type). Rate limits are lifted for the module (all its requests come from one address) and lowered only by
the tests of rate limits themselves.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import pytest_asyncio

from db.pool import create_api_pool
from domain.visitor_tokens import verify_visitor_token
from gql.ids import global_id
from gql.schema import build_schema
from server.app import Services, create_app
from server.auth import AuthSettings, TokenVerifier
from server.graphql_endpoint import EndpointConfig
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, SPACE, ApiClient, GraphQLResponse
from tests.support.databases import with_user
from tests.support.mutations import admin_fetch, admin_val, ok, raw_id

SEED_FORM = global_id("LeadForm", "00000000-0000-4000-b100-000000000001")
DRAFT_FORM = global_id("LeadForm", "00000000-0000-4000-b100-000000000002")  # Alice's, unpublished
SUBMIT = """
mutation($form: ID!, $values: JSON!, $context: SubmissionContext, $key: String) {
  submitForm(formId: $form, values: $values, context: $context, idempotencyKey: $key) {
    submissionId successMessage redirectUrl visitorToken
  }
}
"""
LEAD_BY_EMAIL = """
query($email: String!) {
  leads(filter: {email: {eq: $email}}) {
    nodes { id email firstName lastName jobTitle phone budget customFields formSubmissionData
            company { name website } source { name type utmSource utmMedium utmCampaign } stage { name }
            form { id } space { id } owner { id }
            activities(first: 10) { nodes { activityType activityData user { id } } } }
  }
}
"""
COUNTED = (
    "public.leads",
    "public.companies",
    "public.lead_sources",
    "public.lead_activities",
    "private.form_submissions",
)


async def submit(
    client: ApiClient,
    form: str,
    values: dict[str, Any],
    context: dict[str, Any] | None = None,
    key: str | None = None,
    **kwargs: Any,
) -> GraphQLResponse:
    return await client.gql(SUBMIT, {"form": form, "values": values, "context": context, "key": key}, **kwargs)


def submitted(response: GraphQLResponse) -> dict[str, Any]:
    return dict(ok(response)["submitForm"])


def failing_fields(response: GraphQLResponse) -> list[str]:
    assert response.codes == ["BAD_USER_INPUT"], response.errors
    assert response.data is None
    return [p["field"] for p in response.errors[0]["extensions"]["fields"]]


async def counts(api: ApiClient) -> dict[str, int]:
    return {table: int(await admin_val(api, f"select count(*) from {table}")) for table in COUNTED}


async def set_limits(api: ApiClient, client: int = 100_000, form: int = 100_000) -> None:
    """Per-client and per-form limits; an address's and a network's shares of a form are lifted (their own tests
    are in test_trusted_proxies.py)."""
    await admin_val(
        api,
        "update private.form_submission_limits set per_client_limit = $1, per_form_limit = $2,"
        " per_form_address_percent = 100, per_form_network_percent = 100",
        client,
        form,
    )


async def lead_of(api: ApiClient, email: str, as_user: str = BOB) -> dict[str, Any]:
    nodes = ok(await api.gql(LEAD_BY_EMAIL, {"email": email}, as_user=as_user))["leads"]["nodes"]
    assert len(nodes) == 1, nodes
    return dict(nodes[0])


@asynccontextmanager
async def visitor_app(api: ApiClient, address: str, secret: bytes) -> AsyncIterator[ApiClient]:
    """The app over the module's database with a known server secret, seen from the client `address`."""
    pool = await create_api_pool(with_user(api.admin_dsn, "leadgen_api"), min_size=1, max_size=2)
    verifier = TokenVerifier(AuthSettings(jwks=api.key.jwks()))
    config = EndpointConfig(secret_key=secret)
    app = create_app(Services(schema=build_schema(), pool=pool, verifier=verifier, endpoint=config))
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            client = ApiClient(http, api.key)
            client.admin_dsn = api.admin_dsn
            yield client
    finally:
        await verifier.aclose()
        await pool.close()


BUCKETS = ["1-10", "11-50", "51-200", "201-500"]
FIELDS: list[dict[str, Any]] = [
    {"fieldName": "first_name", "fieldType": "TEXT", "isRequired": True, "validationRules": {"maxLength": 100}},
    {"fieldName": "last_name", "fieldType": "TEXT"},
    {"fieldName": "email", "fieldType": "EMAIL", "isRequired": True, "validationRules": {"blockFreeEmail": True}},
    {"fieldName": "company", "fieldType": "TEXT"},
    {"fieldName": "website", "fieldType": "URL"},
    {"fieldName": "job_title", "fieldType": "TEXT"},
    {"fieldName": "phone", "fieldType": "PHONE"},
    {"fieldName": "budget", "fieldType": "NUMBER", "validationRules": {"min": 0, "max": 100000}},
    {"fieldName": "company_size", "fieldType": "SELECT", "options": BUCKETS},
    {"fieldName": "industry", "fieldType": "TEXT"},
    {"fieldName": "timeline", "fieldType": "TEXT"},
    {"fieldName": "topics", "fieldType": "MULTISELECT", "options": ["seo", "ads", "content"]},
    {"fieldName": "newsletter", "fieldType": "CHECKBOX"},
    {"fieldName": "start", "fieldType": "DATE"},
    {"fieldName": "ref_code", "fieldType": "TEXT", "validationRules": {"pattern": "^[A-Z]{3}-[0-9]{4}$"}},
    {"fieldName": "message", "fieldType": "TEXTAREA", "validationRules": {"maxLength": 500}},
    {"fieldName": "trap", "fieldType": "HIDDEN"},
]
SETTINGS = {"successMessage": "Thank you!", "redirectUrl": "https://agency.example/thanks", "honeypotField": "trap"}


async def build_form(api: ApiClient, name: str, settings: dict[str, Any], fields: list[dict[str, Any]]) -> str:
    """A form of the demo space built and published by Bob (an admin) through GraphQL."""
    create = "mutation($input: CreateLeadFormInput!) { createLeadForm(input: $input) { id } }"
    form_input = {"space": global_id("Space", SPACE), "name": name, "title": name, "formSettings": settings}
    form = str(ok(await api.gql(create, {"input": form_input}, as_user=BOB))["createLeadForm"]["id"])
    add = "mutation($input: CreateFormFieldInput!) { createFormField(input: $input) { id } }"
    for order, field in enumerate(fields):
        field_input = {"form": form, "label": field["fieldName"], "fieldOrder": order, **field}
        ok(await api.gql(add, {"input": field_input}, as_user=BOB))
    ok(await api.gql("mutation($id: ID!) { publishForm(id: $id) { id } }", {"id": form}, as_user=BOB))
    return form


@pytest_asyncio.fixture(scope="module")
async def form(api: ApiClient) -> str:
    await set_limits(api)
    return await build_form(api, "Every field type", SETTINGS, FIELDS)


def complete(email: str, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "first_name": "Grace",
        "last_name": "Hopper",
        "email": email,
        "company": "Cobol Systems",
        "website": "https://www.cobol-systems.example/about",
        "job_title": "Rear Admiral",
        "phone": "+1 (555) 010-2030",
        "budget": "2500.50",
        "company_size": "51-200",
        "industry": "Software",
        "timeline": "Q3",
        "topics": ["seo", "content"],
        "newsletter": True,
        "start": "2027-02-28",
        "ref_code": "ABC-1234",
        "message": "We need leads.",
        "trap": "",
    }
    values.update(changes)
    return values


# ---------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------


async def test_three_invalid_fields_are_all_reported_and_nothing_is_written(api: ApiClient) -> None:
    before = await counts(api)
    values = {"first_name": "Ada", "email": "not-an-email", "interest": "Knitting", "budget": "lots"}
    response = await submit(api, SEED_FORM, values)
    assert failing_fields(response) == ["values.email", "values.budget", "values.interest"]
    messages = {p["field"]: p["message"] for p in response.errors[0]["extensions"]["fields"]}
    assert messages == {
        "values.email": "not a valid email address",
        "values.budget": "expected a number",
        "values.interest": "not one of the options",
    }
    assert response.errors[0]["extensions"]["field"] == "values.email"
    assert await counts(api) == before


async def test_every_kind_of_problem_is_found_at_once(api: ApiClient, form: str) -> None:
    before = await counts(api)
    values = complete(
        "grace@gmail.com",  # blockFreeEmail
        first_name="",  # required
        website="ftp://cobol.example",
        phone="call me",
        budget=100001,  # max
        company_size="huge",
        topics=["seo", "knitting"],
        newsletter="yes",
        start="2027-02-30",
        ref_code="abc-1234",  # pattern, matched by Postgres
        message="x" * 501,
        unknown="?",
    )
    assert failing_fields(await submit(api, form, values)) == [
        "values.unknown",
        "values.first_name",
        "values.email",
        "values.website",
        "values.phone",
        "values.budget",
        "values.company_size",
        "values.topics",
        "values.newsletter",
        "values.start",
        "values.ref_code",
        "values.message",
    ]
    assert await counts(api) == before


async def test_sizes_are_limited(api: ApiClient, form: str) -> None:
    before = await counts(api)
    huge = complete("size@cobol-systems.example", industry="x" * 40_000)
    assert failing_fields(await submit(api, form, huge)) == ["values"]
    long_value = complete("size@cobol-systems.example", industry="x" * 5001)
    assert failing_fields(await submit(api, form, long_value)) == ["values.industry"]
    assert failing_fields(await submit(api, form, complete("k@cobol-systems.example"), key="k" * 201)) == [
        "idempotencyKey"
    ]
    context = {"referrer": "javascript:alert(1)", "utmSource": "s" * 201}
    assert failing_fields(await submit(api, form, complete("c@cobol-systems.example"), context)) == [
        "context.referrer",
        "context.utmSource",
    ]
    assert await counts(api) == before


async def test_unknown_and_unpublished_forms_are_not_found(api: ApiClient) -> None:
    for form_id in (DRAFT_FORM, global_id("LeadForm", uuid.uuid4()), global_id("Lead", uuid.uuid4()), "garbage"):
        response = await submit(api, form_id, {"email": "x@y.example"})
        assert response.codes == ["NOT_FOUND"] and response.errors[0]["message"] == "form not found", form_id
        assert response.data is None
    # a signed-in member of the space is no different: submissions go to published forms only
    response = await submit(api, DRAFT_FORM, {"email": "x@y.example"}, as_user=ALICE)
    assert response.codes == ["NOT_FOUND"]


# ---------------------------------------------------------------------------------------------------------
# What a submission writes
# ---------------------------------------------------------------------------------------------------------


async def test_a_submission_creates_company_lead_source_and_activity(api: ApiClient, form: str) -> None:
    before = await counts(api)
    context = {
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "Spring-Launch",
        "referrer": "https://www.google.com/",
        "pageUrl": "https://agency.example/contact",
    }
    result = submitted(await submit(api, form, complete("Grace@Cobol-Systems.example"), context))
    assert result["successMessage"] == "Thank you!" and result["redirectUrl"] == "https://agency.example/thanks"
    assert result["visitorToken"].startswith("vt1.")
    assert {k: v - before[k] for k, v in (await counts(api)).items()} == dict.fromkeys(COUNTED, 1)

    lead = await lead_of(api, "Grace@Cobol-Systems.example")
    assert (lead["firstName"], lead["lastName"], lead["jobTitle"]) == ("Grace", "Hopper", "Rear Admiral")
    assert lead["phone"] == "+1 (555) 010-2030" and lead["budget"] == "2500.50"
    assert lead["space"] == {"id": global_id("Space", SPACE)} and lead["owner"] == {"id": global_id("User", BOB)}
    assert lead["form"] == {"id": form} and lead["stage"] == {"name": "New"}  # the space's first stage
    assert lead["company"] == {"name": "Cobol Systems", "website": "https://www.cobol-systems.example/about"}
    assert lead["source"] == {
        "name": "google / cpc / Spring-Launch",
        "type": "PAID_SEARCH",
        "utmSource": "google",
        "utmMedium": "cpc",
        "utmCampaign": "Spring-Launch",
    }
    assert set(lead["customFields"]) == {"topics", "newsletter", "start", "ref_code", "message"}  # the unmapped
    assert lead["customFields"]["topics"] == ["seo", "content"] and lead["customFields"]["newsletter"] is True
    assert lead["formSubmissionData"] == {
        k: v for k, v in complete("Grace@Cobol-Systems.example").items() if k != "trap"
    }
    [activity] = lead["activities"]["nodes"]
    assert activity["activityType"] == "FORM_SUBMITTED" and activity["user"] is None
    data = activity["activityData"]
    assert data["form_id"] == raw_id(form) and data["submission_id"] == result["submissionId"]
    assert data["utm"] == {"source": "google", "medium": "cpc", "campaign": "Spring-Launch"}
    assert data["referrer"] == "https://www.google.com/" and data["lead_created"] is True
    company_scope = await admin_fetch(
        api,
        "select user_id::text, space_id::text, industry, company_size from public.companies"
        " where name = 'Cobol Systems'",
    )
    assert [tuple(r) for r in company_scope] == [(BOB, SPACE, "Software", "51-200")]
    stored = await admin_fetch(api, "select * from private.form_submissions where id = $1", result["submissionId"])
    assert len(stored) == 1 and str(stored[0]["form_id"]) == raw_id(form)
    assert json.loads(stored[0]["context"])["utm"]["campaign"] == "Spring-Launch"


async def test_a_repeat_submission_goes_to_the_same_lead_and_changes_no_value(api: ApiClient, form: str) -> None:
    first = submitted(await submit(api, form, complete("ada@engines.example", company="Engines Ltd")))
    lead = await lead_of(api, "ada@engines.example")
    before = await counts(api)
    values = {"first_name": "Ada", "email": "ADA@Engines.example", "job_title": "Countess", "message": "Again"}
    second = submitted(await submit(api, form, values, {"utmSource": "newsletter", "utmMedium": "email"}))
    assert second["submissionId"] != first["submissionId"]
    after = await counts(api)
    assert {k: after[k] - before[k] for k in COUNTED} == {
        "public.leads": 0,
        "public.companies": 0,
        "public.lead_sources": 0,  # the lead keeps its first source
        "public.lead_activities": 1,
        "private.form_submissions": 1,
    }
    again = await lead_of(api, "ada@engines.example")
    assert again["id"] == lead["id"] and again["email"] == "ada@engines.example"
    # an anonymous repeat never overwrites: every value stays, the different ones are proposals on the submission
    assert {k: again[k] for k in lead if k != "activities"} == {k: lead[k] for k in lead if k != "activities"}
    proposed = await admin_val(
        api, "select proposed_changes from private.form_submissions where id = $1::uuid", second["submissionId"]
    )
    assert json.loads(proposed) == {
        "first_name": {"current": "Grace", "proposed": "Ada", "reason": "conflict"},
        "job_title": {"current": "Rear Admiral", "proposed": "Countess", "reason": "conflict"},
        "message": {"current": "We need leads.", "proposed": "Again", "reason": "conflict"},
    }
    types = [a["activityType"] for a in again["activities"]["nodes"]]
    assert types == ["FORM_SUBMITTED", "FORM_SUBMITTED"]
    assert sorted(a["activityData"]["lead_created"] for a in again["activities"]["nodes"]) == [False, True]


async def test_companies_are_found_by_domain_then_by_name_in_the_scope(api: ApiClient, form: str) -> None:
    await submit(api, form, complete("one@initech.example", company="Initech", website="https://initech.example"))
    by_domain = complete("two@initech.example", company="Initech Inc.", website="http://WWW.Initech.example/jobs")
    await submit(api, form, by_domain)
    by_name = complete("three@initech.example", company="INITECH", website=None)
    await submit(api, form, by_name)
    names = {(await lead_of(api, f"{n}@initech.example"))["company"]["name"] for n in ("one", "two", "three")}
    assert names == {"Initech"}
    assert await admin_val(api, "select count(*) from public.companies where name ilike 'initech%'") == 1
    website_only = complete("four@globex.example", company=None, website="http://globex.example")
    submitted(await submit(api, form, website_only))
    assert (await lead_of(api, "four@globex.example"))["company"] == {
        "name": "globex.example",
        "website": "http://globex.example",
    }


@pytest.mark.parametrize(
    ("context", "expected"),
    [
        ({"utmSource": "linkedin", "utmMedium": "social"}, ("LINKEDIN", "linkedin / social")),
        ({"utmSource": "facebook", "utmMedium": "social"}, ("SOCIAL_MEDIA", "facebook / social")),
        ({"utmSource": "bing", "utmMedium": "ppc"}, ("PAID_SEARCH", "bing / ppc")),
        ({"utmSource": "digest", "utmMedium": "email"}, ("EMAIL", "digest / email")),
        ({"referrer": "https://duckduckgo.com/"}, ("ORGANIC_SEARCH", "Organic search")),
        # the space's untagged referral source (the seed's) is the one for every referral without UTM parameters
        ({"referrer": "https://blog.partner.example/post"}, ("REFERRAL", "Client referral")),
        ({"referrer": "https://agency.example/", "pageUrl": "https://agency.example/contact"}, ("DIRECT", "Direct")),
        ({}, ("DIRECT", "Direct")),
    ],
)
async def test_the_source_follows_utm_parameters_and_referrer(
    api: ApiClient, form: str, context: dict[str, Any], expected: tuple[str, str]
) -> None:
    email = f"{uuid.uuid4().hex[:10]}@sources.example"
    submitted(await submit(api, form, {"first_name": "S", "email": email}, context))
    source = (await lead_of(api, email))["source"]
    assert (source["type"], source["name"]) == expected
    # the next visitor of the same kind gets the same source row
    email2 = f"{uuid.uuid4().hex[:10]}@sources.example"
    submitted(await submit(api, form, {"first_name": "S", "email": email2}, context))
    assert (await lead_of(api, email2))["source"] == source
    count = await admin_val(
        api,
        "select count(*) from public.lead_sources where space_id = $1 and name = $2 and type = $3",
        SPACE,
        expected[1],
        expected[0].lower(),
    )
    assert count == 1


async def test_the_lead_is_visible_to_the_space_and_not_to_others(api: ApiClient, form: str) -> None:
    email = "visible@cobol-systems.example"
    submitted(await submit(api, form, complete(email), as_user=ERIN))  # with a token works too
    lead = await lead_of(api, email, as_user=ALICE)
    for member in (BOB, CAROL, DAVE):
        assert (await lead_of(api, email, as_user=member))["id"] == lead["id"]
    nodes = ok(await api.gql(LEAD_BY_EMAIL, {"email": email}, as_user=ERIN))["leads"]["nodes"]
    assert nodes == []
    node = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": lead["id"]}, as_user=ERIN)
    assert ok(node) == {"node": None}
    # the submitter was not recorded as the author of anything
    assert [a["user"] for a in lead["activities"]["nodes"]] == [None]


# ---------------------------------------------------------------------------------------------------------
# Idempotency and concurrency
# ---------------------------------------------------------------------------------------------------------


async def test_the_same_idempotency_key_returns_the_first_result(api: ApiClient, form: str) -> None:
    first = submitted(await submit(api, form, complete("idem@cobol-systems.example"), key="order-1"))
    before = await counts(api)
    changed = complete("idem@cobol-systems.example", job_title="Changed")
    assert submitted(await submit(api, form, changed, key="order-1")) == first
    assert await counts(api) == before
    assert (await lead_of(api, "idem@cobol-systems.example"))["jobTitle"] == "Rear Admiral"
    # keys are per form: the same key on another form is another submission
    other = submitted(
        await submit(api, SEED_FORM, {"first_name": "I", "email": "idem@cobol-systems.example"}, key="order-1")
    )
    assert other["submissionId"] != first["submissionId"]


async def test_fifty_concurrent_identical_submissions_make_one_lead(api: ApiClient, form: str) -> None:
    values = complete("rush@cobol-systems.example", company="Rush Corp", website=None)
    responses = await asyncio.gather(*(submit(api, form, values, key="rush-1") for _ in range(50)))
    results = [submitted(r) for r in responses]
    assert all(r == results[0] for r in results)
    assert (
        await admin_val(api, "select count(*) from public.leads where lower(email) = 'rush@cobol-systems.example'") == 1
    )
    assert await admin_val(api, "select count(*) from private.form_submissions where idempotency_key = 'rush-1'") == 1
    assert await admin_val(api, "select count(*) from public.companies where name = 'Rush Corp'") == 1


async def test_fifty_concurrent_submissions_without_a_key_still_make_one_lead(api: ApiClient, form: str) -> None:
    values = complete("crowd@cobol-systems.example", company="Crowd Corp", website=None)
    responses = await asyncio.gather(*(submit(api, form, values) for _ in range(50)))
    assert len({submitted(r)["submissionId"] for r in responses}) == 50
    assert (
        await admin_val(api, "select count(*) from public.leads where lower(email) = 'crowd@cobol-systems.example'")
        == 1
    )
    assert await admin_val(api, "select count(*) from public.companies where name = 'Crowd Corp'") == 1
    lead = await lead_of(api, "crowd@cobol-systems.example")
    activities = await admin_val(
        api, "select count(*) from public.lead_activities where lead_id = $1", raw_id(lead["id"])
    )
    assert activities == 50


# ---------------------------------------------------------------------------------------------------------
# Spam defences
# ---------------------------------------------------------------------------------------------------------


async def test_a_filled_honeypot_pretends_success_and_writes_nothing(api: ApiClient, form: str) -> None:
    before = await counts(api)
    for target, values in (
        (form, complete("bot@cobol-systems.example", trap="http://spam.example")),
        (SEED_FORM, {"first_name": "Bot", "email": "bot@spam.example", "website_hp": "gotcha"}),
    ):
        result = submitted(await submit(api, target, values))
        assert result["successMessage"] is not None and result["visitorToken"].startswith("vt1.")
    assert await counts(api) == before


async def test_a_filled_honeypot_with_invalid_values_still_pretends_success(api: ApiClient, form: str) -> None:
    """The honeypot is judged before the values: a bot learns nothing from validation errors. (The database drops
    such a submission too, but only once the values passed the API's checks, so it cannot answer this one.)"""
    before = await counts(api)
    invalid = complete("not-an-email", trap="http://spam.example", budget="lots", topics=["spam"], unknown="x")
    del invalid["first_name"]
    for target, values in (
        (form, invalid),
        (SEED_FORM, {"email": "nope", "budget": "lots", "interest": "Knitting", "website_hp": "gotcha"}),
    ):
        result = submitted(await submit(api, target, values))
        assert result["successMessage"] is not None and result["visitorToken"].startswith("vt1."), target
    assert await counts(api) == before


async def test_a_form_can_ask_for_a_minimum_time_to_submit(api: ApiClient) -> None:
    fields = [{"fieldName": "email", "fieldType": "EMAIL", "isRequired": True}]
    slow = await build_form(api, "Slow form", {"minSecondsToSubmit": 5}, fields)
    now = dt.datetime.now(dt.UTC)
    before = await counts(api)
    for context in (None, {"renderedAt": now.isoformat()}, {"renderedAt": (now + dt.timedelta(hours=1)).isoformat()}):
        response = await submit(api, slow, {"email": "fast@bots.example"}, context)
        assert failing_fields(response) == ["context.renderedAt"], context
    assert await counts(api) == before
    shown = {"renderedAt": (now - dt.timedelta(seconds=30)).isoformat()}
    submitted(await submit(api, slow, {"email": "human@people.example"}, shown))


async def test_rate_limits_per_client_and_per_form(api: ApiClient, form: str) -> None:
    secret = b"a test secret of at least 32 bytes!!"
    async with visitor_app(api, "203.0.113.7", secret) as first, visitor_app(api, "198.51.100.9", secret) as second:
        try:
            await set_limits(api, client=2)
            accepted = [
                submitted(await submit(first, form, {"first_name": "R", "email": f"r{n}@limits.example"}, key=f"rl{n}"))
                for n in range(2)
            ]
            before = await counts(api)
            limited = await submit(first, form, {"first_name": "R", "email": "r2@limits.example"}, key="rl2")
            assert limited.codes == ["RATE_LIMITED"] and limited.data is None
            extensions = limited.errors[0]["extensions"]
            assert extensions["limit"] == "client" and 1 <= extensions["retryAfter"] <= 600
            assert await counts(api) == before
            # a repeat of an accepted submission is no new submission: it still gets its answer
            repeat = await submit(first, form, {"first_name": "R", "email": "r0@limits.example"}, key="rl0")
            assert submitted(repeat) == accepted[0]
            # another address still may
            token = submitted(await submit(second, form, {"first_name": "R", "email": "r3@limits.example"}))
            submission = verify_visitor_token(secret, token["visitorToken"])
            assert str(submission) == token["submissionId"]

            recent = int(
                await admin_val(api, "select count(*) from private.form_submissions where form_id = $1", raw_id(form))
            )
            await set_limits(api, client=1000, form=recent)
            before = await counts(api)
            limited = await submit(second, form, {"first_name": "R", "email": "r4@limits.example"})
            assert limited.codes == ["RATE_LIMITED"] and limited.errors[0]["extensions"]["limit"] == "form"
            assert await counts(api) == before
            submitted(await submit(second, SEED_FORM, {"first_name": "R", "email": "r4@limits.example"}))
        finally:
            await set_limits(api)


async def test_visitor_tokens_name_the_submission(api: ApiClient, form: str) -> None:
    secret = b"another test secret, also 32+ bytes"
    async with visitor_app(api, "192.0.2.1", secret) as client:
        result = submitted(await submit(client, form, complete("token@cobol-systems.example")))
    assert verify_visitor_token(secret, result["visitorToken"]) == uuid.UUID(result["submissionId"])
    assert verify_visitor_token(b"some other secret of 32 bytes long", result["visitorToken"]) is None
    lead_id = await admin_val(
        api, "select lead_id::text from private.form_submissions where id = $1", result["submissionId"]
    )
    assert lead_id == raw_id((await lead_of(api, "token@cobol-systems.example"))["id"])
    # the address is not stored, only its keyed hash
    stored = await admin_val(
        api, "select client_hash from private.form_submissions where id = $1", result["submissionId"]
    )
    assert "192.0.2.1" not in stored and len(stored) == 64


# ---------------------------------------------------------------------------------------------------------
# Anonymous callers can do nothing else
# ---------------------------------------------------------------------------------------------------------

SEED_FIELD = global_id("FormField", "00000000-0000-4000-b101-000000000100")
SEED_LEAD = global_id("Lead", "00000000-0000-4000-8000-000000000000")
ANONYMOUS_ATTEMPTS: list[tuple[str, dict[str, Any]]] = [
    ("{ leads(first: 5) { nodes { id email } } }", {}),
    ("{ leadForms(first: 5) { nodes { id name fields { fieldName } } } }", {}),
    ("{ companies(first: 5) { nodes { id } } }", {}),
    ("{ leadSources(first: 5) { nodes { id } } }", {}),
    ("query($id: ID!) { node(id: $id) { id } }", {"id": SEED_FORM}),
    ('mutation { createLead(input: {firstName: "Mallory"}) { id } }', {}),
    ('mutation($id: ID!) { updateLead(id: $id, patch: {firstName: "M"}) { id } }', {"id": SEED_LEAD}),
    ("mutation($id: ID!) { deleteLead(id: $id) { deletedId } }", {"id": SEED_LEAD}),
    ('mutation { createCompany(input: {name: "Mallory Inc"}) { id } }', {}),
    ('mutation { createSpace(input: {name: "Mallory\'s"}) { id } }', {}),
    ('mutation { createLeadForm(input: {name: "Phish"}) { id } }', {}),
    ('mutation($id: ID!) { updateLeadForm(id: $id, patch: {name: "Phish"}) { id } }', {"id": SEED_FORM}),
    ("mutation($id: ID!) { unpublishForm(id: $id) { id } }", {"id": SEED_FORM}),
    ("mutation($id: ID!) { publishForm(id: $id) { id } }", {"id": DRAFT_FORM}),
    ("mutation($id: ID!) { deleteLeadForm(id: $id) { deletedId } }", {"id": SEED_FORM}),
    (
        "mutation($input: CreateFormFieldInput!) { createFormField(input: $input) { id } }",
        {"input": {"form": SEED_FORM, "fieldName": "x", "fieldType": "TEXT", "label": "X"}},
    ),
    ('mutation($id: ID!) { updateFormField(id: $id, patch: {label: "X"}) { id } }', {"id": SEED_FIELD}),
    ("mutation($id: ID!) { deleteFormField(id: $id) { deletedId } }", {"id": SEED_FIELD}),
    (
        "mutation($f: ID!, $ids: [ID!]!) { reorderFormFields(form: $f, fieldIds: $ids) { id } }",
        {"f": SEED_FORM, "ids": [SEED_FIELD]},
    ),
]


@pytest.mark.parametrize(("document", "variables"), ANONYMOUS_ATTEMPTS, ids=[d[:40] for d, _ in ANONYMOUS_ATTEMPTS])
async def test_anonymous_callers_can_do_nothing_else(api: ApiClient, document: str, variables: dict[str, Any]) -> None:
    before = await counts(api)
    forms = await admin_fetch(api, "select to_jsonb(f) as row from public.lead_forms f order by id")
    response = await api.gql(document, variables)
    assert response.codes and set(response.codes) <= {"FORBIDDEN", "UNAUTHENTICATED"}, response.body
    assert not any((response.data or {}).values()), response.data
    assert await counts(api) == before
    assert await admin_fetch(api, "select to_jsonb(f) as row from public.lead_forms f order by id") == forms
