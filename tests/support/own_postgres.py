"""A PostgreSQL cluster of one test's own, which the test may stop, start and restart (the session's is shared).

It is the embedded server of `leadgen serve` (server/embedded.py) in a temporary folder: created (initdb) and
started once, then stopped and started at will; its Unix socket stays where it was, so a client's DATABASE_URL
stays right across restarts. Stopping is Postgres's fast shutdown: open sessions are ended (57P01) at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote

import asyncpg

from server.embedded import EmbeddedPostgres
from tests.support.databases import FAST_UNSAFE_SETTINGS


class OwnPostgres:
    def __init__(self, base: Path) -> None:
        self.base = base
        self.embedded = EmbeddedPostgres(base)
        self.socket_dir = ""
        self.running = False

    def dsn(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        credentials = quote(user) + (f":{quote(password, safe='')}" if password else "")
        return f"postgresql://{credentials}@/{quote(database)}?host={quote(self.socket_dir)}"

    async def start(self) -> None:
        # the wheel's start is synchronous (pg_ctl -w): in a thread, so that a test's clients keep running
        await asyncio.to_thread(self.embedded.start)
        self.socket_dir = self.embedded.socket_dir
        self.running = True

    async def stop(self) -> None:
        self.running = False
        await asyncio.to_thread(self.embedded.stop)

    async def restart(self, down_seconds: float = 0.0) -> None:
        await self.stop()
        await asyncio.sleep(down_seconds)
        await self.start()

    async def execute(self, sql: str, database: str = "postgres") -> None:
        conn = await asyncpg.connect(self.dsn(database))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def own_postgres(*, running: bool = True) -> AsyncIterator[OwnPostgres]:
    """A fresh cluster (initdb), left running or stopped as asked; stopped and deleted afterwards."""
    cluster = OwnPostgres(Path(tempfile.mkdtemp(prefix="leadgen-own-")))
    try:
        await cluster.start()
        for name, value in FAST_UNSAFE_SETTINGS.items():
            await cluster.execute(f"alter system set {name} = '{value}'")
        await cluster.restart()  # the settings above take effect
        if not running:
            await cluster.stop()
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            await cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)
