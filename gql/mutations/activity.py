"""Mutations of activities."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.enums import ActivityType
from gql.inputs.activity import ActivityPatch, CreateActivityInput, LogActivityInput
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.activity import Activity
from gql.types.base import Info, build
from resolvers.conversion import log_activity

# Recorded by the system when what they describe happens (moveLead, convertLead, scoring, forms, workflows ...).
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


@strawberry.type
class ActivityMutations:
    @strawberry.mutation(description="Log an activity on a lead the caller may write, as the caller.")
    async def create_activity(self, info: Info, input: CreateActivityInput) -> Activity:
        return await create_entity(info, Activity, input)

    @strawberry.mutation(description="Change an activity (its author, or an owner or admin of the lead's space).")
    async def update_activity(self, info: Info, id: strawberry.ID, patch: ActivityPatch) -> Activity:
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
        if input.activity_type in SYSTEM_ACTIVITIES:
            raise bad_input(
                "input.activityType", f"input.activityType: {input.activity_type.name} is recorded by the system"
            )
        return build(Activity, await log_activity(info.context, to_values(input)))
