"""Lead analytics of a scope and time range: each figure is one SQL statement, under the caller's RLS."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from db import analytics
from resolvers.context import Context


@dataclass(frozen=True)
class AnalyticsScope:
    """Which leads count: a space's (or the caller's personal ones), created in [start, end)."""

    space_id: uuid.UUID | None
    start: dt.datetime | None
    end: dt.datetime | None


async def _fetch(ctx: Context, sql: str, scope: AnalyticsScope) -> list[asyncpg.Record]:
    return await ctx.session.fetch(sql, scope.space_id, scope.start, scope.end)


async def summary(ctx: Context, scope: AnalyticsScope) -> asyncpg.Record:
    rows = await _fetch(ctx, analytics.SUMMARY, scope)
    return rows[0]


async def funnel(ctx: Context, scope: AnalyticsScope) -> list[asyncpg.Record]:
    return await _fetch(ctx, analytics.FUNNEL, scope)


async def by_source(ctx: Context, scope: AnalyticsScope) -> list[asyncpg.Record]:
    return await _fetch(ctx, analytics.BY_SOURCE, scope)


async def by_campaign(ctx: Context, scope: AnalyticsScope) -> list[asyncpg.Record]:
    return await _fetch(ctx, analytics.BY_CAMPAIGN, scope)


async def by_week(ctx: Context, scope: AnalyticsScope) -> list[asyncpg.Record]:
    return await _fetch(ctx, analytics.BY_WEEK, scope)
