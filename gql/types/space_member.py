"""SpaceMember: a user's role in a space."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.enums import SpaceRole
from gql.types.fields import entity, relation
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
    space: Annotated[Space, strawberry.lazy("gql.types.space")] | None = relation("space")
    user: Annotated[User, strawberry.lazy("gql.types.user")] | None = relation("user")
