"""Keyset pagination and filters of `leads` over HTTP, on both read paths (DataLoader and compiled SQL).

Walking every ordering page by page returns each visible lead exactly once, in the order an equivalent SQL
ORDER BY gives, even while rows are inserted between the pages; bad cursors and page sizes are the client's
error; filters return exactly what an equivalent SQL query, run as the superuser over the user's scope, returns.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio

from gql.ids import global_id
from tests.support.api import ALICE, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient, GraphQLResponse
from tests.support.http_app import admin_fetch, custom_app, delete_leads, insert_lead, lead_gid, named_id
from tests.support.pipeline import default_stage_id

PAGE = """
query Page($first: Int, $after: String, $orderBy: LeadOrderBy, $filter: LeadFilter) {
  leads(first: $first, after: $after, orderBy: $orderBy, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
    nodes { id }
  }
}
"""

NAME_KEY = "lower(coalesce(last_name, '') || ' ' || coalesce(first_name, ''))"
LAST_ACTIVITY_KEY = "coalesce(last_activity_at, '-infinity'::timestamptz)"

# each ordering of the API and the SQL ORDER BY it stands for (ties broken by id in the same direction)
ORDERINGS = {
    "SCORE_DESC": "score desc, id desc",
    "SCORE_ASC": "score asc, id asc",
    "CREATED_AT_DESC": "created_at desc, id desc",
    "CREATED_AT_ASC": "created_at asc, id asc",
    "UPDATED_AT_DESC": "updated_at desc, id desc",
    "UPDATED_AT_ASC": "updated_at asc, id asc",
    "LAST_ACTIVITY_AT_DESC": f"{LAST_ACTIVITY_KEY} desc, id desc",
    "LAST_ACTIVITY_AT_ASC": f"{LAST_ACTIVITY_KEY} asc, id asc",
    "NAME_ASC": f"{NAME_KEY} asc, id asc",
    "NAME_DESC": f"{NAME_KEY} desc, id desc",
}

# what each user may read, as SQL over public.leads
SCOPES = {
    ALICE: f"(space_id = '{SPACE}' or (space_id is null and user_id = '{ALICE}'))",
    DAVE: f"space_id = '{SPACE}'",
    ERIN: f"(space_id is null and user_id = '{ERIN}')",
    PLATFORM_ADMIN: "true",
}


@pytest_asyncio.fixture(scope="module", params=["general", "compiled"])
async def client(request: pytest.FixtureRequest, api: ApiClient) -> AsyncIterator[ApiClient]:
    """The API on the compiled one-statement path (the `api` fixture) and on the DataLoader path."""
    if request.param == "compiled":
        yield api
        return
    async with custom_app(api, compiled_reads=False) as app:
        yield app.client


async def sql_ids(api: ApiClient, user: str, where: str = "true", order: str = "id", *args: Any) -> list[str]:
    rows = await admin_fetch(
        api, f"select id::text from public.leads where {SCOPES[user]} and ({where}) order by {order}", *args
    )
    return [global_id("Lead", r["id"]) for r in rows]


def ok(response: GraphQLResponse) -> dict[str, Any]:
    assert response.status == 200, response.body
    assert response.errors == [], response.errors
    leads: dict[str, Any] = response.data["leads"]
    return leads


@dataclass
class Walk:
    ids: list[str] = field(default_factory=list)
    pages: int = 0
    totals: set[int] = field(default_factory=set)


async def walk(
    client: ApiClient,
    user: str,
    order: str | None,
    *,
    first: int = 7,
    filter: dict[str, Any] | None = None,
    between: Any = None,
) -> Walk:
    """Every page of the connection, checking pageInfo on the way; `between(page_no)` runs between pages."""
    result = Walk()
    after: str | None = None
    while True:
        variables = {"first": first, "after": after, "orderBy": order, "filter": filter}
        page = ok(await client.gql(PAGE, variables, as_user=user))
        edges = page["edges"]
        info = page["pageInfo"]
        result.pages += 1
        result.totals.add(page["totalCount"])
        assert [e["node"] for e in edges] == page["nodes"]
        assert info["hasPreviousPage"] is (after is not None)
        assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
        assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
        assert len(edges) <= first
        if info["hasNextPage"]:
            assert len(edges) == first, "a page short of `first` must be the last"
        result.ids += [e["node"]["id"] for e in edges]
        if not info["hasNextPage"]:
            return result
        after = info["endCursor"]
        if between is not None:
            await between(result.pages)


@pytest.mark.parametrize("order", list(ORDERINGS))
async def test_walking_an_ordering_returns_every_lead_once_in_sql_order(client: ApiClient, order: str) -> None:
    expected = await sql_ids(client, ALICE, "true", ORDERINGS[order])
    assert len(expected) == 275
    result = await walk(client, ALICE, order)
    assert result.ids == expected
    assert result.totals == {275}
    assert result.pages == 40  # 39 full pages of 7 and one of 2


async def test_default_ordering_is_newest_first(client: ApiClient) -> None:
    result = await walk(client, ERIN, None, first=10)
    assert result.ids == await sql_ids(client, ERIN, "true", ORDERINGS["CREATED_AT_DESC"])


@pytest.mark.parametrize("first", [1, 24, 25, 26, 100])
async def test_page_sizes_around_the_total(client: ApiClient, first: int) -> None:
    result = await walk(client, ERIN, "SCORE_DESC", first=first)
    assert result.ids == await sql_ids(client, ERIN, "true", ORDERINGS["SCORE_DESC"])
    assert result.pages == max(1, -(-25 // first))


async def test_first_zero_is_an_empty_page_that_has_a_next(client: ApiClient) -> None:
    page = ok(await client.gql(PAGE, {"first": 0}, as_user=ERIN))
    assert page["edges"] == [] and page["nodes"] == []
    assert page["pageInfo"] == {"hasNextPage": True, "hasPreviousPage": False, "startCursor": None, "endCursor": None}
    assert page["totalCount"] == 25


async def test_after_the_last_cursor_comes_an_empty_page(client: ApiClient) -> None:
    last = ok(await client.gql(PAGE, {"first": 100, "orderBy": "NAME_ASC"}, as_user=ERIN))
    assert last["pageInfo"]["hasNextPage"] is False
    beyond = ok(await client.gql(PAGE, {"after": last["pageInfo"]["endCursor"], "orderBy": "NAME_ASC"}, as_user=ERIN))
    assert beyond["edges"] == []
    assert beyond["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True, "startCursor": None, "endCursor": None}


@pytest_asyncio.fixture
async def inserted(api: ApiClient) -> AsyncIterator[list[str]]:
    """Ids of leads a test inserts meanwhile (as the superuser), removed afterwards."""
    ids: list[str] = []
    try:
        yield ids
    finally:
        await delete_leads(api, ids)


@pytest.mark.parametrize(
    "order", ["SCORE_DESC", "CREATED_AT_ASC", "NAME_ASC", "LAST_ACTIVITY_AT_DESC", "UPDATED_AT_DESC"]
)
async def test_concurrent_inserts_never_make_a_walk_skip_or_repeat_a_row(
    client: ApiClient, order: str, inserted: list[str]
) -> None:
    before = await sql_ids(client, ALICE)
    reference = datetime(2026, 11, 1, 12, tzinfo=UTC)

    async def insert_some(page_no: int) -> None:
        # new leads all over the ordering: before, at and after the cursor, some with the same sort key
        for k in range(3):
            n = page_no * 3 + k
            inserted.append(
                await insert_lead(
                    client,
                    ALICE,
                    SPACE if n % 2 else None,
                    first_name=f"Meanwhile{n}",
                    last_name=["Aaberg", "Mensah", "Zyskowski"][n % 3],
                    score=(n * 37) % 101,
                    created_at=reference - timedelta(days=(n * 7) % 90, minutes=n),
                    updated_at=reference - timedelta(days=(n * 11) % 90),
                )
            )

    result = await walk(client, ALICE, order, between=insert_some)
    assert len(result.ids) == len(set(result.ids)), "a row was returned twice"
    missing = set(before) - set(result.ids)
    assert not missing, f"{len(missing)} rows that existed all along were skipped"
    assert set(result.ids) <= set(before) | {global_id("Lead", i) for i in inserted}
    assert len(inserted) > 0


async def test_a_cursor_stays_valid_after_its_row_is_deleted(client: ApiClient, inserted: list[str]) -> None:
    victim = await insert_lead(client, ERIN, None, first_name="Gone", last_name="Soon", score=50)
    inserted.append(victim)
    everything = await sql_ids(client, ERIN, "true", ORDERINGS["SCORE_DESC"])
    position = everything.index(global_id("Lead", victim))
    first_page = ok(await client.gql(PAGE, {"first": position + 1, "orderBy": "SCORE_DESC"}, as_user=ERIN))
    assert first_page["edges"][-1]["node"]["id"] == global_id("Lead", victim)
    await delete_leads(client, [victim])
    rest = ok(
        await client.gql(
            PAGE, {"first": 100, "orderBy": "SCORE_DESC", "after": first_page["pageInfo"]["endCursor"]}, as_user=ERIN
        )
    )
    assert [n["id"] for n in rest["nodes"]] == everything[position + 1 :]


# ---------------------------------------------------------------------------------------------------------
# Arguments the API refuses
# ---------------------------------------------------------------------------------------------------------


def b64(value: object) -> str:
    return base64.b64encode(json.dumps(value).encode()).decode()


def refused(response: GraphQLResponse, field: str) -> dict[str, Any]:
    assert response.status == 200, response.body
    assert response.codes == ["BAD_USER_INPUT"], response.errors
    error = response.errors[0]
    assert error["extensions"]["field"] == field
    assert error["path"] == ["leads"]
    assert response.data is None
    return error


FORGED_CURSORS = {
    "garbage": "garbage!!",
    "not-base64-json": base64.b64encode(b"hello world").decode(),
    "json-not-a-list": b64({"order": "score_desc"}),
    "wrong-length": b64(["score_desc", 50]),
    "key-of-wrong-type": b64(["score_desc", "fifty", "00000000-0000-4000-a000-000000000001"]),
    "id-not-a-uuid": b64(["score_desc", 50, "not-a-uuid"]),
    "boolean-key": b64(["score_desc", True, "00000000-0000-4000-a000-000000000001"]),
    "empty": "",
    "not-ascii": "\u00e9t\u00e9",
    "nested-json-bomb": base64.b64encode(b"[" * 100_000).decode(),
    "key-beyond-int32": b64(["score_desc", 2**40, "00000000-0000-4000-a000-000000000001"]),
    "key-a-float": b64(["score_desc", 50.5, "00000000-0000-4000-a000-000000000001"]),
    "key-null": b64(["score_desc", None, "00000000-0000-4000-a000-000000000001"]),
    "order-not-a-string": b64([["score_desc"], 50, "00000000-0000-4000-a000-000000000001"]),
}


@pytest.mark.parametrize("cursor", list(FORGED_CURSORS))
async def test_a_forged_cursor_is_bad_user_input_naming_after(client: ApiClient, cursor: str) -> None:
    response = await client.gql(PAGE, {"after": FORGED_CURSORS[cursor], "orderBy": "SCORE_DESC"}, as_user=ALICE)
    error = refused(response, "after")
    assert error["message"].startswith("after: ")
    assert response.statements == 0  # refused before any SQL


async def test_a_forged_timestamp_cursor_is_bad_user_input(client: ApiClient) -> None:
    cursor = b64(["created_at_desc", "yesterday", "00000000-0000-4000-a000-000000000001"])
    refused(await client.gql(PAGE, {"after": cursor, "orderBy": "CREATED_AT_DESC"}, as_user=ALICE), "after")


async def test_a_cursor_of_another_ordering_is_bad_user_input(client: ApiClient) -> None:
    page = ok(await client.gql(PAGE, {"first": 3, "orderBy": "SCORE_DESC"}, as_user=ALICE))
    cursor = page["pageInfo"]["endCursor"]
    for other in ("SCORE_ASC", "NAME_ASC", None):
        error = refused(await client.gql(PAGE, {"after": cursor, "orderBy": other}, as_user=ALICE), "after")
        assert "another ordering" in error["message"]


async def test_a_bad_cursor_of_a_nested_connection_is_bad_user_input(client: ApiClient) -> None:
    response = await client.gql(
        'query($id: ID!) { lead(id: $id) { activities(first: 2, after: "nope") { nodes { id } } } }',
        {"id": lead_gid(1)},
        as_user=ALICE,
    )
    assert response.codes == ["BAD_USER_INPUT"], response.errors
    assert response.errors[0]["extensions"]["field"] == "after"


@pytest.mark.parametrize("first", [-1, 101, 1_000_000])
async def test_first_out_of_range_is_bad_user_input_naming_first(client: ApiClient, first: int) -> None:
    response = await client.gql(PAGE, {"first": first}, as_user=ALICE)
    error = refused(response, "first")
    assert error["message"] == "first must be between 0 and 100"


async def test_the_largest_page_is_allowed(client: ApiClient) -> None:
    page = ok(await client.gql(PAGE, {"first": 100, "orderBy": "SCORE_DESC"}, as_user=ALICE))
    assert len(page["nodes"]) == 100 and page["pageInfo"]["hasNextPage"] is True


# ---------------------------------------------------------------------------------------------------------
# Filters against SQL over the seed, per scope
# ---------------------------------------------------------------------------------------------------------

SPACE_STAGE_QUALIFIED = default_stage_id(SPACE, "Qualified")
ALICE_STAGE_NEW = default_stage_id(ALICE, "New")
WEBINAR = named_id("b300", 1)
ERIN_SEO = named_id("b300", 10)


def stage(row_id: str) -> str:
    return global_id("LeadStage", row_id)


def campaign(row_id: str) -> str:
    return global_id("Campaign", row_id)


def in_campaign(row_id: str) -> str:
    return (
        "exists (select 1 from public.lead_campaign_associations a "
        f"where a.lead_id = leads.id and a.campaign_id = '{row_id}')"
    )


# (GraphQL filter, the same condition in SQL over public.leads)
FILTERS: dict[str, tuple[dict[str, Any], str]] = {
    "search-first-name": ({"search": "sofia"}, "search_vector @@ websearch_to_tsquery('simple', 'sofia')"),
    "search-two-words": ({"search": "Liam Patel"}, "first_name = 'Liam' and last_name = 'Patel'"),
    "search-job-title": ({"search": "growth"}, "job_title ilike '%growth%'"),
    "search-or": ({"search": "kenji or ingrid"}, "first_name in ('Kenji', 'Ingrid')"),
    "status-eq": ({"status": {"eq": "QUALIFIED"}}, "status = 'qualified'"),
    "status-in": ({"status": {"in": ["NEW", "LOST"]}}, "status in ('new', 'lost')"),
    "status-neq": ({"status": {"neq": "NEW"}}, "status <> 'new'"),
    "score-range": ({"score": {"gte": 40, "lt": 70}}, "score >= 40 and score < 70"),
    "score-in": ({"score": {"in": [0, 5, 100]}}, "score in (0, 5, 100)"),
    "stage-eq": ({"stage": {"eq": stage(SPACE_STAGE_QUALIFIED)}}, f"stage_id = '{SPACE_STAGE_QUALIFIED}'"),
    "stage-in-two-scopes": (
        {"stage": {"in": [stage(SPACE_STAGE_QUALIFIED), stage(ALICE_STAGE_NEW)]}},
        f"stage_id in ('{SPACE_STAGE_QUALIFIED}', '{ALICE_STAGE_NEW}')",
    ),
    "campaign-space": ({"campaign": {"eq": campaign(WEBINAR)}}, in_campaign(WEBINAR)),
    "campaign-erin": ({"campaign": {"eq": campaign(ERIN_SEO)}}, in_campaign(ERIN_SEO)),
    "converted": ({"converted": True}, "converted_to_customer"),
    "not-converted": ({"converted": False}, "not converted_to_customer"),
    "no-company": ({"company": {"isNull": True}}, "company_id is null"),
    "email-contains": ({"email": {"contains": "EXAMPLE.org"}}, "email ilike '%example.org%'"),
    "email-starts-with": ({"email": {"startsWith": "ava."}}, "email ilike 'ava.%'"),
    "never-active": ({"lastActivityAt": {"isNull": True}}, "last_activity_at is null"),
    "active-since": (
        {"lastActivityAt": {"gte": "2026-10-15T00:00:00Z"}},
        "last_activity_at >= '2026-10-15T00:00:00Z'",
    ),
    "assigned-to-carol": (
        {"assignedTo": {"eq": global_id("User", "00000000-0000-4000-a000-000000000003")}},
        "assigned_to = '00000000-0000-4000-a000-000000000003'",
    ),
    "and": (
        {"and": [{"status": {"in": ["QUALIFIED", "NURTURING"]}}, {"score": {"gt": 50}}]},
        "status in ('qualified', 'nurturing') and score > 50",
    ),
    "or": (
        {"or": [{"score": {"gte": 90}}, {"status": {"eq": "LOST"}}]},
        "score >= 90 or status = 'lost'",
    ),
    "not": ({"not": {"status": {"in": ["NEW", "CONTACTED"]}}}, "status not in ('new', 'contacted')"),
    "not-of-null": ({"not": {"company": {"isNull": False}}}, "company_id is null"),
    "nested": (
        {
            "search": "chen",
            "or": [{"converted": True}, {"not": {"score": {"lt": 30}}}],
            "and": [{"company": {"isNull": False}}],
        },
        "search_vector @@ websearch_to_tsquery('simple', 'chen') and (converted_to_customer or score >= 30)"
        " and company_id is not null",
    ),
    "empty-or-matches-nothing": ({"or": []}, "false"),
    "empty-and-matches-everything": ({"and": []}, "true"),
}


@pytest.mark.parametrize("user", [ALICE, DAVE, ERIN, PLATFORM_ADMIN], ids=["alice", "dave", "erin", "admin"])
@pytest.mark.parametrize("case", list(FILTERS))
async def test_a_filter_returns_what_sql_returns_for_the_users_scope(client: ApiClient, case: str, user: str) -> None:
    graphql_filter, sql = FILTERS[case]
    expected = await sql_ids(client, user, sql, ORDERINGS["SCORE_DESC"])
    result = await walk(client, user, "SCORE_DESC", first=100, filter=graphql_filter)
    assert result.ids == expected
    assert result.totals == {len(expected)}


async def test_the_filters_are_not_trivially_empty(api: ApiClient) -> None:
    # guards the test above against comparing empty sets: every condition matches something for Alice, but
    # Erin's campaign and the empty `or`
    empty = {case for case, (_, sql) in FILTERS.items() if not await sql_ids(api, ALICE, sql)}
    assert empty == {"campaign-erin", "empty-or-matches-nothing"}


async def test_a_filter_by_a_foreign_id_type_is_bad_user_input(client: ApiClient) -> None:
    response = await client.gql(PAGE, {"filter": {"stage": {"eq": campaign(WEBINAR)}}}, as_user=ALICE)
    assert response.codes == ["BAD_USER_INPUT"], response.errors
    assert response.data is None
