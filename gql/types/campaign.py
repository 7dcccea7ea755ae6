"""Campaign: a marketing campaign, its leads, and its results computed in SQL (db.catalog CAMPAIGN_COMPUTED)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.enums import CampaignStatus, CampaignType
from gql.inputs.filters import LeadFilter, to_filter_node
from gql.orderings import LeadOrderBy
from gql.types.base import Info, computed_value, entity, related_connection
from gql.types.owned import Owned

if TYPE_CHECKING:
    from gql.types.lead import Lead


@entity("lead_campaigns")
@strawberry.type(description="A marketing campaign.")
class Campaign(Owned):
    name: str
    description: str | None
    campaign_type: CampaignType
    status: CampaignStatus
    start_date: dt.date | None
    end_date: dt.date | None
    budget: Decimal | None
    spent: Decimal
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="Leads in the campaign.")
    async def leads(
        self,
        info: Info,
        filter: LeadFilter | None = None,
        order_by: LeadOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]]:
        from gql.types.lead import Lead

        node = to_filter_node(filter)
        return await related_connection(
            info, Lead, "lead_campaigns", "leads", self.row["id"], node, order_by, first, after
        )

    @strawberry.field(description="How many leads are in the campaign.")
    async def lead_count(self, info: Info) -> int:
        return int(await computed_value(info, "lead_campaigns", self.row["id"], "lead_count") or 0)

    @strawberry.field(description="How many of the campaign's leads converted to customers.")
    async def conversions(self, info: Info) -> int:
        return int(await computed_value(info, "lead_campaigns", self.row["id"], "conversions") or 0)

    @strawberry.field(description="conversions / leadCount, a share between 0 and 1 (4 places); null without leads.")
    async def conversion_rate(self, info: Info) -> float | None:
        value = await computed_value(info, "lead_campaigns", self.row["id"], "conversion_rate")
        return None if value is None else float(value)

    @strawberry.field(description="spent / leadCount, to the cent; null without leads.")
    async def cost_per_lead(self, info: Info) -> Decimal | None:
        value: Decimal | None = await computed_value(info, "lead_campaigns", self.row["id"], "cost_per_lead")
        return value

    @strawberry.field(description="spent / conversions, to the cent; null without conversions.")
    async def cost_per_conversion(self, info: Info) -> Decimal | None:
        value: Decimal | None = await computed_value(info, "lead_campaigns", self.row["id"], "cost_per_conversion")
        return value
