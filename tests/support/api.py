"""Drive the real ASGI app over HTTP (httpx) against a test database, with real signed tokens."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from db.pool import create_api_pool
from gql.fast_path import CompiledReads
from gql.schema import build_schema
from server.app import Services, create_app
from server.auth import AuthSettings, TokenVerifier
from server.dev_keys import DEV_ISSUER, DevSigningKey
from server.graphql_endpoint import STATEMENTS_HEADER, EndpointConfig

ALICE = "00000000-0000-4000-a000-000000000001"  # owner of the demo space, also has personal leads
BOB = "00000000-0000-4000-a000-000000000002"  # admin
CAROL = "00000000-0000-4000-a000-000000000003"  # member
DAVE = "00000000-0000-4000-a000-000000000004"  # viewer
ERIN = "00000000-0000-4000-a000-000000000005"  # no space
PLATFORM_ADMIN = "00000000-0000-4000-a000-000000000006"
SPACE = "00000000-0000-4000-b000-000000000001"

# The two ways a signed-in query is answered: one compiled SQL statement (production's default wherever the planner
# understands the query), or Strawberry's resolvers with DataLoaders. Both must give the same answers.
READ_PATHS = ("compiled", "general")

EMAILS = {
    ALICE: "alice@example.com",
    BOB: "bob@example.com",
    CAROL: "carol@example.com",
    DAVE: "dave@example.com",
    ERIN: "erin@example.com",
    PLATFORM_ADMIN: "admin@example.com",
}


@dataclass
class GraphQLResponse:
    status: int
    body: dict[str, Any]
    statements: int | None

    @property
    def data(self) -> Any:
        return self.body.get("data")

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or [])

    @property
    def codes(self) -> list[str]:
        return [e.get("extensions", {}).get("code", "") for e in self.errors]


class ApiClient:
    def __init__(self, http: httpx.AsyncClient, key: DevSigningKey) -> None:
        self.http = http
        self.key = key
        self.admin_dsn = ""  # superuser DSN of the same database, to check what was really written

    def token(self, user_id: str, **claims: Any) -> str:
        app_metadata = {"provider": "email", "providers": ["email"]}
        if user_id == PLATFORM_ADMIN:
            app_metadata["leadgen_role"] = "admin"
        return self.key.mint(user_id, email=EMAILS.get(user_id), app_metadata=app_metadata, issuer=DEV_ISSUER, **claims)

    async def gql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_user: str | None = None,
        token: str | None = None,
        method: str = "POST",
    ) -> GraphQLResponse:
        # as current GraphQL clients ask (Apollo, urql): status codes then say when the document is at fault
        headers = {"accept": "application/graphql-response+json, application/json;q=0.9"}
        bearer = token if token is not None else (self.token(as_user) if as_user else None)
        if bearer is not None:
            headers["authorization"] = f"Bearer {bearer}"
        if method == "GET":
            params = {"query": query}
            if variables:
                params["variables"] = json.dumps(variables)
            response = await self.http.get("/graphql", params=params, headers=headers)
        else:
            response = await self.http.post(
                "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
            )
        statements = response.headers.get(STATEMENTS_HEADER)
        return GraphQLResponse(response.status_code, response.json(), int(statements) if statements else None)


@asynccontextmanager
async def api_client(
    api_dsn: str, key_dir: Path, *, compiled_reads: bool = True, **endpoint: Any
) -> AsyncIterator[ApiClient]:
    """The app on a pool of the API login role, verifying tokens signed by a dev key in `key_dir`.

    `compiled_reads` (on by default, as in production) lets one compiled statement answer the signed-in queries
    the planner understands; the general path answers everything else, and everything when it is off."""
    key = DevSigningKey.load_or_create(key_dir)
    pool = await create_api_pool(api_dsn, min_size=1, max_size=4)
    verifier = TokenVerifier(AuthSettings(jwks=key.jwks()))
    schema = build_schema()
    config = EndpointConfig(**endpoint)
    if compiled_reads:
        config.compiled_reads = CompiledReads(schema, config.limits)
    services = Services(schema=schema, pool=pool, verifier=verifier, endpoint=config)
    app = create_app(services)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            yield ApiClient(http, key)
    finally:
        await verifier.aclose()
        await pool.close()


async def seed_database(dsn: str) -> None:
    from db.migrations import seed

    conn = await asyncpg.connect(dsn)
    try:
        await seed(conn)
    finally:
        await conn.close()
