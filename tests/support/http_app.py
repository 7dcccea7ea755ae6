"""What the HTTP tests need beyond the `api` fixture: apps built otherwise, forged tokens, the seed's ids, SQL checks.

`custom_app` serves the same database as an `api` fixture through an app built with another schema, endpoint
configuration or CORS origins. The admin helpers read (and, for set-up, write) as the superuser, past RLS:
what the database really holds.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import jwt
from starlette.types import ASGIApp

from db.pool import create_api_pool
from domain.credentials import Keyring
from domain.webhooks import WebhookPolicy
from gql.fast_path import CompiledReads
from gql.ids import global_id
from gql.schema import LeadgenSchema, build_schema
from resolvers.context import Integrations
from server.app import Services, create_app
from server.auth import AuthSettings, TokenVerifier
from server.dev_keys import DEV_ISSUER, DevSigningKey
from server.graphql_endpoint import EndpointConfig
from tests.support.api import EMAILS, ApiClient
from tests.support.databases import with_user

# The seed's leads by number (supabase/seed.sql): 1..240 in the space, 241..275 Alice's, 276..300 Erin's.
SPACE_LEADS = range(1, 241)
ALICE_LEADS = range(241, 276)
ERIN_LEADS = range(276, 301)
ALL_LEADS = range(1, 301)


def seed_id(kind: str, n: int) -> str:
    """The id of the seed's n-th generated row of a kind: md5('leadgen-seed-<kind>-<n>') as a UUID."""
    return str(uuid.UUID(hashlib.md5(f"leadgen-seed-{kind}-{n}".encode(), usedforsecurity=False).hexdigest()))


def seed_lead_id(n: int) -> str:
    return seed_id("lead", n)


def lead_gid(n: int) -> str:
    return global_id("Lead", seed_lead_id(n))


def named_id(group: str, number: int) -> str:
    """A hand-written seed id: 00000000-0000-4000-<group>-<number>."""
    return f"00000000-0000-4000-{group}-{number:012d}"


# ---------------------------------------------------------------------------------------------------------
# The database as the superuser
# ---------------------------------------------------------------------------------------------------------


@asynccontextmanager
async def admin_connection(api: ApiClient) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def admin_fetch(api: ApiClient, sql: str, *args: Any) -> list[asyncpg.Record]:
    async with admin_connection(api) as conn:
        return list(await conn.fetch(sql, *args))


async def admin_val(api: ApiClient, sql: str, *args: Any) -> Any:
    async with admin_connection(api) as conn:
        return await conn.fetchval(sql, *args)


async def lead_row(api: ApiClient, lead_id: str) -> dict[str, Any] | None:
    """The whole row of a lead as JSON (comparable before and after), or None when it is gone."""
    value = await admin_val(api, "select to_jsonb(l) from public.leads l where l.id = $1::uuid", lead_id)
    return None if value is None else dict(json.loads(value))


async def insert_lead(api: ApiClient, owner: str, space: str | None = None, **columns: Any) -> str:
    """A lead inserted by the superuser (a test's own victim, so that the seed's counts stay as they are)."""
    values: dict[str, Any] = {"user_id": owner, "space_id": space, "first_name": "Victim", **columns}
    names = ", ".join(values)
    placeholders = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    sql = f"insert into public.leads ({names}) values ({placeholders}) returning id::text"
    return str(await admin_val(api, sql, *values.values()))


async def delete_leads(api: ApiClient, lead_ids: list[str]) -> None:
    async with admin_connection(api) as conn:
        await conn.execute("delete from public.leads where id = any($1::uuid[])", lead_ids)


# ---------------------------------------------------------------------------------------------------------
# Apps built otherwise than the `api` fixture's
# ---------------------------------------------------------------------------------------------------------


@dataclass
class CustomApp:
    client: ApiClient  # the same helpers as the `api` fixture's, on this app
    pool: asyncpg.Pool
    asgi: ASGIApp  # the app itself, for tests that speak ASGI directly (a client that disconnects)
    schema: LeadgenSchema
    config: EndpointConfig

    @property
    def http(self) -> httpx.AsyncClient:
        return self.client.http


@asynccontextmanager
async def custom_app(
    api: ApiClient,
    *,
    schema: LeadgenSchema | None = None,
    endpoint: EndpointConfig | None = None,
    cors_origins: tuple[str, ...] = (),
    compiled_reads: bool = False,
) -> AsyncIterator[CustomApp]:
    """The app over the database of `api` (as the API login role), verifying the tokens `api.token` mints.

    `compiled_reads` turns on the one-statement read path, as production has it by default."""
    pool = await create_api_pool(with_user(api.admin_dsn, "leadgen_api"), min_size=1, max_size=2)
    verifier = TokenVerifier(AuthSettings(jwks=api.key.jwks()))
    schema = schema if schema is not None else build_schema()
    config = endpoint if endpoint is not None else EndpointConfig()
    if compiled_reads:
        config.compiled_reads = CompiledReads(schema, config.limits)
    app = create_app(Services(schema=schema, pool=pool, verifier=verifier, endpoint=config), cors_origins=cors_origins)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
            client = ApiClient(http, api.key)
            client.admin_dsn = api.admin_dsn
            yield CustomApp(client, pool, app, schema, config)
    finally:
        await verifier.aclose()
        await pool.close()


def keyed_app(
    api: ApiClient, keyring: Keyring, *, allow_private: bool = True, compiled_reads: bool = False
) -> AbstractAsyncContextManager[CustomApp]:
    """`custom_app` with a credentials keyring (integration credentials, workflow step secrets); webhooks may reach
    the test's receiver on 127.0.0.1 unless `allow_private` is False (the production policy)."""
    policy = WebhookPolicy(timeout=1.0, allow_private=allow_private)
    return custom_app(
        api, endpoint=EndpointConfig(integrations=Integrations(keyring, policy)), compiled_reads=compiled_reads
    )


def new_secret() -> str:
    """A fresh webhook signing secret."""
    return f"whsec_{secrets.token_hex(16)}"


# ---------------------------------------------------------------------------------------------------------
# Tokens made by hand: the bad ones that `DevSigningKey.mint` refuses to make
# ---------------------------------------------------------------------------------------------------------


def claims_for(user_id: str, **overrides: Any) -> dict[str, Any]:
    """Claims like Supabase Auth's for `user_id`, with `overrides` applied (None removes a claim)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": DEV_ISSUER,
        "sub": user_id,
        "aud": "authenticated",
        "exp": now + 3600,
        "iat": now,
        "email": EMAILS.get(user_id, ""),
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": {},
        "role": "authenticated",
        "aal": "aal1",
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }
    for name, value in overrides.items():
        if value is None:
            claims.pop(name, None)
        else:
            claims[name] = value
    return claims


def sign(key: DevSigningKey, claims: dict[str, Any], *, kid: str | None = None) -> str:
    """`claims` signed ES256 by `key`, announcing `kid` (the key's own by default)."""
    return jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": kid or key.kid, "typ": "JWT"})


def _b64url(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode("ascii")


def unsigned(claims: dict[str, Any], kid: str) -> str:
    """An `alg: none` token: header and claims, no signature."""
    return f"{_b64url({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_b64url(claims)}."
