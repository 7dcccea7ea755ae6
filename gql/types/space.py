"""Space: a client workspace whose members share its rows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.types.base import Info, entity, load_one, related_list
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space_invitation import SpaceInvitation
    from gql.types.space_member import SpaceMember
    from gql.types.user import User


@entity("spaces")
@strawberry.type(description="A client workspace. Rows with a space are shared with its members.")
class Space(Node):
    name: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="Who created the space.")
    async def created_by(self, info: Info) -> Annotated[User, strawberry.lazy("gql.types.user")] | None:
        from gql.types.user import User

        return await load_one(info, User, self.row["created_by"])

    @strawberry.field(description="The members, oldest first.")
    async def members(self, info: Info) -> list[Annotated[SpaceMember, strawberry.lazy("gql.types.space_member")]]:
        from gql.types.space_member import SpaceMember

        return await related_list(info, SpaceMember, "spaces", "members", self.row["id"])

    @strawberry.field(
        description="Invitations to the space, newest first: its owners and admins see them, others an empty list."
    )
    async def invitations(
        self, info: Info
    ) -> list[Annotated[SpaceInvitation, strawberry.lazy("gql.types.space_invitation")]]:
        from gql.types.space_invitation import SpaceInvitation

        return await related_list(info, SpaceInvitation, "spaces", "invitations", self.row["id"])
