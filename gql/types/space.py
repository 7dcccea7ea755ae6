"""Space: a client workspace whose members share its rows."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.types.fields import entity, relation
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
    created_by: Annotated[User, strawberry.lazy("gql.types.user")] | None = relation(
        "created_by", description="Who created the space."
    )
    members: list[Annotated[SpaceMember, strawberry.lazy("gql.types.space_member")]] = relation(
        "members", description="The members, oldest first."
    )
    invitations: list[Annotated[SpaceInvitation, strawberry.lazy("gql.types.space_invitation")]] = relation(
        "invitations",
        description="Invitations to the space, newest first: its owners and admins see them, others an empty list.",
    )
