"""LeadSource: where leads come from."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.enums import SourceType
from gql.inputs.filters import LeadFilter, to_filter_node
from gql.orderings import LeadOrderBy
from gql.types.base import Info, entity, related_connection
from gql.types.owned import Owned

if TYPE_CHECKING:
    from gql.types.lead import Lead


@entity("lead_sources")
@strawberry.type(description="A source of leads, identified by its UTM parameters.")
class LeadSource(Owned):
    name: str
    type: SourceType
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="Leads from this source.")
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
            info, Lead, "lead_sources", "leads", self.row["id"], node, order_by, first, after
        )
