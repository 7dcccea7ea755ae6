"""What the invitation tests share: committed calls as a Supabase user through the API login role, and addresses."""

from __future__ import annotations

import json
import uuid
from typing import Any

import asyncpg

from tests.support.roles import SET_CALLER


async def call_as(api: asyncpg.Connection, claims: dict[str, Any], sql: str, *args: Any) -> Any:
    """One committed transaction as the caller of `claims` on `api` (a connection of the API login role); rolled
    back when the statement fails."""
    async with api.transaction():
        await api.execute(SET_CALLER, claims.get("role", "authenticated"), json.dumps(claims))
        return await api.fetchval(sql, *args)


async def address_of(admin: asyncpg.Connection, user: uuid.UUID) -> str:
    """The email address of a user's account."""
    return str(await admin.fetchval("select email from auth.users where id = $1", user))
