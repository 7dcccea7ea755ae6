"""Rows written straight into the database as the superuser (as Studio would), for tests of the schema."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import asyncpg


async def insert(conn: asyncpg.Connection, table: str, **values: Any) -> uuid.UUID:
    """Insert one row into public.<table> (a trusted constant) and return its id."""
    columns = ", ".join(f'"{column}"' for column in values)
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    row_id = await conn.fetchval(
        f"insert into public.{table} ({columns}) values ({params}) returning id", *values.values()
    )
    assert isinstance(row_id, uuid.UUID)
    return row_id


async def add_user(conn: asyncpg.Connection, name: str) -> uuid.UUID:
    """A new auth.users row with a unique email."""
    user_id = uuid.uuid4()
    await conn.execute(
        "insert into auth.users (id, email, aud, role) values ($1, $2, 'authenticated', 'authenticated')",
        user_id,
        f"{name}.{user_id.hex[:8]}@example.test",
    )
    return user_id


@dataclass(frozen=True)
class OwnedSpace:
    """A user and the space they created (and own)."""

    owner: uuid.UUID
    space: uuid.UUID


async def owned_space(conn: asyncpg.Connection, name: str) -> OwnedSpace:
    owner = await add_user(conn, "owner")
    return OwnedSpace(owner, await insert(conn, "spaces", name=name, created_by=owner))


@asynccontextmanager
async def rolled_back(conn: asyncpg.Connection) -> AsyncIterator[asyncpg.Connection]:
    """`conn` in a transaction that is always rolled back: what a test writes there is gone after it."""
    tx = conn.transaction()
    await tx.start()
    try:
        yield conn
    finally:
        await tx.rollback()
