"""Answers that give nothing away: no suggestions in production, bad literals as bad input, security headers."""

from __future__ import annotations

import logging

import pytest

from gql.schema import build_schema
from tests.support.api import ALICE, ApiClient
from tests.support.http_app import custom_app


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ leadz { nodes { id } } }", None),
        ("{ leads { nodes { emial } } }", None),
        ("query($o: LeadOrderBy) { leads(orderBy: $o) { nodes { id } } }", {"o": "SCORE_DES"}),
        ("{ leads(orderBy: SCORE_DES) { nodes { id } } }", None),
    ],
)
async def test_production_errors_suggest_no_names(api: ApiClient, query: str, variables: dict[str, str] | None) -> None:
    async with custom_app(api) as development:
        shown = await development.client.gql(query, variables, as_user=ALICE)
    async with custom_app(api, schema=build_schema(introspection=False)) as production:
        hidden = await production.client.gql(query, variables, as_user=ALICE)
    assert any("Did you mean" in e["message"] for e in shown.errors), shown.body  # the test would catch a leak
    assert hidden.codes and set(hidden.codes) == {"BAD_USER_INPUT"}
    assert not any("Did you mean" in e["message"] for e in hidden.errors), hidden.body


@pytest.mark.parametrize(
    "query",
    [
        '{ analytics(from: "0000-01-01T00:00:00Z") { funnel { count } } }',
        '{ leads(filter: {createdAt: {gt: "not-a-date"}}) { nodes { id } } }',
        'mutation { submitForm(formId: "x", values: {}, context: {renderedAt: "not-a-date"}) { submissionId } }',
    ],
)
async def test_a_bad_literal_in_the_document_is_bad_input_without_a_traceback(
    api: ApiClient, query: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    for user in (ALICE, None):
        response = await api.gql(query, as_user=user)
        assert response.status == 400 and set(response.codes) == {"BAD_USER_INPUT"}, response.body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_every_response_carries_the_security_headers(api: ApiClient) -> None:
    for response in (
        await api.http.post("/graphql", json={"query": "{ __typename }"}),
        await api.http.get("/healthz"),
        await api.http.get("/graphql", params={"query": "{ __typename }"}),
    ):
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["content-security-policy"].startswith("default-src 'none'")


async def test_graphiql_is_served_with_its_own_assets_and_a_strict_policy(api: ApiClient) -> None:
    page = await api.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="graphiql"' in page.text
    policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"  # no CDN, no inline code: the settings travel as a JSON data block
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unpkg" not in page.text and "cdn" not in page.text.lower()
    for asset in ("react.js", "react-dom.js", "graphiql.js", "explorer.js", "start.js", "graphiql.css"):
        served = await api.http.get(f"/graphiql/{asset}")
        assert served.status_code == 200 and len(served.content) > 100, asset
    assert (await api.http.get("/graphiql/other.js")).status_code == 404
