"""One GraphQL operation = one connection, one transaction, as the caller."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import asyncpg

from db.failures import PoolExhausted, is_unavailable, outage_reason
from db.sql import literal

log = logging.getLogger("leadgen.session")

if TYPE_CHECKING:
    from asyncpg.pool import PoolConnectionProxy

ApiRole = Literal["anon", "authenticated"]
DISCARD_SECONDS = 2.0  # to cancel a discarded connection's running statement and close it, before cutting it
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


class CommitFailed(Exception):
    """COMMIT of a read-write transaction failed: a deferred check refused it, or the connection was lost (outcome
    unknown). `__cause__` is what Postgres or the driver raised."""


class TransactionAborted(RuntimeError):
    """A statement was refused because an earlier one failed in this (read-write) transaction."""


class RequestSession:
    """Serialised access to one pooled connection inside one transaction as the caller.

    The transaction starts with the first statement (so an operation that needs no data costs nothing). As a
    context manager it ends itself: COMMIT when the block succeeds (unless `rollback_only` was set, e.g. a
    mutation that returned errors), ROLLBACK when it raises, and a cancelled block closes the connection.
    asyncpg runs one statement at a time per connection; concurrent resolvers take turns through a lock.
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
        self.rollback_only = False  # end with ROLLBACK even if the block succeeds

    async def __aenter__(self) -> RequestSession:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if exc_type is None:
            await self._end()
        elif issubclass(exc_type, asyncio.CancelledError) or not issubclass(exc_type, asyncpg.PostgresError):
            await self.abandon()  # cancelled mid-statement, a lost connection, or a bug: the state is unknown
        else:
            with contextlib.suppress(Exception):  # the block's own error is the one that matters
                await self.finish(commit=False)

    async def _end(self) -> None:
        commit = not (self.rollback_only or self.failed)
        try:
            await self.finish(commit=commit)
        except Exception as exc:
            if commit and not self.readonly:
                raise CommitFailed(str(exc)) from exc
            # a read is right without its COMMIT, and a failed ROLLBACK undoes nothing; finish closed the connection.
            # A lost connection is an outage, said in one line; anything else may be a bug, logged with its traceback.
            if is_unavailable(exc):
                log.warning("could not end the transaction: %s", outage_reason(exc))
            else:
                log.warning("could not end the transaction; the connection was closed", exc_info=True)

    async def _connection(self) -> PoolConnection:
        if self._conn is None:
            # A pooled connection that the server ended while it sat idle (a restart) fails its BEGIN: nothing ran on
            # it, so the next one is tried; once the stale ones are gone the pool connects anew (or answers the outage).
            attempts = self._pool.get_max_size() + 1
            for attempt in range(1, attempts + 1):
                conn = await self._acquire()
                try:
                    begin = begin_statement(
                        self.caller, readonly=self.readonly, statement_timeout_ms=self._time_left_ms()
                    )
                    await conn.execute(begin)
                except BaseException as exc:
                    await self._discard(conn)
                    if attempt < attempts and isinstance(exc, Exception) and is_unavailable(exc):
                        continue
                    raise
                self._conn = conn
                self.statements += 1
                break
        assert self._conn is not None
        return self._conn

    async def _acquire(self) -> PoolConnection:
        try:
            return await self._pool.acquire(timeout=self.acquire_timeout)
        except TimeoutError:
            raise PoolExhausted(f"no database connection became free within {self.acquire_timeout} s") from None

    def _time_left_ms(self) -> int | None:
        """Postgres stops each statement when the operation's time is up, even if this process is busy."""
        if self.deadline is None:
            return None
        return max(1, int((self.deadline - asyncio.get_running_loop().time()) * 1000))

    async def _discard(self, conn: PoolConnection) -> None:
        """A connection in an unknown state (broken, or cancelled mid-statement) never serves another request.

        Closed, not cut: asyncpg first has Postgres cancel a statement still running (a backend waiting for a lock
        would not notice a closed socket), which cutting the connection would abort. Cut if that takes too long."""
        try:
            await conn.close(timeout=DISCARD_SECONDS)
        except Exception:
            with contextlib.suppress(Exception):
                conn.terminate()
        except BaseException:
            with contextlib.suppress(Exception):
                conn.terminate()
            raise
        finally:
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
            except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
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
            except (asyncpg.PostgresError, asyncpg.InterfaceError, asyncpg.InternalClientError, OSError):
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
