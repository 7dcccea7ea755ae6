"""Requests that are malformed at the HTTP level get JSON answers that say what is wrong."""

from __future__ import annotations

import pytest

from tests.support.api import ALICE, ApiClient

CREATE = "mutation($i: CreateLeadInput!) { createLead(input: $i) { id } }"


async def test_a_body_that_is_not_utf8_is_refused(api: ApiClient) -> None:
    body = b'{"query": "{ __typename }", "variables": {"x": "\xff\xfe"}}'
    response = await api.http.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "message": "the body is not valid UTF-8",
        "extensions": {"code": "BAD_USER_INPUT"},
    }


async def test_a_nul_in_a_variable_names_the_variable(api: ApiClient) -> None:
    response = await api.gql(
        CREATE, {"i": {"firstName": "Ada", "customFields": {"note": ["ok", "a\x00b"]}}}, as_user=ALICE
    )
    assert response.status == 400
    [error] = response.errors
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "i.customFields.note.1"}


async def test_a_nul_in_a_literal_is_refused_where_it_is_written(api: ApiClient) -> None:
    response = await api.gql('mutation { createLead(input: {firstName: "a\\u0000b"}) { id } }', as_user=ALICE)
    assert response.status == 400 and response.codes == ["BAD_USER_INPUT"]
    assert response.errors[0]["locations"] == [{"line": 1, "column": 42}]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
async def test_other_methods_get_a_json_405_with_allow(api: ApiClient, method: str) -> None:
    response = await api.http.request(method, "/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}
    assert response.json()["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


async def test_an_unknown_path_is_a_json_404(api: ApiClient) -> None:
    response = await api.http.get("/nothing-here")
    assert response.status_code == 404
    assert response.json()["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
