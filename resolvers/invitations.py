"""Invitations to spaces: invite, accept, decline, revoke (the leadgen functions decide), and the caller's own list."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from db import invitations as sql
from domain.database_errors import Wording, function_error
from domain.errors import bad_input, not_found
from resolvers.context import Context
from resolvers.reads import row_by_id

INVITATIONS = "space_invitations"
MAX_TOKEN_CHARS = 200  # tokens are 48 characters; anything much longer is not one


async def _call(ctx: Context, statement: str, noun: str, *args: Any) -> uuid.UUID:
    try:
        value = await ctx.session.fetchval(statement, *args)
    except asyncpg.PostgresError as exc:
        raise function_error(exc, Wording(noun=noun, invalid="invalid invitation")) from exc
    assert isinstance(value, uuid.UUID)
    return value


async def _invitation(ctx: Context, invitation_id: uuid.UUID) -> asyncpg.Record:
    """The invitation as the caller now sees it (after a function changed it)."""
    ctx.loaders.forget(INVITATIONS, str(invitation_id))
    row = await row_by_id(ctx, INVITATIONS, invitation_id)
    if row is None:
        raise not_found("SpaceInvitation")
    return row


def _token(token: str | None) -> str | None:
    if token is None:
        return None
    if not token.strip() or len(token) > MAX_TOKEN_CHARS:
        raise bad_input("token", "token: not an invitation token")
    return token.strip()


def _which(invitation_id: uuid.UUID | None, token: str | None) -> tuple[uuid.UUID | None, str | None]:
    checked = _token(token)
    if invitation_id is None and checked is None:
        raise bad_input("id", "id: give the invitation's id, or the token of its link")
    return invitation_id, checked


async def invite(ctx: Context, space_id: uuid.UUID, email: str, role: str) -> asyncpg.Record:
    """A pending invitation (its email is queued); the same answer whether or not the address has an account."""
    invitation_id = await _call(ctx, sql.INVITE, "Space", space_id, email, role)
    return await _invitation(ctx, invitation_id)


async def accept(ctx: Context, invitation_id: uuid.UUID | None, token: str | None) -> asyncpg.Record:
    """The caller's new membership (or the one they had)."""
    membership_id = await _call(ctx, sql.ACCEPT, "SpaceInvitation", *_which(invitation_id, token))
    row = await row_by_id(ctx, "space_members", membership_id)
    assert row is not None  # the caller is a member of the space now, so they see their membership
    return row


async def decline(ctx: Context, invitation_id: uuid.UUID | None, token: str | None) -> asyncpg.Record:
    declined = await _call(ctx, sql.DECLINE, "SpaceInvitation", *_which(invitation_id, token))
    return await _invitation(ctx, declined)


async def revoke(ctx: Context, invitation_id: uuid.UUID) -> asyncpg.Record:
    revoked = await _call(ctx, sql.REVOKE, "SpaceInvitation", invitation_id)
    return await _invitation(ctx, revoked)


async def mine(ctx: Context) -> list[asyncpg.Record]:
    """The caller's open invitations (addressed to their token's email, pending, not expired), newest first."""
    return list(await ctx.session.fetch(sql.MINE))
