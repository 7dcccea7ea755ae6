"""User: the public profile of a person using the app."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.types.base import Info, entity, related_list
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space_member import SpaceMember


@entity("profiles")
@strawberry.type(description="A user: visible to themselves, their teammates and platform admins.")
class User(Node):
    email: str | None
    full_name: str | None
    avatar_url: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="The user's memberships in spaces the caller can see.")
    async def memberships(self, info: Info) -> list[Annotated[SpaceMember, strawberry.lazy("gql.types.space_member")]]:
        from gql.types.space_member import SpaceMember

        return await related_list(info, SpaceMember, "profiles", "memberships", self.row["id"])
