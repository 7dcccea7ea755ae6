"""Row Level Security through HTTP with real signed tokens: who sees which leads, who may change them, bad tokens.

Every assertion about what was (not) written reads the database as the superuser. Tests that change rows do
so on leads of their own (inserted by the superuser and removed afterwards), so the seed's counts hold for
every test of this module whatever the order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import ec

from gql.ids import global_id
from resolvers.context import Limits
from server.dev_keys import DEV_ISSUER, DevSigningKey
from server.graphql_endpoint import EndpointConfig
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient, GraphQLResponse
from tests.support.http_app import (
    ALICE_LEADS,
    ALL_LEADS,
    ERIN_LEADS,
    SPACE_LEADS,
    admin_fetch,
    admin_val,
    claims_for,
    custom_app,
    delete_leads,
    insert_lead,
    lead_gid,
    lead_row,
    seed_id,
    seed_lead_id,
    sign,
    unsigned,
)
from tests.support.pipeline import default_stage_id

DOCUMENTED_CODES = {
    "UNAUTHENTICATED",
    "FORBIDDEN",
    "NOT_FOUND",
    "BAD_USER_INPUT",
    "CONFLICT",
    "RATE_LIMITED",
    "INTERNAL",
}

LEAD_PAGE = """
query Page($after: String) {
  leads(first: 100, after: $after, orderBy: CREATED_AT_ASC) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id }
  }
}
"""

UPDATE_LEAD = """
mutation Update($id: ID!, $patch: LeadPatch!) { updateLead(id: $id, patch: $patch) { id firstName timeline } }
"""
DELETE_LEAD = "mutation Delete($id: ID!) { deleteLead(id: $id) { deletedId } }"
CREATE_LEAD = "mutation Create($input: CreateLeadInput!) { createLead(input: $input) { id email } }"
READ_LEAD = "query Read($id: ID!) { lead(id: $id) { id } node(id: $id) { id } }"


@pytest_asyncio.fixture(scope="module", params=["general", "compiled"])
async def reader(request: pytest.FixtureRequest, api: ApiClient) -> AsyncIterator[ApiClient]:
    """The API for reads: on the compiled one-statement path (the `api` fixture) and on the DataLoader path."""
    if request.param == "compiled":
        yield api
        return
    async with custom_app(api, compiled_reads=False) as app:
        yield app.client


def seed_gids(numbers: range) -> set[str]:
    return {lead_gid(n) for n in numbers}


def only_error(response: GraphQLResponse, code: str) -> dict[str, Any]:
    """The response carries exactly one error, of `code`, and no data."""
    assert response.status == 200, response.body
    assert response.codes == [code], response.errors
    assert response.data is None, response.body
    return response.errors[0]


async def visible_leads(api: ApiClient, user: str | None) -> tuple[int, list[str]]:
    """totalCount and every lead id the user can see, page by page."""
    ids: list[str] = []
    after: str | None = None
    total = -1
    while True:
        response = await api.gql(LEAD_PAGE, {"after": after}, as_user=user)
        assert response.errors == [], response.errors
        page = response.data["leads"]
        total = page["totalCount"]
        ids += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            return total, ids
        after = page["pageInfo"]["endCursor"]


# ---------------------------------------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        pytest.param(ALICE, seed_gids(SPACE_LEADS) | seed_gids(ALICE_LEADS), id="alice-owner+personal"),
        pytest.param(BOB, seed_gids(SPACE_LEADS), id="bob-admin"),
        pytest.param(CAROL, seed_gids(SPACE_LEADS), id="carol-member"),
        pytest.param(DAVE, seed_gids(SPACE_LEADS), id="dave-viewer"),
        pytest.param(ERIN, seed_gids(ERIN_LEADS), id="erin-personal-only"),
        pytest.param(PLATFORM_ADMIN, seed_gids(ALL_LEADS), id="platform-admin-all"),
    ],
)
async def test_each_user_sees_exactly_the_leads_of_their_scopes(
    reader: ApiClient, user: str, expected: set[str]
) -> None:
    total, ids = await visible_leads(reader, user)
    assert len(ids) == len(set(ids)), "a lead was listed twice"
    assert set(ids) == expected
    assert total == len(expected)


async def test_seed_counts_are_what_the_visibility_expectations_assume(api: ApiClient) -> None:
    rows = await admin_fetch(
        api,
        "select count(*) filter (where space_id = $1::uuid) as space, "
        "count(*) filter (where space_id is null and user_id = $2::uuid) as alice, "
        "count(*) filter (where space_id is null and user_id = $3::uuid) as erin, count(*) as total "
        "from public.leads",
        SPACE,
        ALICE,
        ERIN,
    )
    assert dict(rows[0]) == {"space": 240, "alice": 35, "erin": 25, "total": 300}


async def test_viewer_is_the_caller(api: ApiClient) -> None:
    response = await api.gql("{ viewer { id email } }", as_user=ERIN)
    assert response.errors == []
    assert response.data == {"viewer": {"id": global_id("User", ERIN), "email": "erin@example.com"}}


async def test_anonymous_viewer_is_null_without_any_sql(api: ApiClient) -> None:
    response = await api.gql("{ viewer { id } }")
    assert response.status == 200
    assert response.body == {"data": {"viewer": None}}
    assert response.statements == 0


ROOT_COLLECTIONS = [
    "leads",
    "companies",
    "customers",
    "leadStages",
    "leadSources",
    "leadForms",
    "activities",
    "scoringRules",
    "workflows",
    "workflowExecutions",
    "campaigns",
    "integrations",
    "customFields",
    "spaces",
]


@pytest.mark.parametrize("collection", ROOT_COLLECTIONS)
async def test_anonymous_reads_of_tables_without_a_grant_are_a_clean_forbidden(api: ApiClient, collection: str) -> None:
    # `anon` has no privilege on any table (supabase/migrations/*_row_level_security.sql): Postgres refuses
    # the SELECT itself, and the API says so with a FORBIDDEN error, never a 500 or a stack trace.
    response = await api.gql(f"{{ {collection} {{ totalCount }} }}")
    error = only_error(response, "FORBIDDEN")
    assert error["path"] == [collection]
    text = str(response.body)
    assert "Traceback" not in text and "permission denied" not in text


async def test_anonymous_node_lookup_is_refused_cleanly(api: ApiClient) -> None:
    response = await api.gql("query($id: ID!) { node(id: $id) { id } }", {"id": lead_gid(1)})
    assert response.status == 200
    assert response.codes == ["FORBIDDEN"]
    assert response.data == {"node": None}


@pytest.mark.parametrize("n", [1, 241], ids=["space-lead", "alice-personal-lead"])
async def test_erin_gets_null_for_a_lead_she_cannot_see(reader: ApiClient, n: int) -> None:
    response = await reader.gql(READ_LEAD, {"id": lead_gid(n)}, as_user=ERIN)
    assert response.errors == []
    assert response.data == {"lead": None, "node": None}


async def test_nodes_lists_only_what_the_caller_sees(reader: ApiClient) -> None:
    ids = [lead_gid(1), lead_gid(276), lead_gid(241)]
    response = await reader.gql("query($ids: [ID!]!) { nodes(ids: $ids) { id } }", {"ids": ids}, as_user=ERIN)
    assert response.errors == []
    assert response.data == {"nodes": [None, {"id": lead_gid(276)}, None]}


async def test_relations_do_not_reach_past_rls(reader: ApiClient) -> None:
    # Erin's leads only point at her own companies (the scope trigger keeps references in scope), and the
    # companies she can list are her two.
    response = await reader.gql(
        "{ leads(first: 100) { nodes { company { id } owner { id } space { id } } } companies { totalCount } }",
        as_user=ERIN,
    )
    assert response.errors == []
    companies = {n["company"]["id"] for n in response.data["leads"]["nodes"] if n["company"]}
    assert companies <= {global_id("Company", seed_id("company", 19)), global_id("Company", seed_id("company", 20))}
    assert {n["owner"]["id"] for n in response.data["leads"]["nodes"]} == {global_id("User", ERIN)}
    assert all(n["space"] is None for n in response.data["leads"]["nodes"])
    assert response.data["companies"]["totalCount"] == 2


# ---------------------------------------------------------------------------------------------------------
# Writes across users and roles
# ---------------------------------------------------------------------------------------------------------


@pytest_asyncio.fixture
async def victims(api: ApiClient) -> AsyncIterator[dict[str, str]]:
    """Leads of this test alone: one in the space, one of Alice's, one of Erin's; removed afterwards."""
    leads = {
        "space": await insert_lead(api, ALICE, SPACE, last_name="Space"),
        "alice": await insert_lead(api, ALICE, None, last_name="Alice"),
        "erin": await insert_lead(api, ERIN, None, last_name="Erin"),
    }
    try:
        yield leads
    finally:
        await delete_leads(api, list(leads.values()))


def gid(lead_id: str) -> str:
    return global_id("Lead", lead_id)


@pytest.mark.parametrize("whose", ["space", "alice"])
async def test_erin_can_neither_read_update_nor_delete_foreign_leads(
    api: ApiClient, victims: dict[str, str], whose: str
) -> None:
    lead_id = victims[whose]
    before = await lead_row(api, lead_id)

    read = await api.gql(READ_LEAD, {"id": gid(lead_id)}, as_user=ERIN)
    assert read.errors == [] and read.data == {"lead": None, "node": None}

    update = await api.gql(UPDATE_LEAD, {"id": gid(lead_id), "patch": {"firstName": "Pwned"}}, as_user=ERIN)
    only_error(update, "NOT_FOUND")

    delete = await api.gql(DELETE_LEAD, {"id": gid(lead_id)}, as_user=ERIN)
    only_error(delete, "NOT_FOUND")

    assert await lead_row(api, lead_id) == before


async def test_viewer_cannot_update_a_space_lead(api: ApiClient, victims: dict[str, str]) -> None:
    before = await lead_row(api, victims["space"])
    response = await api.gql(UPDATE_LEAD, {"id": gid(victims["space"]), "patch": {"firstName": "Dave"}}, as_user=DAVE)
    only_error(response, "FORBIDDEN")
    assert await lead_row(api, victims["space"]) == before


async def test_viewer_cannot_delete_a_space_lead(api: ApiClient, victims: dict[str, str]) -> None:
    response = await api.gql(DELETE_LEAD, {"id": gid(victims["space"])}, as_user=DAVE)
    only_error(response, "FORBIDDEN")
    assert await lead_row(api, victims["space"]) is not None


async def test_member_cannot_delete_a_space_lead(api: ApiClient, victims: dict[str, str]) -> None:
    before = await lead_row(api, victims["space"])
    response = await api.gql(DELETE_LEAD, {"id": gid(victims["space"])}, as_user=CAROL)
    only_error(response, "FORBIDDEN")
    assert await lead_row(api, victims["space"]) == before


async def test_member_can_update_a_space_lead(api: ApiClient, victims: dict[str, str]) -> None:
    response = await api.gql(
        UPDATE_LEAD, {"id": gid(victims["space"]), "patch": {"firstName": "Carolina"}}, as_user=CAROL
    )
    assert response.errors == []
    assert response.data == {"updateLead": {"id": gid(victims["space"]), "firstName": "Carolina", "timeline": None}}
    row = await lead_row(api, victims["space"])
    assert row is not None and row["first_name"] == "Carolina" and row["user_id"] == ALICE


async def test_admin_can_delete_a_space_lead(api: ApiClient, victims: dict[str, str]) -> None:
    response = await api.gql(DELETE_LEAD, {"id": gid(victims["space"])}, as_user=BOB)
    assert response.errors == []
    assert response.data == {"deleteLead": {"deletedId": gid(victims["space"])}}
    assert await lead_row(api, victims["space"]) is None


async def test_owner_cannot_update_another_users_personal_lead(api: ApiClient, victims: dict[str, str]) -> None:
    before = await lead_row(api, victims["erin"])
    response = await api.gql(UPDATE_LEAD, {"id": gid(victims["erin"]), "patch": {"firstName": "A"}}, as_user=ALICE)
    only_error(response, "NOT_FOUND")
    assert await lead_row(api, victims["erin"]) == before


async def test_platform_admin_reads_but_cannot_write_other_peoples_leads(
    api: ApiClient, victims: dict[str, str]
) -> None:
    before = await lead_row(api, victims["erin"])
    read = await api.gql(READ_LEAD, {"id": gid(victims["erin"])}, as_user=PLATFORM_ADMIN)
    assert read.errors == [] and read.data["lead"] == {"id": gid(victims["erin"])}
    update = await api.gql(
        UPDATE_LEAD, {"id": gid(victims["erin"]), "patch": {"firstName": "Admin"}}, as_user=PLATFORM_ADMIN
    )
    only_error(update, "FORBIDDEN")  # visible, so not NOT_FOUND; but read access only
    assert await lead_row(api, victims["erin"]) == before


async def count_leads_with_email(api: ApiClient, email: str) -> int:
    return int(await admin_val(api, "select count(*) from public.leads where email = $1", email))


async def test_creating_a_lead_in_a_space_you_are_not_a_member_of_is_forbidden(api: ApiClient) -> None:
    email = "intruder@example.com"
    response = await api.gql(CREATE_LEAD, {"input": {"space": global_id("Space", SPACE), "email": email}}, as_user=ERIN)
    only_error(response, "FORBIDDEN")
    assert await count_leads_with_email(api, email) == 0


async def test_a_viewer_cannot_create_a_lead_in_the_space(api: ApiClient) -> None:
    email = "viewer-create@example.com"
    response = await api.gql(CREATE_LEAD, {"input": {"space": global_id("Space", SPACE), "email": email}}, as_user=DAVE)
    only_error(response, "FORBIDDEN")
    assert await count_leads_with_email(api, email) == 0


# References into another scope: the scope trigger (23503, "leads_refs_in_scope") refuses them before the
# RLS check runs, and the API reports BAD_USER_INPUT. Company 1 and stage Contacted are the space's, company 16 is
# Alice's, company 19 Erin's.
SPACE_COMPANY = global_id("Company", seed_id("company", 1))
ALICE_COMPANY = global_id("Company", seed_id("company", 16))
SPACE_STAGE = global_id("LeadStage", default_stage_id(SPACE, "Contacted"))


@pytest.mark.parametrize(
    ("user", "lead_input"),
    [
        pytest.param(ERIN, {"company": SPACE_COMPANY}, id="erin-personal-lead-with-space-company"),
        pytest.param(ERIN, {"company": ALICE_COMPANY}, id="erin-personal-lead-with-alices-company"),
        pytest.param(ALICE, {"stage": SPACE_STAGE}, id="alice-personal-lead-with-space-stage"),
        pytest.param(
            ALICE, {"space": global_id("Space", SPACE), "company": ALICE_COMPANY}, id="space-lead-with-personal-company"
        ),
    ],
)
async def test_creating_a_lead_that_links_to_another_scope_is_refused(
    api: ApiClient, user: str, lead_input: dict[str, str]
) -> None:
    email = "cross-scope-link@example.com"
    response = await api.gql(CREATE_LEAD, {"input": {**lead_input, "email": email}}, as_user=user)
    error = only_error(response, "BAD_USER_INPUT")
    assert error["extensions"]["code"] in DOCUMENTED_CODES
    assert error["message"] == "references something that does not exist or is out of scope"
    assert await count_leads_with_email(api, email) == 0


async def test_updating_a_lead_to_link_to_another_scope_is_refused(api: ApiClient, victims: dict[str, str]) -> None:
    before = await lead_row(api, victims["erin"])
    response = await api.gql(
        UPDATE_LEAD, {"id": gid(victims["erin"]), "patch": {"company": SPACE_COMPANY}}, as_user=ERIN
    )
    only_error(response, "BAD_USER_INPUT")
    assert await lead_row(api, victims["erin"]) == before


async def test_moving_a_personal_lead_into_a_foreign_space_is_forbidden(
    api: ApiClient, victims: dict[str, str]
) -> None:
    before = await lead_row(api, victims["erin"])
    response = await api.gql(
        UPDATE_LEAD, {"id": gid(victims["erin"]), "patch": {"space": global_id("Space", SPACE)}}, as_user=ERIN
    )
    only_error(response, "FORBIDDEN")
    assert await lead_row(api, victims["erin"]) == before


UPDATE_LEADS = """
mutation Bulk($filter: LeadFilter!, $patch: LeadPatch!, $atMost: Int!) {
  updateLeads(filter: $filter, patch: $patch, atMost: $atMost) { count leads { id timeline } }
}
"""


async def test_bulk_update_touches_only_the_callers_writable_rows(api: ApiClient, victims: dict[str, str]) -> None:
    ids = [gid(victims[k]) for k in ("space", "alice", "erin")]
    before = {k: await lead_row(api, v) for k, v in victims.items()}
    response = await api.gql(
        UPDATE_LEADS, {"filter": {"id": {"in": ids}}, "patch": {"timeline": "Erin's"}, "atMost": 10}, as_user=ERIN
    )
    assert response.errors == []
    assert response.data == {"updateLeads": {"count": 1, "leads": [{"id": gid(victims["erin"]), "timeline": "Erin's"}]}}
    after = {k: await lead_row(api, v) for k, v in victims.items()}
    assert after["space"] == before["space"] and after["alice"] == before["alice"]
    assert after["erin"] is not None and after["erin"]["timeline"] == "Erin's"


async def test_bulk_update_by_a_viewer_changes_nothing(api: ApiClient, victims: dict[str, str]) -> None:
    before = await lead_row(api, victims["space"])
    response = await api.gql(
        UPDATE_LEADS,
        {"filter": {"id": {"eq": gid(victims["space"])}}, "patch": {"timeline": "x"}, "atMost": 1},
        as_user=DAVE,
    )
    assert response.errors == []
    assert response.data == {"updateLeads": {"count": 0, "leads": []}}
    assert await lead_row(api, victims["space"]) == before


async def test_bulk_update_of_a_member_reaches_the_space_but_not_personal_leads(
    api: ApiClient, victims: dict[str, str]
) -> None:
    # Carol sees the space's leads only; every one she matches is hers to write.
    response = await api.gql(
        UPDATE_LEADS,
        {"filter": {"owner": {"in": [global_id("User", ALICE)]}}, "patch": {"timeline": "Carol's"}, "atMost": 1000},
        as_user=CAROL,
    )
    assert response.errors == []
    changed = await admin_fetch(api, "select id::text, space_id::text from public.leads where timeline = 'Carol''s'")
    assert response.data["updateLeads"]["count"] == len(changed)
    assert {r["space_id"] for r in changed} == {SPACE}
    assert victims["space"] in {r["id"] for r in changed}
    restored = await admin_val(
        api,
        "with u as (update public.leads set timeline = null where timeline = 'Carol''s' returning 1) "
        "select count(*) from u",
    )
    assert restored == len(changed)


async def test_bulk_update_above_at_most_is_refused_and_changes_nothing(api: ApiClient) -> None:
    before = await admin_val(api, "select count(*) from public.leads where timeline = 'too many'")
    response = await api.gql(
        UPDATE_LEADS, {"filter": {}, "patch": {"timeline": "too many"}, "atMost": 24}, as_user=ERIN
    )
    error = only_error(response, "BAD_USER_INPUT")
    assert error["extensions"]["field"] == "atMost"
    assert before == 0
    assert await admin_val(api, "select count(*) from public.leads where timeline = 'too many'") == 0


async def test_the_bulk_limit_is_checked_before_any_row_is_written(api: ApiClient) -> None:
    """atMost = max_bulk_rows with one row more matching is refused by the count, before the UPDATE runs (not by
    the UPDATE's own count after writing, rolled back); max_bulk_rows + 1 is refused before any SQL; exactly
    max_bulk_rows rows are updated. A small max_bulk_rows keeps the rows few; the checks do not depend on it."""
    limit = 5
    leads = [await insert_lead(api, ERIN, email=f"bulk-edge-{n}@example.com") for n in range(limit + 1)]
    every, but_one = {"email": {"startsWith": "bulk-edge-"}}, {"id": {"in": [gid(lead) for lead in leads[:limit]]}}
    written = "select count(*) from public.leads where timeline = 'edge'"
    try:
        async with custom_app(api, endpoint=EndpointConfig(limits=Limits(max_bulk_rows=limit))) as app:

            async def bulk(at_most: int, lead_filter: dict[str, Any]) -> GraphQLResponse:
                variables = {"filter": lead_filter, "patch": {"timeline": "edge"}, "atMost": at_most}
                return await app.client.gql(UPDATE_LEADS, variables, as_user=ERIN)

            over = await bulk(limit, every)  # limit + 1 rows match
            error = only_error(over, "BAD_USER_INPUT")
            assert error["extensions"]["field"] == "atMost"
            assert error["message"] == f"the filter matches more than {limit} rows; nothing was changed"
            assert over.statements == 3  # BEGIN + caller, the bounded count, ROLLBACK: no UPDATE was sent
            beyond = await bulk(limit + 1, every)
            error = only_error(beyond, "BAD_USER_INPUT")
            assert error["extensions"]["field"] == "atMost" and str(limit) in error["message"]
            assert beyond.statements == 0  # refused before any SQL
            assert await admin_val(api, written) == 0
            exact = await bulk(limit, but_one)
            assert exact.errors == [] and exact.data["updateLeads"]["count"] == limit
            assert exact.statements == 4  # BEGIN + caller, the count, the UPDATE, COMMIT
            assert await admin_val(api, written) == limit
    finally:
        await delete_leads(api, leads)


DELETE_LEADS = "mutation($ids: [ID!]!) { deleteLeads(ids: $ids) { count deletedIds } }"


async def test_bulk_delete_of_own_and_foreign_ids_deletes_only_own(api: ApiClient, victims: dict[str, str]) -> None:
    ids = [gid(victims[k]) for k in ("space", "alice", "erin")] + [lead_gid(1), lead_gid(241)]
    response = await api.gql(DELETE_LEADS, {"ids": ids}, as_user=ERIN)
    assert response.errors == []
    assert response.data == {"deleteLeads": {"count": 1, "deletedIds": [gid(victims["erin"])]}}
    assert await lead_row(api, victims["erin"]) is None
    for lead_id in (victims["space"], victims["alice"], seed_lead_id(1), seed_lead_id(241)):
        assert await lead_row(api, lead_id) is not None


async def test_bulk_delete_by_a_member_deletes_nothing_in_the_space(api: ApiClient, victims: dict[str, str]) -> None:
    response = await api.gql(DELETE_LEADS, {"ids": [gid(victims["space"])]}, as_user=CAROL)
    assert response.errors == []
    assert response.data == {"deleteLeads": {"count": 0, "deletedIds": []}}
    assert await lead_row(api, victims["space"]) is not None


# ---------------------------------------------------------------------------------------------------------
# Tokens over HTTP (the unit-level matrix is tests/test_auth.py)
# ---------------------------------------------------------------------------------------------------------


def _other_key() -> DevSigningKey:
    return DevSigningKey.from_private_key(ec.generate_private_key(ec.SECP256R1()))


def bad_authorizations(api: ApiClient) -> dict[str, str]:
    key = api.key
    other = _other_key()
    return {
        "expired": "Bearer " + sign(key, claims_for(ALICE, exp=1_000_000_000, iat=999_990_000)),
        "wrong-audience": "Bearer " + api.token(ALICE, audience="someone-else"),
        "wrong-issuer": "Bearer " + sign(key, claims_for(ALICE, iss="https://evil.example/auth/v1")),
        "alg-none": "Bearer " + unsigned(claims_for(ALICE), key.kid),
        "unknown-key": "Bearer " + sign(other, claims_for(ALICE)),
        "other-key-same-kid": "Bearer " + sign(other, claims_for(ALICE), kid=key.kid),
        "garbage": "Bearer not-a-token",
        "basic-scheme": "Basic YWxpY2U6c2VjcmV0",
        "bearer-without-token": "Bearer ",
        "service-role": "Bearer " + sign(key, claims_for(ALICE, role="service_role")),
        "missing-exp": "Bearer " + sign(key, claims_for(ALICE, exp=None)),
        "subject-not-a-uuid": "Bearer " + sign(key, claims_for("alice")),
        "hs256-without-secret": "Bearer " + _hs256(claims_for(ALICE)),
    }


def _hs256(claims: dict[str, Any]) -> str:
    return jwt.encode(claims, "a-secret-that-is-long-enough-for-hs256!!", algorithm="HS256")


BAD_TOKEN_CASES = [
    "expired",
    "wrong-audience",
    "wrong-issuer",
    "alg-none",
    "unknown-key",
    "other-key-same-kid",
    "garbage",
    "basic-scheme",
    "bearer-without-token",
    "service-role",
    "missing-exp",
    "subject-not-a-uuid",
    "hs256-without-secret",
]


@pytest.mark.parametrize("case", BAD_TOKEN_CASES)
@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_a_bad_token_is_a_401_with_unauthenticated(api: ApiClient, case: str, method: str) -> None:
    authorization = bad_authorizations(api)[case]
    headers = {"authorization": authorization}
    if method == "GET":
        reply = await api.http.get("/graphql", params={"query": "{ viewer { id } }"}, headers=headers)
    else:
        reply = await api.http.post("/graphql", json={"query": "{ viewer { id } }"}, headers=headers)
    assert reply.status_code == 401
    assert reply.headers["www-authenticate"].startswith("Bearer")
    body = reply.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"]
    token = authorization.partition(" ")[2]
    if len(token) > 8:
        assert token not in reply.text  # the token is never echoed


async def test_a_bad_token_on_a_mutation_writes_nothing(api: ApiClient) -> None:
    email = "expired-token@example.com"
    expired = sign(api.key, claims_for(ALICE, exp=1_000_000_000, iat=999_990_000))
    response = await api.gql(CREATE_LEAD, {"input": {"email": email}}, token=expired)
    assert response.status == 401 and response.codes == ["UNAUTHENTICATED"]
    assert response.statements is None  # refused before any transaction
    assert await count_leads_with_email(api, email) == 0


async def test_a_good_token_is_accepted_and_is_the_user(api: ApiClient) -> None:
    token = sign(api.key, claims_for(DAVE, iss=DEV_ISSUER))
    response = await api.gql("{ viewer { id } }", token=token)
    assert response.status == 200
    assert response.data == {"viewer": {"id": global_id("User", DAVE)}}
