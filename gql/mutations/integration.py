"""Mutations of integrations."""

from __future__ import annotations

import strawberry

from gql.inputs.integration import CreateIntegrationInput, IntegrationPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.integration import Integration


@strawberry.type
class IntegrationMutations:
    @strawberry.mutation(
        description="Create an integration without credentials (space owners and admins, or personal)."
    )
    async def create_integration(self, info: Info, input: CreateIntegrationInput) -> Integration:
        return await create_entity(info, Integration, input)

    @strawberry.mutation(description="Change an integration; fields left out stay as they are.")
    async def update_integration(self, info: Info, id: strawberry.ID, patch: IntegrationPatch) -> Integration:
        return await update_entity(info, Integration, id, patch)

    @strawberry.mutation(description="Delete an integration.")
    async def delete_integration(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Integration, id)
