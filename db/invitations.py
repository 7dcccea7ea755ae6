"""SQL of invitations to spaces (migration 20261206120100_space_invitations.sql), run as the caller under RLS.

Writes go through the leadgen functions, which raise on purpose: 42501 not allowed, P0002 not found, LG409 not
possible in the invitation's state, LG422 bad input (JSON DETAIL [{field, message}]), LG429 too many."""

from __future__ import annotations

from db.catalog import table
from db.sql_builder import columns_sql

# $1 space, $2 email, $3 role -> the invitation's id
INVITE = "select leadgen.invite_to_space($1::uuid, $2::text, $3::text)"
# $1 invitation id (or null), $2 token (or null) -> the membership's id
ACCEPT = "select leadgen.accept_invitation($1::uuid, $2::text)"
# $1 invitation id (or null), $2 token (or null) -> the invitation's id
DECLINE = "select leadgen.decline_invitation($1::uuid, $2::text)"
# $1 invitation id -> the invitation's id
REVOKE = "select leadgen.revoke_invitation($1::uuid)"

# The caller's own open invitations: addressed to the email claim of their token, pending and not expired.
MINE = f"""
select {columns_sql(table("space_invitations"), "t")} from public.space_invitations t
where t.email = lower((select auth.jwt()) ->> 'email') and t.status = 'pending' and t.expires_at > now()
order by t.created_at desc, t.id desc
"""
