"""Mutations of space memberships. Members join by accepting an invitation (gql/mutations/space_invitation.py)."""

from __future__ import annotations

import strawberry

from gql.inputs.space_member import SpaceMemberPatch
from gql.mutations.base import DeletePayload, delete_entity, update_entity
from gql.types.base import Info
from gql.types.space_member import SpaceMember


@strawberry.type
class SpaceMemberMutations:
    @strawberry.mutation(description="Change a member's role; a space always keeps at least one owner.")
    async def update_space_member(self, info: Info, id: strawberry.ID, patch: SpaceMemberPatch) -> SpaceMember:
        return await update_entity(info, SpaceMember, id, patch)

    @strawberry.mutation(description="Remove a member from a space (or leave it); the last owner cannot be removed.")
    async def remove_space_member(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, SpaceMember, id)
