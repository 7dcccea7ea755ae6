"""Act as Supabase's API roles in SQL, with `request.jwt.claims` set exactly as PostgREST sets it."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import asyncpg

SET_CALLER = "select set_config('role', $1, true), set_config('request.jwt.claims', $2, true)"


def user_claims(user_id: uuid.UUID | str, *, email: str | None = None, platform_admin: bool = False) -> dict[str, Any]:
    """The claims of a Supabase access token for this user (PostgREST adds `role`)."""
    now = int(time.time())
    app_metadata: dict[str, Any] = {"provider": "email", "providers": ["email"]}
    if platform_admin:
        app_metadata["leadgen_role"] = "admin"
    return {
        "aud": "authenticated",
        "exp": now + 3600,
        "iat": now,
        "iss": "http://127.0.0.1:54321/auth/v1",
        "sub": str(user_id),
        "email": email or f"{user_id}@example.test",
        "phone": "",
        "app_metadata": app_metadata,
        "user_metadata": {},
        "role": "authenticated",
        "aal": "aal1",
        "amr": [{"method": "password", "timestamp": now}],
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }


ANON_CLAIMS: dict[str, Any] = {"role": "anon"}


@asynccontextmanager
async def acting_as(conn: asyncpg.Connection, claims: dict[str, Any]) -> AsyncIterator[asyncpg.Connection]:
    """A transaction on `conn` (logged in as the API role) as `claims['role']`; always rolled back."""
    role = claims.get("role", "anon")
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute(SET_CALLER, role, json.dumps(claims))
        yield conn
    finally:
        await tx.rollback()


def as_user(conn: asyncpg.Connection, user: uuid.UUID | str) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """A rolled-back transaction on `conn` as this signed-in user (`authenticated` with the user's claims)."""
    return acting_as(conn, user_claims(user))


def as_anon(conn: asyncpg.Connection) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """A rolled-back transaction on `conn` as `anon` (no token: the publishable key only)."""
    return acting_as(conn, ANON_CLAIMS)
