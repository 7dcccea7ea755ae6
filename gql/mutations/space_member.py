"""Mutations of space memberships."""

from __future__ import annotations

import strawberry

from gql.inputs.space_member import AddSpaceMemberInput, SpaceMemberPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.space_member import SpaceMember


@strawberry.type
class SpaceMemberMutations:
    @strawberry.mutation(description="Add a user to a space (owners add any role; admins add members and viewers).")
    async def add_space_member(self, info: Info, input: AddSpaceMemberInput) -> SpaceMember:
        return await create_entity(info, SpaceMember, input)

    @strawberry.mutation(description="Change a member's role; a space always keeps at least one owner.")
    async def update_space_member(self, info: Info, id: strawberry.ID, patch: SpaceMemberPatch) -> SpaceMember:
        return await update_entity(info, SpaceMember, id, patch)

    @strawberry.mutation(description="Remove a member from a space (or leave it); the last owner cannot be removed.")
    async def remove_space_member(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, SpaceMember, id)
