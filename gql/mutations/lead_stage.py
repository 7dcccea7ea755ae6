"""Mutations of pipeline stages."""

from __future__ import annotations

import strawberry

from gql.inputs.lead_stage import CreateLeadStageInput, LeadStagePatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.lead_stage import LeadStage


@strawberry.type
class LeadStageMutations:
    @strawberry.mutation(description="Create a pipeline stage (space owners and admins, or personal).")
    async def create_lead_stage(self, info: Info, input: CreateLeadStageInput) -> LeadStage:
        return await create_entity(info, LeadStage, input)

    @strawberry.mutation(description="Change a stage; fields left out stay as they are.")
    async def update_lead_stage(self, info: Info, id: strawberry.ID, patch: LeadStagePatch) -> LeadStage:
        return await update_entity(info, LeadStage, id, patch)

    @strawberry.mutation(description="Delete a stage (its leads keep existing, without a stage).")
    async def delete_lead_stage(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, LeadStage, id)
