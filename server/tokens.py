"""`leadgen token`: an access token for a user, minted locally or from a real Supabase project."""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from typing import Any

import asyncpg

from server.database_target import open_target
from server.dev_keys import DEV_ISSUER, DevSigningKey
from server.settings import Settings

FIND_USER = """
select id::text, email, coalesce(raw_app_meta_data, '{}'::jsonb)::text as app,
       coalesce(raw_user_meta_data, '{}'::jsonb)::text as meta
from auth.users where lower(email) = lower($1) and deleted_at is null
"""


async def dev_token(settings: Settings, admin_dsn: str, email: str, expires_in: int) -> str:
    """A token signed with the development key for a user of the database (seeded or created)."""
    import json

    conn = await asyncpg.connect(admin_dsn)
    try:
        row = await conn.fetchrow(FIND_USER, email)
    finally:
        await conn.close()
    if row is None:
        raise ValueError(f"no user with email {email} in auth.users (try `leadgen db seed` for the demo users)")
    key = DevSigningKey.load_or_create(settings.data_dir)
    app_metadata: dict[str, Any] = json.loads(row["app"])
    user_metadata: dict[str, Any] = json.loads(row["meta"])
    return key.mint(
        row["id"],
        email=row["email"],
        app_metadata=app_metadata,
        user_metadata=user_metadata,
        issuer=os.environ.get("LEADGEN_JWT_ISSUER") or DEV_ISSUER,
        expires_in=expires_in,
    )


def supabase_token(email: str, password: str | None, otp: bool) -> str:
    """Sign in to the Supabase project of SUPABASE_URL with supabase-py and return the session's token."""
    from supabase import create_client

    url = os.environ["SUPABASE_URL"]
    key = os.environ.get("SUPABASE_ANON_KEY") or os.environ.get("SUPABASE_PUBLISHABLE_KEY")
    if not key:
        raise ValueError("set SUPABASE_ANON_KEY (or SUPABASE_PUBLISHABLE_KEY) to sign in to the Supabase project")
    client = create_client(url, key)
    if otp:
        client.auth.sign_in_with_otp({"email": email, "options": {"should_create_user": False}})
        code = input(f"Enter the code sent to {email}: ").strip()
        response = client.auth.verify_otp({"email": email, "token": code, "type": "email"})
    else:
        secret = password if password is not None else getpass.getpass(f"Password for {email}: ")
        response = client.auth.sign_in_with_password({"email": email, "password": secret})
    if response.session is None:
        raise ValueError("sign-in returned no session")
    return str(response.session.access_token)


async def print_token(settings: Settings, email: str, expires_in: int, password: str | None, otp: bool) -> int:
    if os.environ.get("SUPABASE_URL"):
        token = await asyncio.to_thread(supabase_token, email, password, otp)
    else:
        target = await open_target(settings)
        try:
            token = await dev_token(settings, target.admin_dsn, email, expires_in)
        finally:
            target.close()
    print(token)
    print(f"(for {email}; send it as 'Authorization: Bearer <token>')", file=sys.stderr)
    return 0
