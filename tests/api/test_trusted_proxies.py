"""Rate limits count the client's real address: X-Forwarded-For counts only from LEADGEN_TRUSTED_PROXIES, and one
address (or network) flooding a form uses up only its share of the form's budget. Driven over HTTP through the
ASGI app (httpx's ASGITransport sets the socket's peer), also behind uvicorn's own proxy middleware configured
the way `leadgen serve` configures it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest_asyncio
import uvicorn
from starlette.types import ASGIApp

from db.pool import create_api_pool
from domain.visitor_tokens import client_hash, network_hash
from gql.ids import global_id
from gql.schema import build_schema
from server.app import Services, create_app
from server.auth import AuthSettings, TokenVerifier
from server.client_address import uvicorn_proxy_options
from server.graphql_endpoint import EndpointConfig
from tests.support.api import BOB, SPACE, ApiClient, GraphQLResponse
from tests.support.databases import with_user
from tests.support.http_app import admin_connection
from tests.support.mutations import admin_val, ok

SECRET = b"the trusted proxy tests' secret, 32+ bytes"
SUBMIT = "mutation($f: ID!, $v: JSON!) { submitForm(formId: $f, values: $v) { submissionId } }"


@pytest_asyncio.fixture(scope="module")
async def services(api: ApiClient) -> AsyncIterator[Services]:
    pool = await create_api_pool(with_user(api.admin_dsn, "leadgen_api"), min_size=1, max_size=2)
    verifier = TokenVerifier(AuthSettings(jwks=api.key.jwks()))
    try:
        yield Services(schema=build_schema(), pool=pool, verifier=verifier, endpoint=EndpointConfig(secret_key=SECRET))
    finally:
        await verifier.aclose()
        await pool.close()


@asynccontextmanager
async def client_at(app: ASGIApp, peer: str) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client whose requests reach `app` from the socket address `peer`."""
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def behind_uvicorn(app: ASGIApp, trusted: tuple[str, ...]) -> ASGIApp:
    """`app` as uvicorn serves it with the proxy options `leadgen serve` passes (its own middleware in front)."""
    config = uvicorn.Config(app, lifespan="off", log_config=None, **uvicorn_proxy_options(trusted))
    config.load()
    loaded: ASGIApp = config.loaded_app
    return loaded


async def new_form(api: ApiClient) -> str:
    """A published form of the demo space (first name, email), its own rate-limit budget."""
    async with admin_connection(api) as conn, conn.transaction():  # published with its fields, as one change
        form = await conn.fetchval(
            "insert into public.lead_forms (user_id, space_id, name, is_published, published_at)"
            " values ($1, $2, $3, true, now()) returning id::text",
            BOB,
            SPACE,
            f"Proxy form {uuid.uuid4()}",
        )
        await conn.execute(
            "insert into public.lead_form_fields (form_id, field_name, field_type, label, field_order)"
            " values ($1::uuid, 'first_name', 'text', 'First name', 0), ($1::uuid, 'email', 'email', 'Email', 1)",
            form,
        )
    return global_id("LeadForm", form)


async def submit(http: httpx.AsyncClient, form: str, n: int, forwarded_for: str | None = None) -> GraphQLResponse:
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    variables: dict[str, Any] = {"f": form, "v": {"first_name": "Pat", "email": f"pat{n}.{uuid.uuid4().hex[:8]}@x.io"}}
    response = await http.post("/graphql", json={"query": SUBMIT, "variables": variables}, headers=headers)
    return GraphQLResponse(response.status_code, response.json(), None)


async def stored_hashes(api: ApiClient, response: GraphQLResponse) -> tuple[str, str]:
    submission = ok(response)["submitForm"]["submissionId"]
    row = await admin_val(
        api,
        "select json_build_array(client_hash, network_hash)::text from private.form_submissions where id = $1::uuid",
        submission,
    )
    client, network = json.loads(row)
    return client, network


def hashes_of(address: str) -> tuple[str | None, str | None]:
    return client_hash(SECRET, address), network_hash(SECRET, address)


@asynccontextmanager
async def form_limits(api: ApiClient, form_limit: int, address_pct: int, network_pct: int) -> AsyncIterator[None]:
    await admin_val(
        api,
        "update private.form_submission_limits set per_client_limit = 100000, per_form_limit = $1,"
        " per_form_address_percent = $2, per_form_network_percent = $3",
        form_limit,
        address_pct,
        network_pct,
    )
    try:
        yield
    finally:
        await admin_val(
            api,
            "update private.form_submission_limits set per_client_limit = 20, per_form_limit = 600,"
            " per_form_address_percent = 5, per_form_network_percent = 20",
        )


async def test_a_spoofed_forwarded_for_from_an_untrusted_peer_is_ignored(api: ApiClient, services: Services) -> None:
    form = await new_form(api)
    app = create_app(services)  # no trusted proxies: the default
    async with form_limits(api, 1000, 100, 100), client_at(app, "203.0.113.5") as http:
        assert await stored_hashes(api, await submit(http, form, 1, "198.51.100.1")) == hashes_of("203.0.113.5")
    # the same app as `leadgen serve` runs it: uvicorn trusts 127.0.0.1 by default, but not as configured
    async with form_limits(api, 1000, 100, 100), client_at(behind_uvicorn(app, ()), "127.0.0.1") as http:
        assert await stored_hashes(api, await submit(http, form, 2, "198.51.100.1")) == hashes_of("127.0.0.1")


async def test_a_trusted_proxys_forwarded_for_is_honoured(api: ApiClient, services: Services) -> None:
    form = await new_form(api)
    trusted = ("10.0.0.0/8",)
    app = create_app(services, trusted_proxies=trusted)
    async with form_limits(api, 1000, 100, 100):
        for served in (app, behind_uvicorn(app, trusted)):
            async with client_at(served, "10.1.2.3") as http:
                # the client prepended an address of its choice; the proxy appended the one it saw
                response = await submit(http, form, 1, "1.1.1.1, 198.51.100.7")
                assert await stored_hashes(api, response) == hashes_of("198.51.100.7")
            async with client_at(served, "203.0.113.9") as http:  # not a proxy of ours
                response = await submit(http, form, 2, "198.51.100.7")
                assert await stored_hashes(api, response) == hashes_of("203.0.113.9")


async def flood(http: httpx.AsyncClient, form: str, times: int) -> tuple[int, set[str]]:
    """Submits `times` times: how many were accepted, and which limits refused the others."""
    accepted, limits = 0, set[str]()
    for n in range(times):
        response = await submit(http, form, n)
        if response.codes == ["RATE_LIMITED"]:
            limits.add(response.errors[0]["extensions"]["limit"])
        else:
            ok(response)
            accepted += 1
    return accepted, limits


async def test_one_address_flooding_a_form_does_not_stop_another_address(api: ApiClient, services: Services) -> None:
    form = await new_form(api)
    app = create_app(services)
    async with form_limits(api, 20, 25, 50):
        async with client_at(app, "203.0.113.7") as flooder:
            assert await flood(flooder, form, 20) == (5, {"form_address"})  # 25% of 20
        async with client_at(app, "198.51.100.9") as other:
            ok(await submit(other, form, 100))


async def test_one_network_flooding_a_form_does_not_stop_another_network(api: ApiClient, services: Services) -> None:
    form = await new_form(api)
    app = create_app(services)
    async with form_limits(api, 40, 10, 25):  # 4 per address, 10 per network
        for flooders in (
            [f"203.0.113.{host}" for host in range(1, 7)],  # six addresses of one IPv4 /24
            [f"2001:db8:1:{subnet}::1" for subnet in range(1, 5)],  # four /64s of one IPv6 /48
        ):
            accepted, limits = 0, set[str]()
            for address in flooders:
                async with client_at(app, address) as flooder:
                    counted = await flood(flooder, form, 3)  # each address within its own share
                accepted, limits = accepted + counted[0], limits | counted[1]
            assert (accepted, limits) == (10, {"form_network"})
            async with client_at(app, "198.51.100.10") as other:
                ok(await submit(other, form, 100))
