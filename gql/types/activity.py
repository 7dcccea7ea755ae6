"""Activity: one interaction with a lead."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.enums import ActivityType
from gql.types.fields import entity, relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.lead import Lead
    from gql.types.user import User


@entity("lead_activities")
@strawberry.type(description="An entry of a lead's activity log.")
class Activity(Node):
    activity_type: ActivityType
    description: str | None
    activity_data: JSON
    created_at: dt.datetime
    updated_at: dt.datetime
    lead: Annotated[Lead, strawberry.lazy("gql.types.lead")] | None = relation("lead")
    user: Annotated[User, strawberry.lazy("gql.types.user")] | None = relation(
        "user", description="Who performed it; null for visitors and automation."
    )
