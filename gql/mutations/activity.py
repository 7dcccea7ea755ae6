"""Mutations of activities."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.enums import ActivityType
from gql.inputs.activity import ActivityPatch, CreateActivityInput, LogActivityInput
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, delete_entity, update_entity
from gql.types.activity import Activity
from gql.types.base import Info, build
from resolvers.conversion import log_activity

# Recorded by the system when what they describe happens (moveLead, convertLead, scoring, forms, workflows ...);
# the database refuses them to the API roles too (private.check_activity_type has the same list).
SYSTEM_ACTIVITIES = frozenset(
    {
        ActivityType.STAGE_CHANGED,
        ActivityType.STATUS_CHANGED,
        ActivityType.SCORE_CHANGED,
        ActivityType.ASSIGNED,
        ActivityType.CONVERTED,
        ActivityType.CAMPAIGN_JOINED,
        ActivityType.CAMPAIGN_LEFT,
        ActivityType.WORKFLOW,
        ActivityType.FORM_SUBMITTED,
    }
)


def _refuse_system_type(activity_type: ActivityType | None, field: str) -> None:
    """The types the system records are refused to everyone who logs by hand (the database refuses them too)."""
    if activity_type in SYSTEM_ACTIVITIES:
        assert activity_type is not None
        raise bad_input(field, f"{field}: {activity_type.name} is recorded by the system")


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(
        description="Log an activity on a lead the caller may write, as the caller (types the system records "
        "itself are refused, as by logActivity)."
    )
    async def create_activity(self, info: Info, input: CreateActivityInput) -> Activity:
        _refuse_system_type(input.activity_type, "input.activityType")
        # the way logActivity goes: an unknown lead and one the caller cannot see get the same NOT_FOUND
        return build(Activity, await log_activity(info.context, to_values(input)))

    @strawberry.mutation(description="Change an activity (its author, or an owner or admin of the lead's space).")
    async def update_activity(self, info: Info, id: strawberry.ID, patch: ActivityPatch) -> Activity:
        _refuse_system_type(patch.activity_type or None, "patch.activityType")
        return await update_entity(info, Activity, id, patch)

    @strawberry.mutation(description="Delete an activity (whoever may delete the lead may delete its activities).")
    async def delete_activity(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Activity, id)

    @strawberry.mutation(
        description=(
            "Log an interaction with a lead the caller may write (a call, an email, a meeting, a note ...): "
            "updates the lead's lastActivityAt, and its score when scoring rules count activities. Types the "
            "system records itself (stage changes, conversions, form submissions ...) are refused."
        )
    )
    async def log_activity(self, info: Info, input: LogActivityInput) -> Activity:
        _refuse_system_type(input.activity_type, "input.activityType")
        return build(Activity, await log_activity(info.context, to_values(input)))
