"""One GraphQL operation = one connection, one transaction, as the caller."""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import asyncpg

from db.failures import PoolExhausted
from db.sql import literal

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

ApiRole = Literal["anon", "authenticated"]
PoolConnection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"


@dataclass(frozen=True)
class Caller:
    """Who is asking: the Postgres role to switch to and the verified JWT claims."""

    role: ApiRole
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def user_id(self) -> str | None:
        sub = self.claims.get("sub")
        return str(sub) if self.role == "authenticated" and sub else None


ANONYMOUS = Caller(role="anon", claims={"role": "anon"})


def begin_statement(caller: Caller, *, readonly: bool, statement_timeout_ms: int | None = None) -> str:
    """BEGIN plus role and claims (and the time left to this operation) in one simple-protocol round trip.

    Simple protocol has no bind parameters, hence the literals (db.sql.literal: the pool pins
    standard_conforming_strings on, which they rely on); the timeout is an int we computed."""
    if caller.role not in ("anon", "authenticated"):  # the role never comes from the token itself
        raise ValueError(f"not an API role: {caller.role!r}")
    mode = "READ ONLY" if readonly else "READ WRITE"
    claims = json.dumps(caller.claims, separators=(",", ":"), ensure_ascii=False)
    timeout = (
        ""
        if statement_timeout_ms is None
        else f", set_config('statement_timeout', '{int(statement_timeout_ms)}', true)"
    )
    return (
        f"BEGIN ISOLATION LEVEL READ COMMITTED {mode}; "
        f"SELECT set_config('role', {literal(caller.role)}, true), "
        f"set_config('request.jwt.claims', {literal(claims)}, true){timeout}"
    )


class TransactionAborted(RuntimeError):
    """A statement was refused because an earlier one failed in this (read-write) transaction."""


class RequestSession:
    """Serialised access to one pooled connection inside one transaction as the caller.

    The transaction starts with the first statement (so an operation that needs no data costs nothing)
    and ends with `finish`. asyncpg runs one statement at a time per connection; concurrent resolvers
    take turns through a lock.
    """

    def __init__(
        self,
        pool: asyncpg.Pool,
        caller: Caller,
        *,
        readonly: bool,
        acquire_timeout: float | None = None,
        deadline: float | None = None,
    ) -> None:
        self._pool = pool
        self.caller = caller
        self.readonly = readonly
        self.acquire_timeout = acquire_timeout  # seconds to wait for a pooled connection (None: forever)
        self.deadline = deadline  # the event loop's time by which the operation must end (None: no limit)
        self._conn: PoolConnection | None = None
        self._lock = asyncio.Lock()
        self.statements = 0  # SQL statements sent, BEGIN/COMMIT included (query-count tests read it)
        self.failed = False  # a statement failed: Postgres aborted the transaction

    async def _connection(self) -> PoolConnection:
        if self._conn is None:
            try:
                conn = await self._pool.acquire(timeout=self.acquire_timeout)
            except TimeoutError:
                raise PoolExhausted(f"no database connection became free within {self.acquire_timeout} s") from None
            try:
                begin = begin_statement(self.caller, readonly=self.readonly, statement_timeout_ms=self._time_left_ms())
                await conn.execute(begin)
            except BaseException:
                await self._discard(conn)
                raise
            self._conn = conn
            self.statements += 1
        return self._conn

    def _time_left_ms(self) -> int | None:
        """Postgres stops each statement when the operation's time is up, even if this process is busy."""
        if self.deadline is None:
            return None
        return max(1, int((self.deadline - asyncio.get_running_loop().time()) * 1000))

    async def _discard(self, conn: PoolConnection) -> None:
        """A connection in an unknown state (broken, or cancelled mid-statement) never serves another request."""
        with contextlib.suppress(Exception):
            conn.terminate()
        with contextlib.suppress(Exception):
            await self._pool.release(conn)

    async def _usable_connection(self) -> PoolConnection:
        if self.failed:
            raise TransactionAborted("not run: an earlier statement of this operation failed")
        return await self._connection()

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        async with self._lock:
            conn = await self._usable_connection()
            self.statements += 1
            try:
                return await conn.fetch(sql, *args)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                self.failed = True
                raise

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        rows = await self.fetch(sql, *args)
        return rows[0] if rows else None

    async def fetchval(self, sql: str, *args: Any) -> Any:
        row = await self.fetchrow(sql, *args)
        return None if row is None else row[0]

    async def execute(self, sql: str, *args: Any) -> str:
        async with self._lock:
            conn = await self._usable_connection()
            self.statements += 1
            try:
                return await conn.execute(sql, *args)
            except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                self.failed = True
                raise

    async def finish(self, *, commit: bool) -> None:
        """COMMIT (or ROLLBACK) and give the connection back; safe to call when nothing ran."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            async with self._lock:
                self.statements += 1
                await conn.execute("COMMIT" if commit and not self.failed else "ROLLBACK")
        except BaseException:
            await self._discard(conn)
            raise
        await self._pool.release(conn)

    async def abandon(self) -> None:
        """End after a cancellation: the connection may still be running a statement, so it is closed, not reused.

        Closing the socket rolls the transaction back; Postgres stops the statement at once (asyncpg sent a
        cancel request when the statement's task was cancelled) or at its next check of the client."""
        conn, self._conn = self._conn, None
        if conn is not None:
            await self._discard(conn)
