"""Mutations of lead sources."""

from __future__ import annotations

import strawberry

from gql.inputs.lead_source import CreateLeadSourceInput, LeadSourcePatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.lead_source import LeadSource


@strawberry.type
class LeadSourceMutations:
    @strawberry.mutation(description="Create a lead source (space owners and admins, or personal).")
    async def create_lead_source(self, info: Info, input: CreateLeadSourceInput) -> LeadSource:
        return await create_entity(info, LeadSource, input)

    @strawberry.mutation(description="Change a lead source; fields left out stay as they are.")
    async def update_lead_source(self, info: Info, id: strawberry.ID, patch: LeadSourcePatch) -> LeadSource:
        return await update_entity(info, LeadSource, id, patch)

    @strawberry.mutation(description="Delete a lead source (its leads keep existing).")
    async def delete_lead_source(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, LeadSource, id)
