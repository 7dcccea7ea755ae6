"""Documents named by hash: Apollo's automatic persisted queries, and trusted documents (the allow-list)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from gql.documents import document_hash
from server.endpoint_config import EndpointConfig
from server.operation_manifests import read_documents
from server.persisted_operations import TOOL_HEADER
from tests.support.api import ALICE, ApiClient
from tests.support.http_app import admin_connection, custom_app
from tests.support.server_process import leadgen_command, leadgen_environment

VIEWER = "query Viewer { viewer { id email } }"
ACCEPT = {"accept": "application/graphql-response+json"}


def persisted(sha: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha}}


async def post(http: httpx.AsyncClient, body: dict[str, Any], token: str, **headers: str) -> httpx.Response:
    return await http.post("/graphql", json=body, headers={"authorization": f"Bearer {token}", **ACCEPT, **headers})


async def test_apollo_automatic_persisted_queries(api: ApiClient) -> None:
    async with custom_app(api) as app:
        token = app.client.token(ALICE)
        query = VIEWER + f"  # {document_hash('fresh')}"  # a document this process has not seen yet
        sha = document_hash(query)
        # 1. the hash alone: unknown, and Apollo's client is told so in the words it looks for
        first = await post(app.http, {"extensions": persisted(sha)}, token)
        assert first.status_code == 200
        assert first.json() == {
            "errors": [{"message": "PersistedQueryNotFound", "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"}}]
        }
        # 2. the query with its hash: registered and answered
        second = await post(app.http, {"query": query, "extensions": persisted(sha)}, token)
        assert second.json()["data"]["viewer"]["email"] == "alice@example.com"
        # 3. from now on the hash is enough, over POST and over GET
        third = await post(app.http, {"extensions": persisted(sha)}, token)
        assert third.json() == second.json()
        params = {"extensions": json.dumps(persisted(sha))}
        by_get = await app.http.get("/graphql", params=params, headers={"authorization": f"Bearer {token}", **ACCEPT})
        assert by_get.status_code == 200 and by_get.json() == second.json()


async def test_a_hash_that_is_not_the_querys_is_refused(api: ApiClient) -> None:
    async with custom_app(api) as app:
        wrong = await post(app.http, {"query": VIEWER, "extensions": persisted("0" * 64)}, app.client.token(ALICE))
        malformed = await post(app.http, {"extensions": persisted("not-a-hash")}, app.client.token(ALICE))
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["extensions"]["reason"] == "HASH_MISMATCH"
    assert malformed.status_code == 400 and "64 hex digits" in malformed.json()["errors"][0]["message"]


def write_manifest(tmp_path: Path, documents: list[str]) -> Path:
    """An Apollo persisted query manifest, as `generate-persisted-query-manifest` writes it."""
    operations = [
        {"id": document_hash(d), "name": f"Op{i}", "type": "query", "body": d} for i, d in enumerate(documents)
    ]
    path = tmp_path / "persisted-query-manifest.json"
    path.write_text(json.dumps({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations}))
    return path


async def trust(api: ApiClient, manifest: Path) -> None:
    async with admin_connection(api) as conn:
        for doc in read_documents(manifest):
            await conn.execute(
                "insert into private.trusted_operations (hash, body, name) values ($1, $2, $3) on conflict do nothing",
                doc.hash,
                doc.body,
                doc.name,
            )


@pytest.mark.parametrize("graphiql", [True, False], ids=["development", "production"])
async def test_with_trusted_operations_only_registered_documents_run(
    api: ApiClient, tmp_path: Path, graphiql: bool
) -> None:
    trusted = "query Trusted { viewer { id } }"
    await trust(api, write_manifest(tmp_path, [trusted]))
    config = EndpointConfig(operations="trusted", graphiql=graphiql)
    async with custom_app(api, endpoint=config) as app:
        token = app.client.token(ALICE)
        by_text = await post(app.http, {"query": trusted}, token)
        by_hash = await post(app.http, {"extensions": persisted(document_hash(trusted))}, token)
        other = await post(app.http, {"query": VIEWER}, token)
        other_by_hash = await post(app.http, {"query": VIEWER, "extensions": persisted(document_hash(VIEWER))}, token)
        tool = await post(app.http, {"query": VIEWER}, token, **{TOOL_HEADER: "graphiql"})
    assert by_text.json()["data"]["viewer"] and by_hash.json() == by_text.json()
    for refused in (other, other_by_hash):
        assert refused.status_code == 403
        assert refused.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "reason": "OPERATION_NOT_TRUSTED"}
    if graphiql:  # development: GraphiQL and similar tools say who they are and run anything
        assert tool.status_code == 200 and tool.json()["data"]["viewer"]["email"] == "alice@example.com"
    else:
        assert tool.status_code == 403


def test_manifests_of_apollo_codegen_and_relay_are_read(tmp_path: Path) -> None:
    doc = "query A { viewer { id } }"
    apollo = read_documents(write_manifest(tmp_path, [doc]))
    (tmp_path / "persisted-documents.json").write_text(json.dumps({document_hash(doc): doc}))
    codegen = read_documents(tmp_path / "persisted-documents.json")
    (tmp_path / "relay.json").write_text(json.dumps({"5f7a": doc}))  # Relay's md5 ids are not what clients send
    relay = read_documents(tmp_path / "relay.json")
    (tmp_path / "A.graphql").write_text(doc)
    file = read_documents(tmp_path / "A.graphql")
    assert {d.hash for d in apollo + codegen + relay + file} == {document_hash(doc)}
    assert relay[0].note is not None and apollo[0].note is None


async def test_leadgen_operations_adds_lists_and_removes(api: ApiClient, tmp_path: Path) -> None:
    good = "query Good { viewer { id } }"
    manifest = write_manifest(tmp_path, [good])
    (tmp_path / "bad.graphql").write_text("query Bad { viewer { nope } }")
    env = leadgen_environment(tmp_path / "data", DATABASE_URL=api.admin_dsn)

    async def leadgen(*args: str) -> tuple[int, str]:
        process = await asyncio.create_subprocess_exec(
            *leadgen_command("operations", *args),
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await process.communicate()
        return process.returncode or 0, out.decode()

    code, out = await leadgen("add", str(manifest), str(tmp_path / "bad.graphql"))
    assert code == 1 and "not valid for this schema: bad" in out  # all or none
    code, out = await leadgen("add", str(manifest))
    assert code == 0 and "1 document(s) added" in out, out
    code, out = await leadgen("list")
    assert code == 0 and document_hash(good) in out and "Op0" in out
    code, out = await leadgen("remove", document_hash(good))
    assert code == 0 and "removed 1 of 1" in out
    code, out = await leadgen("list")
    assert document_hash(good) not in out
