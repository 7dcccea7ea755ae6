"""The asyncpg pool of the API login role."""

from __future__ import annotations

import json

import asyncpg

from db.workflows import CHECK_WORKER_ROLE

# Session settings every API connection gets once, at connect: timestamps leave Postgres in UTC (so both
# read paths format them alike) and JIT stays off (it only slows down short OLTP statements).
# client_connection_check_interval (PG 14+): a backend whose client went away (an operation cancelled on its
# deadline or on a disconnect closes its connection) stops within a second, even while it waits on a lock.
# standard_conforming_strings: the BEGIN statement inlines the caller's claims as string literals (db.sql.literal
# only doubles quotes, which is safe only while backslashes are plain characters); pinned, not left to the server.
SERVER_SETTINGS = {
    "timezone": "UTC",
    "standard_conforming_strings": "on",
    "jit": "off",
    "application_name": "leadgen-graphql",
    "client_connection_check_interval": "1000",
}

CHECK_LOGIN_ROLE = """
select r.rolname, r.rolsuper, r.rolbypassrls, r.rolinherit
from pg_roles r where r.rolname = current_user
"""


class NoResetConnection(asyncpg.Connection):
    """A connection whose release skips asyncpg's reset round trip.

    The request path never sets session state: role and claims are transaction-local (`set_config(...,
    true)`), and an open transaction is still rolled back by asyncpg on release.
    """

    def get_reset_query(self) -> str:
        return ""


class UnsafeLoginRoleError(RuntimeError):
    """The request path would run as a role that bypasses Row Level Security."""


async def init_connection(conn: asyncpg.Connection) -> None:
    """JSON columns arrive as Python values (asyncpg returns them as text by default)."""
    for name in ("json", "jsonb"):
        await conn.set_type_codec(name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_api_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        connection_class=NoResetConnection,
        server_settings=SERVER_SETTINGS,
        init=init_connection,
    )
    try:
        await assert_safe_login_role(pool)
    except BaseException:
        await pool.close()
        raise
    return pool


async def assert_safe_login_role(pool: asyncpg.Pool) -> None:
    """Refuse to serve requests as a superuser, a BYPASSRLS role or a role that inherits privileges."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(CHECK_LOGIN_ROLE)
    if row is None or row["rolsuper"] or row["rolbypassrls"] or row["rolinherit"]:
        name = row["rolname"] if row else "?"
        raise UnsafeLoginRoleError(
            f"the API connection logs in as {name!r}, which is a superuser, bypasses RLS or inherits privileges; "
            "connect as the NOINHERIT role leadgen_api (see supabase/roles.sql)"
        )


WORKER_SETTINGS = {**SERVER_SETTINGS, "application_name": "leadgen-worker"}


async def create_worker_pool(dsn: str, *, min_size: int = 1, max_size: int = 4) -> asyncpg.Pool:
    """The pool of the workflow worker's login role (leadgen_worker), checked like the API's."""
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        connection_class=NoResetConnection,
        server_settings=WORKER_SETTINGS,
        init=init_connection,
    )
    try:
        await assert_safe_worker_role(pool)
    except BaseException:
        await pool.close()
        raise
    return pool


async def assert_safe_worker_role(pool: asyncpg.Pool) -> None:
    """Refuse to run workflows as a superuser, a BYPASSRLS role, a role that inherits privileges, or one that
    cannot act as users (SET ROLE authenticated) or keep the queue's books."""
    async with pool.acquire() as conn:
        row = await conn.fetchrow(CHECK_WORKER_ROLE)
    if row is None or row["rolsuper"] or row["rolbypassrls"] or row["rolinherit"] or not row["can_act_as_users"]:
        name = row["rolname"] if row else "?"
        raise UnsafeLoginRoleError(
            f"the worker connection logs in as {name!r}, which is a superuser, bypasses RLS, inherits privileges or "
            "cannot switch to authenticated; connect as the NOINHERIT role leadgen_worker (see supabase/roles.sql)"
        )
    if not row["can_keep_books"]:
        raise UnsafeLoginRoleError(
            f"the worker connection logs in as {row['rolname']!r}, which may not run the workflow queue's bookkeeping "
            "(is the database migrated? connect as leadgen_worker)"
        )
