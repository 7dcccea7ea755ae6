"""Campaign: a marketing campaign, its leads, and its results computed in SQL (db/catalog/campaigns.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.enums import CampaignStatus, CampaignType
from gql.types.fields import computed, entity, related_connection
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
    leads: Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]] = related_connection(
        "leads", description="Leads in the campaign."
    )
    lead_count: int = computed("lead_count", description="How many leads are in the campaign.")
    conversions: int = computed("conversions", description="How many of the campaign's leads converted to customers.")
    conversion_rate: float | None = computed(
        "conversion_rate",
        description="conversions / leadCount, a share between 0 and 1 (4 places); null without leads.",
    )
    cost_per_lead: Decimal | None = computed(
        "cost_per_lead", description="spent / leadCount, to the cent; null without leads."
    )
    cost_per_conversion: Decimal | None = computed(
        "cost_per_conversion", description="spent / conversions, to the cent; null without conversions."
    )
