"""The HTTP surface of /graphql and the health checks: methods, bodies, limits, GraphiQL, CORS, error masking."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gql.ids import global_id
from gql.schema import SchemaLimits, build_schema
from server.app import create_app
from server.graphql_endpoint import READ_PATH_HEADER, STATEMENTS_HEADER, EndpointConfig
from server.services import open_services
from server.settings import Settings
from tests.support.api import ALICE, ERIN, ApiClient, GraphQLResponse
from tests.support.databases import with_user
from tests.support.http_app import admin_connection, admin_val, custom_app
from tests.support.waiting import wait_until

VIEWER = "{ viewer { id } }"
ALICE_ID = global_id("User", ALICE)


def codes(body: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code", "") for e in body.get("errors", [])]


# as current GraphQL clients ask: with the GraphQL media type, a document at fault is a 400
GRAPHQL_ACCEPT = {"accept": "application/graphql-response+json, application/json;q=0.9"}


def auth(api: ApiClient, user: str = ALICE) -> dict[str, str]:
    return {"authorization": f"Bearer {api.token(user)}", **GRAPHQL_ACCEPT}


def assert_request_error(reply: httpx.Response, status: int, message_part: str = "") -> dict[str, Any]:
    """A refusal before execution: the status, one BAD_USER_INPUT error, no data, no SQL."""
    assert reply.status_code == status, reply.text
    body: dict[str, Any] = reply.json()
    assert "data" not in body
    assert codes(body) == ["BAD_USER_INPUT"]
    assert message_part in body["errors"][0]["message"]
    assert reply.headers.get(STATEMENTS_HEADER) in (None, "0")
    return body


async def leads_with_email(api: ApiClient, email: str) -> int:
    return int(await admin_val(api, "select count(*) from public.leads where email = $1", email))


# ---------------------------------------------------------------------------------------------------------
# GET and POST
# ---------------------------------------------------------------------------------------------------------


async def test_get_runs_a_query(api: ApiClient) -> None:
    reply = await api.http.get("/graphql", params={"query": "{viewer{id}}"}, headers=auth(api))
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("application/graphql-response+json")  # httpx accepts */*
    assert reply.json() == {"data": {"viewer": {"id": ALICE_ID}}}
    assert reply.headers[STATEMENTS_HEADER] == "3"


async def test_get_with_variables_and_operation_name(api: ApiClient) -> None:
    reply = await api.http.get(
        "/graphql",
        params={
            "query": "query A { viewer { id } } query B($n: Int) { leads(first: $n) { nodes { id } } }",
            "operationName": "B",
            "variables": json.dumps({"n": 2}),
        },
        headers=auth(api, ERIN),
    )
    assert reply.status_code == 200
    assert len(reply.json()["data"]["leads"]["nodes"]) == 2


async def test_a_mutation_over_get_is_405_and_writes_nothing(api: ApiClient) -> None:
    email = "over-get@example.com"
    reply = await api.http.get(
        "/graphql",
        params={"query": f'mutation {{ createLead(input: {{email: "{email}"}}) {{ id }} }}'},
        headers=auth(api),
    )
    assert reply.status_code == 405
    assert reply.headers["allow"] == "POST"
    assert codes(reply.json()) == ["BAD_USER_INPUT"]
    assert "data" not in reply.json()
    assert await leads_with_email(api, email) == 0


async def test_a_mutation_named_in_a_get_document_of_several_operations_is_405(api: ApiClient) -> None:
    document = 'mutation M { createLead(input: {email: "get-m@example.com"}) { id } } query Q { viewer { id } }'
    named = await api.http.get("/graphql", params={"query": document, "operationName": "M"}, headers=auth(api))
    assert named.status_code == 405
    query = await api.http.get("/graphql", params={"query": document, "operationName": "Q"}, headers=auth(api))
    assert query.status_code == 200 and query.json() == {"data": {"viewer": {"id": ALICE_ID}}}
    assert await leads_with_email(api, "get-m@example.com") == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_several_operations_without_operation_name_are_refused(api: ApiClient, method: str) -> None:
    # GraphQL requires operationName here; running the first operation instead would run a mutation listed
    # first in a read-only transaction (or over GET).
    document = 'mutation M { createLead(input: {email: "ambiguous@example.com"}) { id } } query Q { viewer { id } }'
    if method == "GET":
        reply = await api.http.get("/graphql", params={"query": document}, headers=auth(api))
    else:
        reply = await api.http.post("/graphql", json={"query": document}, headers=auth(api))
    assert_request_error(reply, 400, "operationName")
    assert await leads_with_email(api, "ambiguous@example.com") == 0


async def test_the_named_mutation_of_several_operations_runs_read_write(api: ApiClient) -> None:
    email = "named-mutation@example.com"
    document = f'query Q {{ viewer {{ id }} }} mutation M {{ createLead(input: {{email: "{email}"}}) {{ email }} }}'
    reply = await api.http.post("/graphql", json={"query": document, "operationName": "M"}, headers=auth(api))
    assert reply.status_code == 200
    assert reply.json() == {"data": {"createLead": {"email": email}}}
    assert await leads_with_email(api, email) == 1


@pytest.mark.parametrize(
    ("document", "operation_name", "message_part"),
    [
        ("query A { viewer { id } }", "B", "no operation named 'B'"),
        ("fragment F on Query { viewer { id } }", None, "no operation"),
        ("fragment F on Query { viewer { id } }", "F", "no operation"),
    ],
)
async def test_a_document_without_the_operation_to_run_is_400(
    api: ApiClient, document: str, operation_name: str | None, message_part: str
) -> None:
    reply = await api.http.post(
        "/graphql", json={"query": document, "operationName": operation_name}, headers=auth(api)
    )
    assert_request_error(reply, 400, message_part)


async def test_graphql_response_json_content_type_is_accepted(api: ApiClient) -> None:
    reply = await api.http.post(
        "/graphql",
        content=json.dumps({"query": VIEWER}),
        headers={**auth(api), "content-type": "application/json; charset=utf-8"},
    )
    assert reply.status_code == 200 and reply.json() == {"data": {"viewer": {"id": ALICE_ID}}}


# ---------------------------------------------------------------------------------------------------------
# Bodies the endpoint refuses
# ---------------------------------------------------------------------------------------------------------


async def test_a_body_larger_than_the_cap_is_413(api: ApiClient) -> None:
    padding = " " * 1_000_001
    reply = await api.http.post(
        "/graphql",
        content=f'{{"query": "{{ viewer {{ id }} }}"{padding}}}',
        headers={"content-type": "application/json"},
    )
    assert_request_error(reply, 413, "larger than 1000000 bytes")


async def test_a_streamed_body_larger_than_the_cap_is_413(api: ApiClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no content-length: the cap is counted while reading
        yield b'{"query": "{ viewer { id } }"'
        for _ in range(20):
            yield b" " * 60_000

    reply = await api.http.post("/graphql", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in reply.request.headers
    assert_request_error(reply, 413, "larger than")


async def test_a_body_just_under_the_cap_is_fine(api: ApiClient) -> None:
    body = json.dumps({"query": VIEWER})
    body = body[:-1] + " " * (1_000_000 - len(body)) + "}"
    assert len(body) == 1_000_000
    reply = await api.http.post("/graphql", content=body, headers={**auth(api), "content-type": "application/json"})
    assert reply.status_code == 200


@pytest.mark.parametrize(
    ("content", "status", "message_part"),
    [
        pytest.param(b'{"query": ', 400, "invalid JSON", id="truncated-json"),
        pytest.param(b"not json at all", 400, "invalid JSON", id="not-json"),
        pytest.param(b"[" * 100_000, 400, "invalid JSON", id="deeply-nested-json"),
        pytest.param(b'["{ viewer { id } }"]', 400, "JSON object", id="json-array"),
        pytest.param(b"{}", 400, "no query", id="no-query"),
        pytest.param(b'{"query": "   "}', 400, "no query", id="blank-query"),
        pytest.param(b'{"query": 42}', 400, "no query", id="query-not-a-string"),
        pytest.param(b'{"query": "{ viewer { id } }", "variables": [1]}', 400, "variables", id="variables-list"),
        pytest.param(b'{"query": "{ viewer { id } }", "operationName": 1}', 400, "operationName", id="bad-op-name"),
        pytest.param(b"\xff\xfe\x00garbage", 400, "not valid UTF-8", id="not-utf8"),
    ],
)
async def test_a_malformed_post_is_a_clean_400(api: ApiClient, content: bytes, status: int, message_part: str) -> None:
    reply = await api.http.post("/graphql", content=content, headers={"content-type": "application/json"})
    assert_request_error(reply, status, message_part)


async def test_a_post_of_another_content_type_is_415(api: ApiClient) -> None:
    reply = await api.http.post(
        "/graphql", content=json.dumps({"query": VIEWER}), headers={"content-type": "text/plain"}
    )
    assert_request_error(reply, 415, "application/json")


@pytest.mark.parametrize(
    ("params", "message_part"),
    [
        ({}, "no query"),
        ({"query": ""}, "no query"),
        ({"query": VIEWER, "variables": "{not json"}, "invalid JSON"),
        ({"query": VIEWER, "variables": "[1, 2]"}, "variables"),
    ],
)
async def test_a_malformed_get_is_a_clean_400(api: ApiClient, params: dict[str, str], message_part: str) -> None:
    reply = await api.http.get("/graphql", params=params, headers={"accept": "application/json"})
    assert_request_error(reply, 400, message_part)


async def test_a_syntax_error_is_400_with_its_location_and_no_sql(api: ApiClient) -> None:
    reply = await api.http.post("/graphql", json={"query": "{ viewer { id }"}, headers=auth(api))
    body = assert_request_error(reply, 400, "Syntax Error")
    assert body["errors"][0]["locations"] == [{"line": 1, "column": 16}]


async def test_an_unknown_field_is_400_and_no_sql(api: ApiClient) -> None:
    reply = await api.http.post("/graphql", json={"query": "{ viewer { password } }"}, headers=auth(api))
    assert_request_error(reply, 400, "password")


async def test_wrongly_typed_variables_are_400(api: ApiClient) -> None:
    reply = await api.http.post(
        "/graphql",
        json={"query": "query($n: Int) { leads(first: $n) { totalCount } }", "variables": {"n": "ten"}},
        headers=auth(api),
    )
    assert_request_error(reply, 400, "$n")


async def test_methods_other_than_get_and_post_are_405(api: ApiClient) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        reply = await api.http.request(method, "/graphql", json={"query": VIEWER})
        assert reply.status_code == 405


# ---------------------------------------------------------------------------------------------------------
# Limits on documents: refused before any SQL runs
# ---------------------------------------------------------------------------------------------------------


def nested_leads(levels: int) -> str:
    inner = "id"
    for _ in range(levels):
        inner = f"leads(first: 1) {{ nodes {{ company {{ {inner} }} }} }}"
    return f"{{ companies(first: 1) {{ nodes {{ {inner} }} }} }}"


@pytest.mark.parametrize(
    ("document", "message_part"),
    [
        pytest.param(nested_leads(4), "exceeds maximum operation depth of 10", id="depth"),
        pytest.param("{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }", "Allowed: 30", id="aliases"),
        pytest.param("{ viewer { " + "id " * 2100 + "} }", "more than 2000 tokens", id="tokens"),
    ],
)
async def test_oversize_documents_are_refused_before_any_sql(api: ApiClient, document: str, message_part: str) -> None:
    response = await api.gql(document, as_user=ALICE)
    assert response.status == 400, response.body
    assert response.codes == ["BAD_USER_INPUT"]
    assert message_part in response.errors[0]["message"]
    assert response.data is None and "data" not in response.body
    assert response.statements == 0


async def test_documents_within_the_limits_run(api: ApiClient) -> None:
    within = [
        nested_leads(2),
        "{ " + " ".join(f"a{i}: __typename" for i in range(30)) + " }",
    ]
    for document in within:
        response = await api.gql(document, as_user=ALICE)
        assert response.status == 200 and response.errors == [], response.body


async def test_limits_follow_the_schema_limits(api: ApiClient) -> None:
    schema = build_schema(SchemaLimits(max_depth=3, max_aliases=2, max_tokens=50))
    async with custom_app(api, schema=schema) as app:
        deep = await app.client.gql("{ leads { nodes { company { leads { nodes { id } } } } } }", as_user=ALICE)
        assert deep.status == 400 and deep.codes == ["BAD_USER_INPUT"] and deep.statements == 0
        aliases = await app.client.gql("{ a: __typename b: __typename c: __typename }", as_user=ALICE)
        assert aliases.status == 400 and aliases.codes == ["BAD_USER_INPUT"]
        tokens = await app.client.gql("{ viewer { " + "id " * 60 + "} }", as_user=ALICE)
        assert tokens.status == 400 and tokens.codes == ["BAD_USER_INPUT"]
        fine = await app.client.gql("{ leads { nodes { id } } }", as_user=ALICE)
        assert fine.errors == []


INTROSPECTION = "{ __schema { queryType { name } } }"


async def test_introspection_is_on_by_default(api: ApiClient) -> None:
    response = await api.gql(INTROSPECTION)
    assert response.body == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_introspection_can_be_disabled(api: ApiClient) -> None:
    hidden = (
        INTROSPECTION,
        '{ __type(name: "Lead") { name fields { name } } }',
        '{ __type(name: "LeadStatus") { enumValues { name } } }',
        "{ __schema { types { name } } }",
    )
    async with custom_app(api, schema=build_schema(introspection=False)) as app:
        for document in hidden:
            response = await app.client.gql(document, as_user=ALICE)
            assert response.status == 400
            assert response.codes and set(response.codes) == {"BAD_USER_INPUT"}
            assert all("introspection is not allowed" in e["message"] for e in response.errors)
            assert response.statements == 0
        assert (await app.client.gql("{ __typename }")).body == {"data": {"__typename": "Query"}}
        # only whether a type of a name exists: what GraphQL-over-HTTP clients and checks ask
        named = await app.client.gql('{ __type(name: "Lead") { name kind } }')
        assert named.body == {"data": {"__type": {"name": "Lead", "kind": "OBJECT"}}}


# ---------------------------------------------------------------------------------------------------------
# GraphiQL, health checks, CORS
# ---------------------------------------------------------------------------------------------------------


async def test_graphiql_is_served_to_browsers(api: ApiClient) -> None:
    reply = await api.http.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "graphiql" in reply.text.lower()


async def test_graphiql_can_be_turned_off(api: ApiClient) -> None:
    async with custom_app(api, endpoint=EndpointConfig(graphiql=False)) as app:
        reply = await app.http.get("/graphql", headers={"accept": "text/html"})
        assert_request_error(reply, 400, "no query")


async def test_production_serves_no_graphiql_no_introspection_and_no_statement_count(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SUPABASE_JWKS", json.dumps(api.key.jwks()))
    settings = Settings(env="production", api_database_url=with_user(api.admin_dsn, "leadgen_api"), pool_min_size=1)
    async with open_services(settings) as services:
        app = create_app(services)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            page = await http.get("/graphql", headers={"accept": "text/html"})
            assert page.status_code == 400 and "graphiql" not in page.text.lower()
            introspection = await http.post("/graphql", json={"query": INTROSPECTION}, headers=GRAPHQL_ACCEPT)
            assert introspection.status_code == 400 and set(codes(introspection.json())) == {"BAD_USER_INPUT"}
            viewer = await http.post("/graphql", json={"query": VIEWER}, headers=auth(api))
            assert viewer.json() == {"data": {"viewer": {"id": ALICE_ID}}}
            assert STATEMENTS_HEADER not in viewer.headers


async def test_healthz(api: ApiClient) -> None:
    reply = await api.http.get("/healthz")
    assert reply.status_code == 200 and reply.json() == {"status": "ok"}


async def test_readyz_when_the_database_answers(api: ApiClient) -> None:
    reply = await api.http.get("/readyz")
    assert reply.status_code == 200 and reply.json() == {"status": "ready"}


async def test_readyz_when_the_pool_is_closed(api: ApiClient) -> None:
    async with custom_app(api) as app:
        await app.pool.close()
        reply = await app.http.get("/readyz")
        assert reply.status_code == 503
        assert reply.json()["status"] == "unavailable"


async def test_readyz_before_startup_opened_the_services() -> None:
    app = create_app()  # the lifespan has not run: nothing to check yet
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        assert (await http.get("/readyz")).status_code == 503
        assert (await http.get("/healthz")).status_code == 200


ORIGIN = "https://app.example.com"


async def test_cors_preflight_of_an_allowed_origin(api: ApiClient) -> None:
    async with custom_app(api, cors_origins=(ORIGIN,)) as app:
        reply = await app.http.options(
            "/graphql",
            headers={
                "origin": ORIGIN,
                "access-control-request-method": "POST",
                "access-control-request-headers": "authorization, content-type",
            },
        )
        assert reply.status_code == 200
        assert reply.headers["access-control-allow-origin"] == ORIGIN
        assert "POST" in reply.headers["access-control-allow-methods"]
        assert "authorization" in reply.headers["access-control-allow-headers"].lower()
        assert reply.headers["access-control-max-age"] == "600"

        actual = await app.http.post("/graphql", json={"query": VIEWER}, headers={**auth(api), "origin": ORIGIN})
        assert actual.status_code == 200
        assert actual.headers["access-control-allow-origin"] == ORIGIN


async def test_cors_preflight_of_another_origin_is_refused(api: ApiClient) -> None:
    async with custom_app(api, cors_origins=(ORIGIN,)) as app:
        reply = await app.http.options(
            "/graphql",
            headers={"origin": "https://evil.example", "access-control-request-method": "POST"},
        )
        assert reply.status_code == 400
        assert "access-control-allow-origin" not in reply.headers
        actual = await app.http.post("/graphql", json={"query": VIEWER}, headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in actual.headers


async def test_no_cors_without_configured_origins(api: ApiClient) -> None:
    reply = await api.http.options("/graphql", headers={"origin": ORIGIN, "access-control-request-method": "POST"})
    assert reply.status_code == 405
    assert "access-control-allow-origin" not in reply.headers


# ---------------------------------------------------------------------------------------------------------
# Unexpected errors are masked
# ---------------------------------------------------------------------------------------------------------

WAITING_API_BACKEND = """
select pid from pg_stat_activity
where datname = current_database() and application_name = 'leadgen-graphql' and wait_event_type = 'Lock'
"""
LEADS = "{ leads(first: 1) { nodes { id } } }"
INTERNAL_MESSAGE = re.compile(r"internal error \(id ([0-9a-f]{12})\)")


async def interrupted(api: ApiClient, client: ApiClient, interrupt: str) -> GraphQLResponse:
    """Alice's LEADS query through `client`, interrupted by `interrupt(pid)` while it waits on a lock.

    The test holds an exclusive lock on leads, waits until the API's statement queues behind it, then
    cancels or terminates that backend from another connection: errors the mapper does not know."""
    async with admin_connection(api) as locker, admin_connection(api) as watcher:
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("lock table public.leads in access exclusive mode")
        request = asyncio.create_task(client.gql(LEADS, as_user=ALICE))
        try:
            pid = await wait_until(lambda: watcher.fetchval(WAITING_API_BACKEND), 10, "the API's statement to wait")
            assert await watcher.fetchval(f"select {interrupt}($1)", pid) is True
        finally:
            await transaction.rollback()
        return await request


def assert_no_detail(response: GraphQLResponse) -> None:
    """No traceback, SQL or driver detail reaches the client."""
    text = json.dumps(response.body)
    for leak in ("Traceback", "asyncpg", "lock", "pg_", "select"):
        assert leak not in text


async def test_a_canceled_statement_is_a_timeout_not_an_internal_error(api: ApiClient) -> None:
    response = await interrupted(api, api, "pg_cancel_backend")
    assert response.status == 504 and response.data is None
    [error] = response.errors
    assert error["extensions"] == {"code": "TIMEOUT", "retryable": False}
    assert "stopped a statement" in error["message"]
    assert_no_detail(response)
    after = await api.gql(VIEWER, as_user=ALICE)  # the pool still serves requests
    assert after.body == {"data": {"viewer": {"id": ALICE_ID}}}


async def test_a_connection_lost_mid_query_is_unavailable_and_retryable(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="leadgen.errors")
    response = await interrupted(api, api, "pg_terminate_backend")
    assert response.status == 503 and response.data is None
    [error] = response.errors
    assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
    assert_no_detail(response)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # an outage is not logged as a bug
    after = await api.gql(VIEWER, as_user=ALICE)  # the pool replaced the lost connection
    assert after.body == {"data": {"viewer": {"id": ALICE_ID}}}


@pytest.mark.parametrize(
    ("interrupt", "status", "code"),
    [("pg_cancel_backend", 504, "TIMEOUT"), ("pg_terminate_backend", 503, "UNAVAILABLE")],
)
async def test_the_compiled_path_never_runs_an_interrupted_read_again(
    api: ApiClient, interrupt: str, status: int, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Only "cannot compile" falls back to the general path: a timeout or an outage is answered as such.
    caplog.set_level(logging.WARNING, logger="leadgen.http")
    async with custom_app(api, compiled_reads=True) as app:
        response = await interrupted(api, app.client, interrupt)
        assert response.status == status and response.codes == [code], response.body
        assert not any("general path" in record.getMessage() for record in caplog.records)
        assert (await app.client.gql(VIEWER, as_user=ALICE)).body == {"data": {"viewer": {"id": ALICE_ID}}}


async def test_the_compiled_path_counts_its_outcomes_and_survives_its_own_bugs(
    api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    async with custom_app(api, compiled_reads=True) as app:
        reads = app.config.compiled_reads
        assert reads is not None
        compiled = await app.http.post("/graphql", json={"query": LEADS}, headers=auth(api))
        assert compiled.headers[READ_PATH_HEADER] == "compiled"
        breakdown = "{ leads(first: 1) { nodes { scoreBreakdown { points } } } }"
        general = await app.http.post("/graphql", json={"query": breakdown}, headers=auth(api))
        assert general.headers[READ_PATH_HEADER] == "general" and "errors" not in general.json()
        assert reads.outcomes["compiled"] == 1 and reads.outcomes["unsupported: Lead.scoreBreakdown"] == 1

        def broken(*_args: object) -> None:
            raise KeyError("a bug of the planner")

        reads._planner.plan = broken  # type: ignore[method-assign,assignment]
        caplog.set_level(logging.WARNING, logger="leadgen.compiled")
        other = "{ leads(first: 2) { nodes { id } } }"
        answered = await app.http.post("/graphql", json={"query": other}, headers=auth(api))
        assert answered.status_code == 200 and len(answered.json()["data"]["leads"]["nodes"]) == 2
        assert answered.headers[READ_PATH_HEADER] == "general"
        assert reads.outcomes["error: KeyError"] == 1
        assert any("the compiled path failed on query" in r.getMessage() for r in caplog.records)
