"""One GraphQL operation = one connection, one transaction, as the caller."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

import asyncpg

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


def _literal(text: str) -> str:
    """A SQL string literal. Safe with standard_conforming_strings (on by default since PG 9.1)."""
    if "\x00" in text:
        raise ValueError("NUL in a SQL literal")
    return "'" + text.replace("'", "''") + "'"


def begin_statement(caller: Caller, *, readonly: bool) -> str:
    """BEGIN plus role and claims in one simple-protocol round trip (no bind parameters there)."""
    if caller.role not in ("anon", "authenticated"):  # the role never comes from the token itself
        raise ValueError(f"not an API role: {caller.role!r}")
    mode = "READ ONLY" if readonly else "READ WRITE"
    claims = json.dumps(caller.claims, separators=(",", ":"), ensure_ascii=False)
    return (
        f"BEGIN ISOLATION LEVEL READ COMMITTED {mode}; "
        f"SELECT set_config('role', {_literal(caller.role)}, true), "
        f"set_config('request.jwt.claims', {_literal(claims)}, true)"
    )


class TransactionAborted(RuntimeError):
    """A statement was refused because an earlier one failed in this (read-write) transaction."""


class RequestSession:
    """Serialised access to one pooled connection inside one transaction as the caller.

    The transaction starts with the first statement (so an operation that needs no data costs nothing)
    and ends with `finish`. asyncpg runs one statement at a time per connection; concurrent resolvers
    take turns through a lock.
    """

    def __init__(self, pool: asyncpg.Pool, caller: Caller, *, readonly: bool) -> None:
        self._pool = pool
        self.caller = caller
        self.readonly = readonly
        self._conn: PoolConnection | None = None
        self._lock = asyncio.Lock()
        self.statements = 0  # SQL statements sent, BEGIN/COMMIT included (query-count tests read it)
        self.failed = False  # a statement failed: Postgres aborted the transaction

    async def _connection(self) -> PoolConnection:
        if self._conn is None:
            conn = await self._pool.acquire()
            try:
                await conn.execute(begin_statement(self.caller, readonly=self.readonly))
            except BaseException:
                await self._pool.release(conn)
                raise
            self._conn = conn
            self.statements += 1
        return self._conn

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
            except asyncpg.PostgresError:
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
            except asyncpg.PostgresError:
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
            # A connection in an unknown state must not go back to the pool.
            conn.terminate()
            await self._pool.release(conn)
            raise
        await self._pool.release(conn)
