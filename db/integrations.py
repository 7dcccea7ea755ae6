"""SQL of integration credentials: written by the caller under RLS, read back only by the server's login role.

API roles may write `lead_integrations.credentials` but never select it. The server reads an envelope through
`leadgen.integration_credentials`, which only the API login role may execute and which answers only for an
integration the caller (the transaction's JWT claims) manages: for that one statement the transaction
switches back to the login role, then to the caller's role again.
"""

from __future__ import annotations

import uuid
from typing import Any

from db.catalog import table
from db.session import RequestSession
from db.sql_builder import columns_sql

_COLUMNS = columns_sql(table("lead_integrations"), "t")

# $1 the integration, $2 the envelope (or null), $3 the masked hint (or null); the row as the API shows it
SET_CREDENTIALS = (
    "update public.lead_integrations as t set credentials = $2::jsonb, credentials_hint = $3::text"
    f" where t.id = $1::uuid returning {_COLUMNS}"
)

AS_LOGIN_ROLE = "select set_config('role', session_user, true)"
AS_CALLER_ROLE = "select set_config('role', $1::text, true)"
ENVELOPE = "select leadgen.integration_credentials($1::uuid)"


async def as_login_role(session: RequestSession, statement: str, *args: Any) -> Any:
    """One value read by the session's login role (for a function only it may execute, which still sees the
    caller's claims), then back to the caller's role."""
    await session.execute(AS_LOGIN_ROLE)
    value = await session.fetchval(statement, *args)
    await session.execute(AS_CALLER_ROLE, session.caller.role)
    return value


async def read_envelope(session: RequestSession, integration_id: uuid.UUID) -> Any:
    """The stored envelope (None without credentials); 42501 unless the caller manages the integration."""
    return await as_login_role(session, ENVELOPE, integration_id)
