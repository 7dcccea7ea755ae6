"""Mutations of the caller's own profile."""

from __future__ import annotations

import strawberry

from domain.errors import AppError
from gql.inputs.user import UserPatch
from gql.inputs.values import to_values
from gql.types.base import Info, build
from gql.types.user import User
from resolvers.writes import update_row


@strawberry.type
class UserMutations:
    @strawberry.mutation(description="Change the caller's profile; fields left out stay as they are.")
    async def update_viewer(self, info: Info, patch: UserPatch) -> User:
        user_id = info.context.caller.user_id
        if user_id is None:
            raise AppError("UNAUTHENTICATED", "sign in to change your profile")
        row = await update_row(info.context, "profiles", user_id, to_values(patch, "patch"), "User")
        return build(User, row)
