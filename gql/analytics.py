"""Lead analytics: the funnel of a board, leads and conversions by source, campaign and week, the average score.

Every figure is computed in SQL (db/analytics.py) under the caller's RLS, one statement per field of
LeadAnalytics (leadCount, conversionCount, conversionRate and averageScore share one).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Annotated

import asyncpg
import strawberry

from domain.errors import bad_input
from gql.ids import decode_id
from gql.types.base import Info, build
from gql.types.campaign import Campaign
from gql.types.lead_source import LeadSource
from gql.types.lead_stage import LeadStage
from resolvers import analytics
from resolvers.analytics import AnalyticsScope


@strawberry.type(description="One stage of the funnel, in board order.")
class FunnelStage:
    stage: LeadStage
    lead_count: int = strawberry.field(description="Leads now in this stage.")
    reached: int = strawberry.field(
        description="Leads now in this stage or a later one of the board: those that got at least this far."
    )
    conversion_to_next: float | None = strawberry.field(
        description="reached of the next stage / reached of this one; null for the last stage or when none reached it."
    )


@strawberry.type(description="Leads and conversions of one lead source (source null: leads without a source).")
class SourceStats:
    source: LeadSource | None
    lead_count: int
    conversion_count: int = strawberry.field(description="Leads converted to customers.")
    conversion_rate: float | None = strawberry.field(description="conversionCount / leadCount; null without leads.")


@strawberry.type(description="Leads and conversions of one campaign (its leads created in the range).")
class CampaignStats:
    campaign: Campaign
    lead_count: int
    conversion_count: int = strawberry.field(description="Leads converted to customers.")
    conversion_rate: float | None = strawberry.field(description="conversionCount / leadCount; null without leads.")


@strawberry.type(description="Leads created in one week (Monday 00:00 UTC to the next), and how many converted.")
class WeekStats:
    week_start: dt.date
    lead_count: int
    conversion_count: int


def _rate(value: float | None) -> float | None:
    return None if value is None else float(value)


@strawberry.type(
    description=(
        "Analytics of the leads of a space (or the caller's personal leads) created in a time range, as the caller "
        "can see them: RLS applies, so a caller who cannot see the space's leads gets zeros."
    )
)
class LeadAnalytics:
    scope: strawberry.Private[AnalyticsScope]
    _summary: strawberry.Private[asyncio.Task[asyncpg.Record] | None] = None

    async def _totals(self, info: Info) -> asyncpg.Record:
        if self._summary is None:  # one statement for the four totals, whichever of them are asked
            self._summary = asyncio.ensure_future(analytics.summary(info.context, self.scope))
        return await self._summary

    @strawberry.field(description="Leads created in the range.")
    async def lead_count(self, info: Info) -> int:
        return int((await self._totals(info))["lead_count"])

    @strawberry.field(description="Of those, leads converted to customers.")
    async def conversion_count(self, info: Info) -> int:
        return int((await self._totals(info))["conversion_count"])

    @strawberry.field(description="conversionCount / leadCount; null without leads.")
    async def conversion_rate(self, info: Info) -> float | None:
        return _rate((await self._totals(info))["conversion_rate"])

    @strawberry.field(description="The average lead score (0..100); null without leads.")
    async def average_score(self, info: Info) -> float | None:
        return _rate((await self._totals(info))["average_score"])

    @strawberry.field(
        description=(
            "The board's stages in order with their leads. A lead counts as having reached its stage and every "
            "stage before it, so put closing stages such as Lost last; leads without a stage are not counted."
        )
    )
    async def funnel(self, info: Info) -> list[FunnelStage]:
        return [
            FunnelStage(
                stage=build(LeadStage, row),
                lead_count=row["lead_count"],
                reached=row["reached"],
                conversion_to_next=_rate(row["conversion_to_next"]),
            )
            for row in await analytics.funnel(info.context, self.scope)
        ]

    @strawberry.field(description="Per lead source of the scope (and leads without one), the most leads first.")
    async def by_source(self, info: Info) -> list[SourceStats]:
        return [
            SourceStats(
                source=build(LeadSource, row) if row["id"] is not None else None,
                lead_count=row["lead_count"],
                conversion_count=row["conversion_count"],
                conversion_rate=_rate(row["conversion_rate"]),
            )
            for row in await analytics.by_source(info.context, self.scope)
        ]

    @strawberry.field(description="Per campaign of the scope, the most leads first.")
    async def by_campaign(self, info: Info) -> list[CampaignStats]:
        return [
            CampaignStats(
                campaign=build(Campaign, row),
                lead_count=row["lead_count"],
                conversion_count=row["conversion_count"],
                conversion_rate=_rate(row["conversion_rate"]),
            )
            for row in await analytics.by_campaign(info.context, self.scope)
        ]

    @strawberry.field(
        description=(
            "Per week, oldest first, empty weeks included: from the week of `from` (else of the first lead) to the "
            "week of `to` (else of the last lead), at most 520 weeks."
        )
    )
    async def by_week(self, info: Info) -> list[WeekStats]:
        return [
            WeekStats(
                week_start=row["week_start"], lead_count=row["lead_count"], conversion_count=row["conversion_count"]
            )
            for row in await analytics.by_week(info.context, self.scope)
        ]


@strawberry.type
class AnalyticsQuery:
    @strawberry.field(
        description=(
            "Analytics of a space's leads, or of the caller's personal leads when space is left out, created at or "
            "after `from` and before `to` (both optional)."
        )
    )
    def analytics(
        self,
        space: strawberry.ID | None = None,
        from_: Annotated[dt.datetime | None, strawberry.argument(name="from")] = None,
        to: dt.datetime | None = None,
    ) -> LeadAnalytics:
        if from_ is not None and to is not None and to <= from_:
            raise bad_input("to", "to: must be after from")
        space_id = decode_id(space, "Space", "space") if space is not None else None
        return LeadAnalytics(scope=AnalyticsScope(space_id=space_id, start=from_, end=to))
