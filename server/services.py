"""Open (and close) what the app runs on, from settings: pool, token verifier, schema."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator

from db.pool import create_api_pool
from gql.fast_path import CompiledReads
from gql.schema import SchemaLimits, build_schema
from resolvers.context import Limits
from server.app import Services
from server.auth import AuthSettings, TokenVerifier
from server.credential_keys import integrations_from
from server.dev_keys import DevSigningKey
from server.graphql_endpoint import EndpointConfig, Timeouts
from server.server_secret import load_server_secret
from server.settings import Settings, api_dsn_from


def auth_settings(settings: Settings) -> AuthSettings:
    """Supabase keys when configured; in development without them, the local signing key's JWKS."""
    configured = any(os.environ.get(k) for k in ("SUPABASE_URL", "SUPABASE_JWKS", "SUPABASE_JWT_SECRET"))
    dev_jwks = None
    if not configured and not settings.production:
        dev_jwks = DevSigningKey.load_or_create(settings.data_dir).jwks()
    return AuthSettings.from_env(dev_jwks=dev_jwks)


@contextlib.asynccontextmanager
async def open_services(settings: Settings) -> AsyncIterator[Services]:
    if not (settings.api_database_url or settings.database_url):
        raise RuntimeError("set DATABASE_URL (or LEADGEN_API_DATABASE_URL), or start with `leadgen serve`")
    dsn = settings.api_database_url or api_dsn_from(settings.database_url or "", settings.api_password)
    pool = await create_api_pool(dsn, min_size=settings.pool_min_size, max_size=settings.pool_max_size)
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
                expose_statement_count=not settings.production,
                limits=page_limits,
                compiled_reads=CompiledReads(schema, page_limits) if settings.compiled_reads else None,
                secret_key=load_server_secret(settings),
                integrations=integrations_from(settings),
                public_url=settings.public_url,
            ),
        )
    finally:
        await verifier.aclose()
        await pool.close()
