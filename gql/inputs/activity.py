"""Inputs that log activities on leads and edit them (an activity never moves to another lead)."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.enums import ActivityType
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new entry of a lead's activity log, by the caller.")
class CreateActivityInput:
    lead: strawberry.ID
    activity_type: ActivityType
    description: str | None = UNSET
    activity_data: JSON | None = UNSET


@strawberry.input(description="An interaction with a lead, logged by the caller.")
class LogActivityInput:
    lead: strawberry.ID
    activity_type: ActivityType = strawberry.field(
        description="What happened: CALL_MADE, EMAIL_SENT, MEETING, NOTE ..."
    )
    description: str | None = UNSET
    activity_data: JSON | None = strawberry.field(default=UNSET, description="Details (a JSON object).")


@strawberry.input(description="Changes to an activity: fields left out stay as they are; null clears a field.")
class ActivityPatch:
    activity_type: ActivityType | None = UNSET
    description: str | None = UNSET
    activity_data: JSON | None = UNSET


ACTIVITY_COLUMNS = {
    "activity_type": Column("activity_type", required=True),
    "description": Column("description", validate=partial(v.text, max_length=10000)),
    "activity_data": Column("activity_data", validate=v.json_object, required=True),
}
columns_of(CreateActivityInput, {"lead": Column("lead_id", "Lead", required=True), **ACTIVITY_COLUMNS})
columns_of(LogActivityInput, {"lead": Column("lead_id", "Lead", required=True), **ACTIVITY_COLUMNS})
columns_of(ActivityPatch, ACTIVITY_COLUMNS)
