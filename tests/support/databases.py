"""A Postgres cluster for the tests and fresh databases cloned from one migrated template."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from db.migrations import migrate
from server.embedded import EmbeddedPostgres

# Settings that make a throw-away test cluster fast; never used for real data.
FAST_UNSAFE_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def with_user(dsn: str, user: str) -> str:
    parts = urlsplit(dsn)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, parts.fragment))


@dataclass
class PgCluster:
    """Admin access to a cluster (embedded, or TEST_DATABASE_URL) and a migrated template database."""

    admin_dsn: str  # a superuser-ish connection to the cluster's maintenance database
    embedded: EmbeddedPostgres | None = None
    template: str = ""
    _counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    async def start(cls) -> PgCluster:
        url = os.environ.get("TEST_DATABASE_URL")
        if url:
            return cls(admin_dsn=url)
        data_dir = Path(tempfile.mkdtemp(prefix="leadgen-test-"))
        embedded = EmbeddedPostgres(data_dir, delete_on_exit=True)
        embedded.start()
        cluster = cls(admin_dsn=embedded.dsn(database="postgres"), embedded=embedded)
        conn = await asyncpg.connect(cluster.admin_dsn)
        try:
            for name, value in FAST_UNSAFE_SETTINGS.items():
                await conn.execute(f"alter system set {name} = '{value}'")
            await conn.execute("select pg_reload_conf()")
        finally:
            await conn.close()
        return cluster

    def dsn(self, database: str, user: str | None = None) -> str:
        dsn = with_database(self.admin_dsn, database)
        return with_user(dsn, user) if user else dsn

    async def create_template(self) -> str:
        self.template = f"leadgen_template_{os.getpid()}"
        await self._drop(self.template)
        await self._admin(f'create database "{self.template}"')
        conn = await asyncpg.connect(self.dsn(self.template))
        try:
            await migrate(conn)
        finally:
            await conn.close()
        return self.template

    async def clone(self, prefix: str = "t") -> str:
        """A new database holding the migrated schema (and nothing else)."""
        name = f"leadgen_{prefix}_{os.getpid()}_{next(self._counter)}"
        await self._drop(name)
        await self._admin(f'create database "{name}" template "{self.template}"')
        return name

    async def clone_from(self, template: str, prefix: str = "t") -> str:
        """A new database copied from another test database (no one may be connected to it)."""
        name = f"leadgen_{prefix}_{os.getpid()}_{next(self._counter)}"
        await self._drop(name)
        await self._admin(f'create database "{name}" template "{template}"')
        return name

    async def drop(self, name: str) -> None:
        await self._drop(name)

    async def stop(self) -> None:
        """Drop the template; stop an embedded cluster and delete its temporary folder (`leadgen-test-*`)."""
        try:
            if self.template:
                await self._drop(self.template)
        finally:
            if self.embedded is not None:
                self.embedded.stop()
                shutil.rmtree(self.embedded.data_dir, ignore_errors=True)

    async def _drop(self, name: str) -> None:
        await self._admin(f'drop database if exists "{name}" with (force)')

    async def _admin(self, sql: str) -> None:
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()
