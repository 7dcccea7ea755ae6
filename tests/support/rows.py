"""Rows written straight into the database as the superuser (as Studio would), for tests of the schema."""

from __future__ import annotations

import uuid
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
