"""SQL statements per operation, counted by Postgres itself, for any server: the statement log.

pg_stat_statements needs `shared_preload_libraries` and so a restart of the cluster; the statement log needs
neither. While a probe runs, `log_statement = 'all'` and a known `log_line_prefix` are set with ALTER SYSTEM
plus a configuration reload; afterwards the cluster's previous values are restored (ALTER SYSTEM RESET, or the
value postgresql.auto.conf held before) and reloaded again. The probe sends a few requests of one operation, one
at a time, and counts the lines Postgres logged for them: `statement:` (a simple-protocol message, however many
statements it holds, e.g. our BEGIN + set_config) and `execute` (an extended-protocol execution), by sessions of
the API login role on the bench database. Our own `x-leadgen-sql-statements` header counts the same way.

Needs the server's log file on this machine: the embedded cluster's `<pgdata>/log`, or `pg_current_logfile()`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg

PREFIX = "%m [%p] lgbench %u@%d "
SETTINGS = {"log_statement": "all", "log_line_prefix": PREFIX}
AUTO_CONF_VALUES = """
select name, setting from pg_file_settings
where sourcefile like '%postgresql.auto.conf' and name = any($1::text[]) and applied
"""
LINE = re.compile(r" lgbench (?P<user>\S+)@(?P<db>\S+) LOG:  (?:statement|execute [^:]*): ")
RELOAD_PAUSE = 0.5


async def log_file(conn: asyncpg.Connection, embedded_pgdata: Path | None) -> Path | None:
    """The server's log file, when this process can read it."""
    candidates: list[Path] = []
    if embedded_pgdata is not None:
        candidates.append(embedded_pgdata / "log")
    current = await conn.fetchval("select pg_current_logfile()")
    if current:
        base = Path(str(await conn.fetchval("show data_directory")))
        candidates.append(base / str(current))
    for path in candidates:
        if path.is_file():
            return path
    return None


class StatementLog:
    """`async with StatementLog(admin_dsn, log_path, user, database) as log: n = await log.count(send, 3)`."""

    def __init__(self, admin_dsn: str, path: Path, user: str, database: str) -> None:
        self.admin_dsn = admin_dsn
        self.path = path
        self.user = user
        self.database = database
        self._conn: asyncpg.Connection | None = None
        self._previous: dict[str, str] = {}

    async def __aenter__(self) -> StatementLog:
        self._conn = await asyncpg.connect(self.admin_dsn)
        try:
            await self._conn.execute("set log_statement = 'none'")  # not this session's own statements
            rows = await self._conn.fetch(AUTO_CONF_VALUES, list(SETTINGS))
            self._previous = {r["name"]: r["setting"] for r in rows}
            for name, value in SETTINGS.items():
                await self._conn.execute(f"alter system set {name} = '{value}'")
            await self._reload()
        except BaseException:
            await self._restore()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._restore()

    async def _reload(self) -> None:
        assert self._conn is not None
        await self._conn.execute("select pg_reload_conf()")
        await asyncio.sleep(RELOAD_PAUSE)  # every backend rereads the file before its next command

    async def _restore(self) -> None:
        if self._conn is None:
            return
        try:
            for name in SETTINGS:
                previous = self._previous.get(name)
                if previous is None:
                    await self._conn.execute(f"alter system reset {name}")
                else:
                    await self._conn.execute(f"alter system set {name} = '{previous.replace(chr(39), chr(39) * 2)}'")
            await self._reload()
        finally:
            await self._conn.close()
            self._conn = None

    async def count(self, send: Callable[[], Awaitable[object]], repeats: int = 3) -> float:
        """Statements per call of `send` (run `repeats` times, one after another)."""
        start = self.path.stat().st_size
        for _ in range(repeats):
            await send()
        await asyncio.sleep(0.2)  # let the logger write the last lines
        with self.path.open("rb") as handle:
            handle.seek(start)
            text = handle.read().decode(errors="replace")
        lines = 0
        for match in LINE.finditer(text):
            if match["user"] == self.user and match["db"] == self.database:
                lines += 1
        return lines / repeats
