"""Campaign: a marketing campaign and its leads."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.enums import CampaignStatus, CampaignType
from gql.inputs.filters import LeadFilter, to_filter_node
from gql.orderings import LeadOrderBy
from gql.types.base import Info, entity, related_connection
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
