"""User: the public profile of a person using the app."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.types.base import Info, build
from gql.types.fields import entity, relation
from gql.types.node import Node
from resolvers import invitations

if TYPE_CHECKING:
    from gql.types.space_invitation import SpaceInvitation
    from gql.types.space_member import SpaceMember


@entity("profiles")
@strawberry.type(description="A user: visible to themselves, their teammates and platform admins.")
class User(Node):
    email: str | None
    full_name: str | None
    avatar_url: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    memberships: list[Annotated[SpaceMember, strawberry.lazy("gql.types.space_member")]] = relation(
        "memberships", description="The user's memberships in spaces the caller can see."
    )

    @strawberry.field(
        description=(
            "Open invitations to spaces addressed to the user's email address, newest first: only the signed-in "
            "user sees their own (an empty list for anyone else)."
        )
    )
    async def invitations(
        self, info: Info
    ) -> list[Annotated[SpaceInvitation, strawberry.lazy("gql.types.space_invitation")]]:
        from gql.types.space_invitation import SpaceInvitation

        if str(self.row["id"]) != info.context.caller.user_id:
            return []
        return [build(SpaceInvitation, row) for row in await invitations.mine(info.context)]
