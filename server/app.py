"""The Starlette application: /graphql, health checks, CORS, and the resources it runs on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import asyncpg
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gql.schema import LeadgenSchema
from server.auth import TokenVerifier
from server.client_address import TrustedProxies, TrustedProxyMiddleware
from server.form_pages import FormPages
from server.graphql_endpoint import EndpointConfig, GraphQLEndpoint
from server.http_errors import http_error_as_json
from server.outside_paths import OutsidePaths
from server.security_headers import SecurityHeadersMiddleware


@dataclass
class Services:
    """What a running app needs; created by the lifespan (server) or directly (tests)."""

    schema: LeadgenSchema
    pool: asyncpg.Pool
    verifier: TokenVerifier
    endpoint: EndpointConfig


READY_TIMEOUT_SECONDS = 5.0  # a readiness probe must answer, even when every pooled connection is busy


async def healthz(_: Request) -> Response:
    return JSONResponse({"status": "ok"})


def create_app(
    services: Services | None = None,
    *,
    cors_origins: tuple[str, ...] = (),
    trusted_proxies: tuple[str, ...] = (),
    startup: contextlib.AbstractAsyncContextManager[Services] | None = None,
) -> Starlette:
    """The app for `services`, or for the services that `startup` opens (and closes) with the lifespan.

    `trusted_proxies`: the only peers whose X-Forwarded-For names the client (server/client_address.py)."""
    state: dict[str, Services] = {}
    if services is not None:
        state["services"] = services

    endpoints: dict[int, GraphQLEndpoint] = {}

    def current() -> Services:
        return state["services"]

    async def graphql(request: Request) -> Response:
        s = current()
        endpoint = endpoints.get(id(s))
        if endpoint is None:  # built once per set of services (the lifespan opens them after the app exists)
            endpoints.clear()
            endpoint = endpoints[id(s)] = GraphQLEndpoint(s.schema, s.pool, s.verifier, s.endpoint)
        return await endpoint(request)

    async def readyz(_: Request) -> Response:
        try:
            async with current().pool.acquire(timeout=READY_TIMEOUT_SECONDS) as conn:
                await conn.fetchval("select 1", timeout=READY_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, KeyError) as exc:
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if startup is None:
            yield
            return
        async with startup as opened:
            state["services"] = opened
            yield

    middleware = [
        # first, so that everything after it (CORS, the endpoint's rate limits) sees the client's own address
        Middleware(TrustedProxyMiddleware, proxies=TrustedProxies(trusted_proxies)),
        Middleware(SecurityHeadersMiddleware),
    ]
    if cors_origins:
        middleware.append(
            Middleware(
                OutsidePaths,
                # public forms answer CORS per form (allowedOrigins): the app's origins must not widen them
                prefixes=("/f/",),
                middleware=CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["authorization", "content-type", "apikey", "x-client-info"],
                max_age=600,
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            *FormPages(current).routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error_as_json},
    )
