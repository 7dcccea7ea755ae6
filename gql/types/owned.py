"""The Owned interface: rows that belong to a user and, optionally, to a space."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.types.base import Info, load_one
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space import Space
    from gql.types.user import User


@strawberry.interface(description="A row owned by a user and, when shared, by a space.")
class Owned(Node):
    @strawberry.field(description="The user who created the row.")
    async def owner(self, info: Info) -> Annotated[User, strawberry.lazy("gql.types.user")] | None:
        from gql.types.user import User

        return await load_one(info, User, self.row["user_id"])

    @strawberry.field(description="The space sharing the row with its members; null for a personal row.")
    async def space(self, info: Info) -> Annotated[Space, strawberry.lazy("gql.types.space")] | None:
        from gql.types.space import Space

        return await load_one(info, Space, self.row["space_id"])
