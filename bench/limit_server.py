"""The "limit" baseline as an HTTP server: each operation answered by one hand-written SQL statement.

POST /graphql takes the very body and Bearer token our server takes. The token is verified with our
TokenVerifier; the operation is picked by `operationName` (the names of bench/operations.py); its limit SQL
runs in one transaction as the caller (db.session.begin_statement: role and `request.jwt.claims` set first,
read-only for reads) on an asyncpg pool of the NOINHERIT login role; the JSON text Postgres built is the
response body, passed on without being parsed or re-serialised. No GraphQL parsing, no validation: this is
the floor that any server answering the same query under the same RLS cannot go below by much.

    python -m bench.limit_server --port 8100 --jwks-file jwks.json   # LEADGEN_LIMIT_DATABASE_URL=postgres://...
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench.operations import OPERATIONS_BY_OPERATION_NAME, ResponseError, run_limit
from db.pool import SERVER_SETTINGS, NoResetConnection, assert_safe_login_role
from server.auth import AuthSettings, TokenError, TokenVerifier

JSON_TYPE = "application/json"


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


async def create_pool(database_url: str, *, size: int = 10) -> asyncpg.Pool:
    """A pool like the API's, but with no JSON codec: `json` results stay text, ready to send."""
    pool = await asyncpg.create_pool(
        database_url,
        min_size=min(2, size),
        max_size=size,
        connection_class=NoResetConnection,
        server_settings=SERVER_SETTINGS,
    )
    await assert_safe_login_role(pool)
    return pool


def create_app(
    verifier: TokenVerifier, *, pool: asyncpg.Pool | None = None, database_url: str | None = None
) -> Starlette:
    """The app on `pool`, or on a pool of `database_url` opened at start-up and closed at shutdown."""
    if (pool is None) == (database_url is None):
        raise ValueError("give either a pool or a database URL")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = await create_pool(database_url) if database_url is not None else None
        app.state.pool = own or pool
        try:
            yield
        finally:
            if own is not None:
                await own.close()
            await verifier.aclose()

    async def graphql(request: Request) -> Response:
        try:
            payload: Any = json.loads(await request.body())
        except ValueError:
            return _error(400, "BAD_USER_INPUT", "the body is not JSON")
        if not isinstance(payload, dict):
            return _error(400, "BAD_USER_INPUT", "the body must be a JSON object")
        op = OPERATIONS_BY_OPERATION_NAME.get(str(payload.get("operationName")))
        if op is None:
            return _error(400, "BAD_USER_INPUT", f"no limit SQL for operationName {payload.get('operationName')!r}")
        try:
            caller = await verifier.caller_for(request.headers.get("authorization"))
        except TokenError as exc:
            return _error(401, "UNAUTHENTICATED", str(exc))
        try:
            args_source = payload.get("variables") or {}
            current: asyncpg.Pool = request.app.state.pool if pool is None else pool
            async with current.acquire() as conn:
                text = await run_limit(conn, op, caller, args_source)
        except (KeyError, ValueError, TypeError) as exc:
            return _error(400, "BAD_USER_INPUT", f"bad variables: {exc}")
        except asyncpg.InsufficientPrivilegeError:
            return _error(200, "FORBIDDEN", "not allowed")
        except (asyncpg.PostgresError, ResponseError) as exc:
            return _error(200, "INTERNAL", type(exc).__name__)
        return Response(text.encode(), media_type=JSON_TYPE)

    async def healthz(request: Request) -> Response:
        return Response(b'{"ok":true}', media_type=JSON_TYPE)

    routes = [Route("/graphql", graphql, methods=["POST"]), Route("/healthz", healthz)]
    return Starlette(routes=routes, lifespan=lifespan)


def main(argv: Sequence[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(prog="python -m bench.limit_server", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--jwks-file", type=Path, required=True, help="public JWK set that verifies tokens")
    parser.add_argument("--issuer", help="expected token issuer (default: the local Supabase Auth URL)")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    database_url = os.environ.get("LEADGEN_LIMIT_DATABASE_URL")
    if not database_url:
        parser.error("set LEADGEN_LIMIT_DATABASE_URL (a DSN of the login role leadgen_api)")
    jwks = json.loads(args.jwks_file.read_text())
    verifier = TokenVerifier(AuthSettings(jwks=jwks, issuer=args.issuer))
    app = create_app(verifier, database_url=database_url)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=args.access_log)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
