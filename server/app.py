"""The Starlette application: /graphql, health checks, CORS, and the resources it runs on."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
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
from server.graphiql_page import graphiql_asset_route
from server.graphql_endpoint import EndpointConfig, GraphQLEndpoint
from server.http_errors import http_error_as_json
from server.outside_paths import OutsidePaths
from server.responses import RETRY_AFTER_SECONDS, unavailable_response
from server.security_headers import SecurityHeadersMiddleware

log = logging.getLogger("leadgen.startup")


@dataclass
class Services:
    """What a running app needs; created by the lifespan (server) or directly (tests)."""

    schema: LeadgenSchema
    pool: asyncpg.Pool
    verifier: TokenVerifier
    endpoint: EndpointConfig


READY_TIMEOUT_SECONDS = 5.0  # a readiness probe must answer, even when every pooled connection is busy


class _State:
    """The app's services once open, or why there are none (yet)."""

    def __init__(self, services: Services | None) -> None:
        self.services = services
        self.failure: Exception | None = None
        self.stopping = False

    def not_ready_reason(self) -> str:
        # no address nor setting here: clients and probes may be outside; the server's log has the details
        if self.failure is not None:
            return "the server could not start (see its log)"
        if self.stopping:
            return "the server is shutting down"
        return "the server is starting: its database cannot be reached yet"


def create_app(
    services: Services | None = None,
    *,
    cors_origins: tuple[str, ...] = (),
    trusted_proxies: tuple[str, ...] = (),
    startup: contextlib.AbstractAsyncContextManager[Services] | None = None,
    on_startup_failure: Callable[[Exception], None] | None = None,
) -> Starlette:
    """The app for `services`, or for the services that `startup` opens (and closes) with the lifespan.

    `startup` runs in the background: the app answers at once, /readyz and /graphql with 503 until the services
    are open (their database reachable). If opening fails for good, /healthz turns 503 too and
    `on_startup_failure` is told (`leadgen serve` stops the server then).
    `trusted_proxies`: the only peers whose X-Forwarded-For names the client (server/client_address.py)."""
    state = _State(services)
    endpoints: dict[int, GraphQLEndpoint] = {}

    def current() -> Services:
        """The open services, for routes that need them; until they are open, a JSON 503 (UNAVAILABLE)."""
        if state.services is None:
            raise HTTPException(503, state.not_ready_reason(), headers={"retry-after": str(RETRY_AFTER_SECONDS)})
        return state.services

    async def graphql(request: Request) -> Response:
        s = state.services
        if s is None:
            return unavailable_response(state.not_ready_reason())
        endpoint = endpoints.get(id(s))
        if endpoint is None:  # built once per set of services (the lifespan opens them after the app exists)
            endpoints.clear()
            endpoint = endpoints[id(s)] = GraphQLEndpoint(s.schema, s.pool, s.verifier, s.endpoint)
        return await endpoint(request)

    async def healthz(_: Request) -> Response:
        if state.failure is not None:
            return JSONResponse({"status": "failed", "reason": state.not_ready_reason()}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        s = state.services
        if s is None:
            return JSONResponse({"status": "unavailable", "reason": state.not_ready_reason()}, status_code=503)
        try:
            async with s.pool.acquire(timeout=READY_TIMEOUT_SECONDS) as conn:
                await conn.fetchval("select 1", timeout=READY_TIMEOUT_SECONDS)
        except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, status_code=503)
        return JSONResponse({"status": "ready"})

    async def keep_open(opener: contextlib.AbstractAsyncContextManager[Services], stopping: asyncio.Event) -> None:
        opened_once = False
        try:
            async with opener as opened:
                state.services, opened_once = opened, True
                try:
                    await stopping.wait()
                finally:
                    state.services, state.stopping = None, True
        except Exception as exc:
            if opened_once:  # closing failed: the server stops all the same
                log.warning("could not close the server's resources cleanly: %s", exc)
                return
            state.failure = exc
            log.error("the server cannot start: %s", exc)
            if on_startup_failure is not None:
                on_startup_failure(exc)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        if startup is None:
            yield
            return
        stopping = asyncio.Event()
        opening = asyncio.create_task(keep_open(startup, stopping))
        try:
            yield
        finally:
            stopping.set()
            if state.services is None:
                opening.cancel()  # still waiting for the database: stop waiting
            with contextlib.suppress(asyncio.CancelledError):
                await opening

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
            graphiql_asset_route(),
        ],
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={HTTPException: http_error_as_json},
    )
