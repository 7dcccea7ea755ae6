"""Move leads along the pipeline and reorder boards, as the caller (RLS decides who may)."""

from __future__ import annotations

import uuid

import asyncpg

from db import pipeline
from domain.errors import AppError, bad_input, not_found
from resolvers.context import Context
from resolvers.reads import row_by_id


async def move_lead(ctx: Context, lead_id: uuid.UUID, stage_id: uuid.UUID) -> asyncpg.Record:
    """Put the lead in the stage, logging a `stage_changed` activity (none when it is there already)."""
    try:
        result = await ctx.session.fetchrow(pipeline.MOVE_LEAD, lead_id, stage_id)
    except asyncpg.ForeignKeyViolationError as exc:  # the scope trigger: the stage moved away meanwhile
        raise bad_input("stageId", "stageId: not a stage of the lead's board") from exc
    assert result is not None
    if not result["lead_visible"]:
        raise not_found("Lead")
    if not result["stage_in_scope"]:
        raise bad_input("stageId", "stageId: not a stage of the lead's board (its space's, or its owner's own)")
    if not result["unchanged"] and result["moved"] == 0:
        raise AppError("FORBIDDEN", "not allowed to move this lead")
    ctx.loaders.forget("leads", str(lead_id))
    lead = await row_by_id(ctx, "leads", lead_id)
    if lead is None:
        raise not_found("Lead")
    return lead


async def reorder_stages(ctx: Context, space_id: uuid.UUID | None, stage_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """Give the board's stages the positions 0..n-1 in the order of `stage_ids` (all of them, once each)."""
    result = await ctx.session.fetchrow(pipeline.REORDER_STAGES, space_id, stage_ids)
    assert result is not None
    if not result["space_visible"]:
        raise not_found("Space")
    if not result["complete"]:
        raise bad_input(
            "stageIds", f"stageIds: list each of the board's {result['stages']} stages exactly once, in the new order"
        )
    if result["moved"] < result["needed"]:
        raise AppError("FORBIDDEN", "not allowed to reorder this board (owners and admins of the space)")
    rows = await ctx.session.fetch(pipeline.BOARD_STAGES, space_id)
    for row in rows:
        ctx.loaders.forget("lead_stages", str(row["id"]))
    return rows
