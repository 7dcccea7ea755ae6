"""LeadSource: where leads come from."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.connection import Connection
from gql.enums import SourceType
from gql.types.fields import entity, related_connection
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
    leads: Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]] = related_connection(
        "leads", description="Leads from this source."
    )
