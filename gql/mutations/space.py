"""Mutations of spaces."""

from __future__ import annotations

import strawberry

from gql.inputs.space import CreateSpaceInput, SpacePatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.space import Space


@strawberry.type
class SpaceMutations:
    @strawberry.mutation(description="Create a space; the caller becomes its owner.")
    async def create_space(self, info: Info, input: CreateSpaceInput) -> Space:
        return await create_entity(info, Space, input)

    @strawberry.mutation(description="Rename a space (its owners and admins).")
    async def update_space(self, info: Info, id: strawberry.ID, patch: SpacePatch) -> Space:
        return await update_entity(info, Space, id, patch)

    @strawberry.mutation(description="Delete a space and everything shared in it (its owners).")
    async def delete_space(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Space, id)
