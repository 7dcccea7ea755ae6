"""Batched operations (Apollo's BatchHttpLink) and HTTP caching of GET queries (ETag, 304, Cache-Control)."""

from __future__ import annotations

from typing import Any

import httpx

from server.endpoint_config import EndpointConfig
from tests.support.api import ALICE, ERIN, ApiClient
from tests.support.http_app import admin_val, custom_app

ACCEPT = {"accept": "application/graphql-response+json"}
VIEWER = "{ viewer { email } }"
CREATE = 'mutation($email: String!) { createLead(input: {firstName: "Batch", email: $email}) { email } }'


def headers(api: ApiClient, user: str | None = ALICE) -> dict[str, str]:
    return {**ACCEPT, **({"authorization": f"Bearer {api.token(user)}"} if user else {})}


async def batch(http: httpx.AsyncClient, operations: list[dict[str, Any]], hdrs: dict[str, str]) -> httpx.Response:
    return await http.post("/graphql", json=operations, headers=hdrs)


async def test_a_batch_is_answered_in_order_each_in_its_own_transaction(api: ApiClient) -> None:
    reply = await batch(
        api.http,
        [
            {"query": CREATE, "variables": {"email": "first@batch.example.org"}},
            {"query": 'mutation { createLead(input: {email: "not an email"}) { email } }'},
            {"query": VIEWER},
            {"query": "{ nope }"},
        ],
        headers(api),
    )
    assert reply.status_code == 200
    first, second, third, fourth = reply.json()
    assert first == {"data": {"createLead": {"email": "first@batch.example.org"}}}
    assert second["data"] is None and second["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert third == {"data": {"viewer": {"email": "alice@example.com"}}}
    assert fourth["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # the failed second operation did not roll back the first: each ran in its own transaction
    email = "first@batch.example.org"
    assert await admin_val(api, "select count(*) from public.leads where email = $1", email) == 1


async def test_batches_are_capped_and_their_costs_add_up(api: ApiClient) -> None:
    async with custom_app(api, endpoint=EndpointConfig(max_batch=3, max_cost=30)) as app:
        hdrs = headers(api)
        too_many = await batch(app.http, [{"query": VIEWER}] * 4, hdrs)
        assert too_many.status_code == 400 and "1 to 3 operations" in too_many.json()["errors"][0]["message"]
        page = "{ leads(first: 10) { nodes { id } } }"  # costs 11: three cost 33, over the limit of 30
        costly = await batch(app.http, [{"query": page}] * 3, hdrs)
        assert costly.status_code == 200
        assert {a["errors"][0]["extensions"]["reason"] for a in costly.json()} == {"COST_LIMIT"}
        fine = await batch(app.http, [{"query": page}] * 2, hdrs)
        assert [len(a["data"]["leads"]["nodes"]) for a in fine.json()] == [10, 10]
    async with custom_app(api, endpoint=EndpointConfig(max_batch=0)) as app:
        off = await batch(app.http, [{"query": VIEWER}], headers(api))
        assert off.status_code == 400 and "batches are off" in off.json()["errors"][0]["message"]


async def test_get_answers_carry_an_etag_and_304_when_unchanged(api: ApiClient) -> None:
    params = {"query": VIEWER}
    first = await api.http.get("/graphql", params=params, headers=headers(api))
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"  # answers depend on the caller
    assert first.headers["vary"] == "Authorization, Accept"
    again = await api.http.get("/graphql", params=params, headers={**headers(api), "if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other_user = await api.http.get(
        "/graphql",
        params=params,
        headers={**headers(api, ERIN), "if-none-match": etag},
    )
    assert other_user.status_code == 200 and other_user.headers["etag"] != etag  # another caller, another answer
    posted = await api.http.post("/graphql", json=params, headers=headers(api))
    assert "etag" not in posted.headers


async def test_a_published_forms_definition_may_be_cached_publicly(api: ApiClient) -> None:
    slug = await admin_val(api, "select slug from public.lead_forms where is_published order by created_at limit 1")
    query = "query($slug: String) { publishedForm(slug: $slug) { title } }"
    params = {"query": query, "variables": f'{{"slug": "{slug}"}}'}
    anonymous = await api.http.get("/graphql", params=params, headers=headers(api, None))
    assert anonymous.status_code == 200 and anonymous.json()["data"]["publishedForm"]["title"]
    assert anonymous.headers["cache-control"] == "public, max-age=60"
    signed_in = await api.http.get("/graphql", params=params, headers=headers(api))
    assert signed_in.headers["cache-control"] == "private, no-cache"
