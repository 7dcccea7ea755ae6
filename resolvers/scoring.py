"""Scoring reads: a preview of proposed rules over the caller's visible leads of a scope."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from db import scoring
from domain.errors import not_found
from resolvers.context import Context
from resolvers.reads import row_by_id


async def preview(ctx: Context, rules: list[dict[str, Any]], space_id: uuid.UUID | None) -> asyncpg.Record:
    """The score distribution now and under `rules` of the caller's visible leads of a space (None: personal)."""
    if space_id is not None and await row_by_id(ctx, "spaces", space_id) is None:
        raise not_found("space")
    row = await ctx.session.fetchrow(scoring.PREVIEW_SCORING, rules, space_id)
    assert row is not None  # the function returns one row of aggregates
    return row
