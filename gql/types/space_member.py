"""SpaceMember: a user's role in a space."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.enums import SpaceRole
from gql.types.base import Info, entity, load_one
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space import Space
    from gql.types.user import User


@entity("space_members")
@strawberry.type(description="A membership: viewers read, members write data, admins and owners manage.")
class SpaceMember(Node):
    role: SpaceRole
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field
    async def space(self, info: Info) -> Annotated[Space, strawberry.lazy("gql.types.space")] | None:
        from gql.types.space import Space

        return await load_one(info, Space, self.row["space_id"])

    @strawberry.field
    async def user(self, info: Info) -> Annotated[User, strawberry.lazy("gql.types.user")] | None:
        from gql.types.user import User

        return await load_one(info, User, self.row["user_id"])
