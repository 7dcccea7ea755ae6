"""LeadStage: a column of the pipeline board."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.types.fields import entity, related_connection
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
    leads: Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]] = related_connection(
        "leads", description="Leads in this stage."
    )
