"""Bench operations on the demo data: ours and the limit SQL (and, opt-in, PostGraphile) return the same data."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio

from bench import peers
from bench.limit_server import create_app, create_pool
from bench.operations import (
    OPERATIONS,
    READ_OPERATIONS,
    WRITE_OPERATIONS,
    NotApplicable,
    Operation,
    Variables,
    Visible,
    canonical,
    canonical_postgraphile,
    fetch_visible,
    run_limit,
)
from db.pool import SERVER_SETTINGS
from db.session import Caller
from server.auth import AuthSettings, TokenVerifier
from tests.support.api import ALICE, CAROL, DAVE, ERIN, PLATFORM_ADMIN, ApiClient
from tests.support.databases import with_user

USERS = (ALICE, CAROL, DAVE, ERIN, PLATFORM_ADMIN)
ROUNDS = 2  # variable draws per user and operation


@dataclass
class BenchDb:
    conn: asyncpg.Connection
    api_dsn: str
    callers: dict[str, Caller]
    visible: dict[str, Visible]


@pytest_asyncio.fixture(scope="module")
async def bench(api: ApiClient) -> AsyncIterator[BenchDb]:
    """The API login role on the api fixture's database, and each demo user as our server sees them."""
    verifier = TokenVerifier(AuthSettings(jwks=api.key.jwks()))
    api_dsn = with_user(api.admin_dsn, "leadgen_api")
    conn = await asyncpg.connect(api_dsn, server_settings=SERVER_SETTINGS)
    try:
        callers = {user: await verifier.caller_for(f"Bearer {api.token(user)}") for user in USERS}
        visible = {user: await fetch_visible(conn, callers[user]) for user in USERS}
        yield BenchDb(conn, api_dsn, callers, visible)
    finally:
        await conn.close()
        await verifier.aclose()


def draws(op: Operation, bench: BenchDb, users: tuple[str, ...] = USERS) -> list[tuple[str, Variables]]:
    """(user, variables) pairs, reproducible: each user's generator is seeded by the operation and the user."""
    out = []
    for user in users:
        rng = random.Random(f"{op.name}:{user}")
        for _ in range(ROUNDS):
            try:
                out.append((user, op.make_variables(rng, bench.visible[user])))
            except NotApplicable:
                break
    return out


async def ours(api: ApiClient, op: Operation, variables: Variables, user: str) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {api.token(user)}"}
    response = await api.http.post("/graphql", json=op.body(variables), headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def count_ids(value: Any) -> int:
    if isinstance(value, dict):
        return int("id" in value) + sum(count_ids(item) for item in value.values())
    if isinstance(value, list):
        return sum(count_ids(item) for item in value)
    return 0


def test_every_operation_is_named_and_unique() -> None:
    assert set(OPERATIONS) == {
        "dashboard",
        "nested50",
        "lead_detail",
        "pipeline_board",
        "search",
        "funnel",
        "tiny",
        "create_lead",
        "log_activity",
    }
    names = [op.operation_name for op in OPERATIONS.values()]
    assert len(set(names)) == len(names)
    for op in OPERATIONS.values():
        assert f" {op.operation_name}" in op.query.split("{", 1)[0]
        assert op.postgraphile_query is None or f" {op.operation_name}" in op.postgraphile_query.split("{", 1)[0]


@pytest.mark.parametrize("op", READ_OPERATIONS, ids=lambda op: op.name)
async def test_ours_equals_the_limit(api: ApiClient, bench: BenchDb, op: Operation) -> None:
    compared: set[str] = set()
    for user, variables in draws(op, bench):
        our_body = await ours(api, op, variables, user)
        limit_body = json.loads(await run_limit(bench.conn, op, bench.callers[user], variables))
        expected = op.normalise(our_body)
        assert op.normalise(limit_body) == expected, f"{op.name} as {user} with {variables}"
        if user == ALICE:
            assert count_ids(expected) > 0, f"{op.name}: Alice should see data"
        compared.add(user)
    assert len(compared) >= 3


def test_variables_are_reproducible(bench: BenchDb) -> None:
    for op in OPERATIONS.values():
        assert draws(op, bench) == draws(op, bench)


@pytest.mark.parametrize("op", WRITE_OPERATIONS, ids=lambda op: op.name)
async def test_writes_succeed_on_ours_and_the_limit(api: ApiClient, bench: BenchDb, op: Operation) -> None:
    pairs = draws(op, bench, (ALICE, CAROL, ERIN))
    assert {user for user, _ in pairs} == {ALICE, CAROL, ERIN}
    for user, variables in pairs:
        assert op.normalise(await ours(api, op, variables, user)) == {"succeeded": True}
        limit = await run_limit(bench.conn, op, bench.callers[user], variables, commit=False)
        assert op.normalise(json.loads(limit)) == {"succeeded": True}


def test_a_viewer_gets_no_write_target(bench: BenchDb) -> None:
    with pytest.raises(NotApplicable):
        OPERATIONS["log_activity"].make_variables(random.Random(1), bench.visible[DAVE])
    new_lead = OPERATIONS["create_lead"].make_variables(random.Random(1), bench.visible[DAVE])
    assert "space" not in new_lead["input"]  # a viewer's lead is personal


def test_postgraphile_responses_take_our_canonical_form() -> None:
    ours_data = {
        "lead": {
            "id": "TGVhZDowMDAwMDAwMC0wMDAwLTQwMDAtYTAwMC0wMDAwMDAwMDAwMDE=",  # Lead:00000000-...-000000000001
            "status": "NEW",
            "budget": "10.50",
            "createdAt": "2026-01-31T09:00:00.5+00:00",
            "customFields": {"id": "not an ID", "status": "KEPT"},
            "campaigns": {"nodes": [{"id": "Q2FtcGFpZ246MDAwMDAwMDAtMDAwMC00MDAwLWEwMDAtMDAwMDAwMDAwMDAy"}]},
        }
    }
    postgraphile_data = {
        "leadByRowId": {
            "rowId": "00000000-0000-4000-A000-000000000001",
            "status": "new",
            "budget": "10.5",
            "createdAt": "2026-01-31T10:00:00.500000+01:00",
            "customFields": {"id": "not an ID", "status": "KEPT"},
            "leadCampaignAssociationsByLeadId": {
                "nodes": [
                    {"leadCampaignByCampaignId": None},
                    {"leadCampaignByCampaignId": {"rowId": "00000000-0000-4000-a000-000000000002"}},
                ]
            },
        }
    }
    assert canonical_postgraphile(postgraphile_data) == canonical(ours_data)


async def test_the_limit_server_passes_the_sql_json_through(api: ApiClient, bench: BenchDb) -> None:
    op = OPERATIONS["dashboard"]
    pool = await create_pool(bench.api_dsn, size=2)
    app = create_app(TokenVerifier(AuthSettings(jwks=api.key.jwks())), pool=pool)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://limit") as http:
            headers = {"authorization": f"Bearer {api.token(CAROL)}"}
            response = await http.post("/graphql", json=op.body({}), headers=headers)
            assert response.status_code == 200
            assert response.text == await run_limit(bench.conn, op, bench.callers[CAROL], {})
            refused = await http.post("/graphql", json=op.body({}), headers={"authorization": "Bearer x.y.z"})
            assert refused.status_code == 401
            unknown = await http.post("/graphql", json={"query": "{ x }", "operationName": "Nope"}, headers=headers)
            assert unknown.status_code == 400
    finally:
        await pool.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def test_the_limit_server_runs_in_its_own_process(api: ApiClient, bench: BenchDb) -> None:
    op = OPERATIONS["tiny"]
    user, variables = draws(op, bench, (ERIN,))[0]
    peer = await asyncio.to_thread(peers.start_limit_server, bench.api_dsn, api.key.jwks(), free_port())
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            headers = {"authorization": f"Bearer {api.token(user)}"}
            response = await http.post(peer.url, json=op.body(variables), headers=headers)
        assert op.normalise(response.json()) == op.normalise(await ours(api, op, variables, user))
    finally:
        await asyncio.to_thread(peer.stop)


@pytest.mark.postgraphile
async def test_postgraphile_equals_ours(api: ApiClient, bench: BenchDb) -> None:
    if not peers.is_postgraphile_installed():
        pytest.skip("PostGraphile is not installed in bench/.scratch (bench.peers.install_postgraphile())")
    peer = await asyncio.to_thread(peers.start_postgraphile, bench.api_dsn, api.key.jwks(), free_port())
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            for op in (*READ_OPERATIONS, *WRITE_OPERATIONS):
                assert op.comparable_with_postgraphile, op.note
                for user, variables in draws(op, bench):
                    headers = {"authorization": f"Bearer {api.token(user)}"}
                    response = await http.post(peer.url, json=op.postgraphile_body(variables), headers=headers)
                    expected = op.normalise(await ours(api, op, variables, user))
                    assert op.normalise_postgraphile(response.json()) == expected, f"{op.name} as {user}"
    finally:
        await asyncio.to_thread(peer.stop)
