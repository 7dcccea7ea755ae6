"""Change campaigns (the database judges status transitions) and put leads in them, as the caller."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from db import associations
from domain.errors import AppError, bad_input, not_found
from resolvers.context import Context
from resolvers.reads import row_by_id
from resolvers.writes import update_row

# raised by the trigger lead_campaigns_check_status_transition (SQLSTATE 23514)
STATUS_TRANSITION_CHECK = "lead_campaigns_status_transition_check"


async def update_campaign(ctx: Context, row_id: uuid.UUID, values: Mapping[str, Any], path: str) -> asyncpg.Record:
    """Apply a patch; a status change the transition table does not allow is bad input on `<path>.status`."""
    try:
        return await update_row(ctx, "lead_campaigns", row_id, values, "Campaign")
    except asyncpg.CheckViolationError as exc:
        if exc.constraint_name != STATUS_TRANSITION_CHECK:
            raise
        field = f"{path}.status"
        raise bad_input(field, f"{field}: {exc.message} ({exc.detail})") from None


def _scope(row: asyncpg.Record) -> tuple[str, uuid.UUID]:
    """A space, or a user's personal rows (the database's private.same_scope)."""
    return ("space", row["space_id"]) if row["space_id"] else ("user", row["user_id"])


async def _reload_lead(ctx: Context, lead_id: uuid.UUID) -> asyncpg.Record:
    ctx.loaders.forget("leads", str(lead_id))
    lead = await row_by_id(ctx, "leads", lead_id)
    if lead is None:
        raise not_found("Lead")
    return lead


async def add_lead_to_campaign(ctx: Context, lead_id: uuid.UUID, campaign_id: uuid.UUID) -> asyncpg.Record:
    """Associate the two (a pair that exists already stays as it is); returns the lead."""
    lead = await row_by_id(ctx, "leads", lead_id)
    if lead is None:
        raise not_found("Lead")
    campaign = await row_by_id(ctx, "lead_campaigns", campaign_id)
    if campaign is None:
        raise not_found("Campaign")
    if _scope(lead) != _scope(campaign):
        raise bad_input("campaign", "campaign: not in the lead's scope (the same space, or both personal)")
    await ctx.session.execute(associations.ADD_LEAD_TO_CAMPAIGN, lead_id, campaign_id)
    return await _reload_lead(ctx, lead_id)


async def remove_lead_from_campaign(ctx: Context, lead_id: uuid.UUID, campaign_id: uuid.UUID) -> asyncpg.Record:
    """Take the lead out of the campaign; NOT_FOUND when it is not in it (or not visible)."""
    removed = await ctx.session.fetchval(associations.REMOVE_LEAD_FROM_CAMPAIGN, lead_id, campaign_id)
    if removed is None:
        if await ctx.session.fetchval(associations.ASSOCIATION_VISIBLE, lead_id, campaign_id):
            raise AppError("FORBIDDEN", "not allowed to remove this lead from the campaign")
        raise AppError("NOT_FOUND", "the lead is not in this campaign, or not visible")
    return await _reload_lead(ctx, lead_id)
