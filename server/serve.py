"""`leadgen serve`: the HTTP server answers at once; the database is prepared (migrations, demo data) once it does.

While the database cannot be reached yet, /healthz answers 200, /readyz 503 and /graphql 503 `UNAVAILABLE`; the
start-up gives up after LEADGEN_DB_STARTUP_TIMEOUT (exit code 1, naming the URL and its setting). SIGTERM and
SIGINT stop it: requests under way get LEADGEN_SHUTDOWN_TIMEOUT seconds, then are cancelled (rolled back).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import sys
from dataclasses import dataclass
from typing import Any

import asyncpg

from db.migrations import migrate, seed
from server.app import create_app
from server.client_address import uvicorn_proxy_options
from server.database_target import DatabaseTarget, open_target
from server.db_wait import wait_for_database
from server.services import open_services
from server.settings import Settings

DEMO_EMAIL = "alice@example.com"


@dataclass(frozen=True)
class Preparation:
    """What runs once the database answers, before the pool opens: migrations (in development), the demo data."""

    settings: Settings
    target: DatabaseTarget
    migrate: bool
    demo: bool
    url: str  # where GraphiQL is, for the demo's banner

    async def __call__(self) -> str | None:
        """Prepares the database; with --demo, the demo user's Authorization header (GraphiQL shows it)."""
        if self.migrate or self.demo:
            timeout = self.settings.db_startup_timeout
            conn = await wait_for_database(lambda: asyncpg.connect(self.target.admin_dsn), self.target.admin, timeout)
            try:
                if self.migrate:
                    report = await migrate(conn)
                    if report.applied:
                        print(f"applied {len(report.applied)} migration(s)", file=sys.stderr)
                if self.demo:
                    await seed(conn)
                    print("loaded the demo data (supabase/seed.sql)", file=sys.stderr)
            finally:
                await conn.close()
        print(f"database: {self.target.describe()}", file=sys.stderr)
        if not self.demo:
            return None
        return f"Bearer {await self._print_demo_banner()}"

    async def _print_demo_banner(self) -> str:
        from server.tokens import dev_token

        token = await dev_token(self.settings, self.target.admin_dsn, DEMO_EMAIL, 24 * 3600)
        print(
            f"\nGraphiQL: {self.url}\n"
            f"Demo user {DEMO_EMAIL}; GraphiQL has this header in its Headers tab already:\n"
            f'{{"Authorization": "Bearer {token}"}}\n\n'
            f"or try: curl -s {self.url} -H 'content-type: application/json' "
            f"-H 'authorization: Bearer {token}' "
            '-d \'{"query": "{ viewer { email } leads(first: 3) { nodes { firstName score } } }"}\'\n',
            flush=True,
        )
        return token


def uvicorn_options(args: argparse.Namespace, settings: Settings) -> dict[str, Any]:
    return {
        "host": args.host,
        "port": args.port,
        "log_level": "info",
        # uvicorn takes whole seconds; past them the requests still running are cancelled
        "timeout_graceful_shutdown": math.ceil(settings.shutdown_timeout),
        **uvicorn_proxy_options(settings.trusted_proxies),
    }


def run(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    target = asyncio.run(open_target(settings))  # the embedded server starts here; DATABASE_URL is not touched yet
    try:
        prepare = Preparation(
            settings,
            target,
            migrate=not args.no_migrate and not settings.production,
            demo=args.demo,
            url=f"http://{args.host}:{args.port}/graphql",
        )
        options = uvicorn_options(args, settings)
        if args.workers > 1:
            # each worker process opens its services from the environment (server/asgi.py): prepare once, first
            asyncio.run(prepare())
            os.environ["LEADGEN_API_DATABASE_URL"] = target.api_dsn
            uvicorn.run("server.asgi:app", workers=args.workers, **options)
            return 0
        failures: list[Exception] = []

        def give_up(exc: Exception) -> None:
            failures.append(exc)
            server.should_exit = True

        app = create_app(
            startup=open_services(settings, address=target.api, prepare=prepare),
            cors_origins=settings.cors_origins,
            trusted_proxies=settings.trusted_proxies,
            on_startup_failure=give_up,
        )
        server = uvicorn.Server(uvicorn.Config(app, **options))
        server.run()
        if failures:
            raise failures[0]
        return 0
    finally:
        target.close()
