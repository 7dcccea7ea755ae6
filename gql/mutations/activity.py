"""Mutations of activities."""

from __future__ import annotations

import strawberry

from gql.inputs.activity import ActivityPatch, CreateActivityInput
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.activity import Activity
from gql.types.base import Info


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
