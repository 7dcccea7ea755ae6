"""Open (and close) what the app runs on, from settings: pool, token verifier, schema."""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg

from db.pool import create_api_pool
from gql.fast_path import CompiledReads
from gql.schema import SchemaLimits, build_schema
from resolvers.context import Limits
from server.app import Services
from server.auth import AuthSettings, TokenVerifier
from server.credential_keys import integrations_from
from server.database_target import DatabaseAddress, api_address
from server.db_wait import wait_for_database
from server.dev_keys import DevSigningKey
from server.graphql_endpoint import EndpointConfig, Timeouts
from server.server_secret import load_server_secret
from server.settings import Settings


def auth_settings(settings: Settings) -> AuthSettings:
    """Supabase keys when configured; in development without them, the local signing key's JWKS."""
    configured = any(os.environ.get(k) for k in ("SUPABASE_URL", "SUPABASE_JWKS", "SUPABASE_JWT_SECRET"))
    dev_jwks = None
    if not configured and not settings.production:
        dev_jwks = DevSigningKey.load_or_create(settings.data_dir).jwks()
    return AuthSettings.from_env(dev_jwks=dev_jwks)


POOL_CLOSE_SECONDS = 5.0  # at shutdown, for connections still held by cancelled operations


@contextlib.asynccontextmanager
async def open_services(
    settings: Settings,
    *,
    address: DatabaseAddress | None = None,
    prepare: Callable[[], Awaitable[str | None]] | None = None,
) -> AsyncIterator[Services]:
    """Pool, verifier and schema; the pool waits for the database (LEADGEN_DB_STARTUP_TIMEOUT).

    `address`: the API role's database (default: from the settings); `prepare`: what runs first (`leadgen serve`
    migrates and loads the demo data there, once the database answers)."""
    address = address or api_address(settings)
    graphiql_authorization = None if prepare is None else await prepare()
    pool = await wait_for_database(
        lambda: create_api_pool(address.dsn, min_size=settings.pool_min_size, max_size=settings.pool_max_size),
        address,
        settings.db_startup_timeout,
    )
    verifier = TokenVerifier(auth_settings(settings))
    limits = SchemaLimits(
        max_depth=settings.max_depth, max_aliases=settings.max_aliases, max_tokens=settings.max_tokens
    )
    schema = build_schema(limits, introspection=not settings.production)
    page_limits = Limits(max_page_size=settings.max_page_size)
    try:
        yield Services(
            schema=schema,
            pool=pool,
            verifier=verifier,
            endpoint=EndpointConfig(
                graphiql=not settings.production,
                max_body_bytes=settings.max_body_bytes,
                max_response_bytes=settings.max_response_bytes,
                max_cost=settings.max_cost,
                timeouts=Timeouts(operation_seconds=settings.operation_timeout, acquire_seconds=settings.pool_timeout),
                operations=settings.operations,
                max_batch=settings.max_batch,
                expose_statement_count=not settings.production,
                limits=page_limits,
                compiled_reads=CompiledReads(schema, page_limits) if settings.compiled_reads else None,
                secret_key=load_server_secret(settings),
                integrations=integrations_from(settings),
                public_url=settings.public_url,
                graphiql_authorization=graphiql_authorization,
            ),
        )
    finally:
        await verifier.aclose()
        await close_pool(pool, POOL_CLOSE_SECONDS)


async def close_pool(pool: asyncpg.Pool, seconds: float) -> None:
    """Close gracefully; connections not given back in time (a cancelled operation's) are closed anyway."""
    try:
        await asyncio.wait_for(pool.close(), seconds)
    except TimeoutError:
        pool.terminate()
