"""LeadStage: a column of the pipeline board."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.inputs.filters import LeadFilter, to_filter_node
from gql.orderings import LeadOrderBy
from gql.types.base import Info, entity, related_connection
from gql.types.owned import Owned

if TYPE_CHECKING:
    from gql.types.lead import Lead


@entity("lead_stages")
@strawberry.type(description="A pipeline stage of a user's or a space's board.")
class LeadStage(Owned):
    name: str
    stage_order: int = strawberry.field(description="Position on the board, ascending.")
    color: str = strawberry.field(description="Hex colour, #RRGGBB.")
    is_default: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="Leads in this stage.")
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
            info, Lead, "lead_stages", "leads", self.row["id"], node, order_by, first, after
        )
