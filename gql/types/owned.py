"""The Owned interface: rows that belong to a user and, optionally, to a space."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.types.fields import relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space import Space
    from gql.types.user import User


@strawberry.interface(description="A row owned by a user and, when shared, by a space.")
class Owned(Node):
    owner: Annotated[User, strawberry.lazy("gql.types.user")] | None = relation(
        "owner", description="The user who created the row."
    )
    space: Annotated[Space, strawberry.lazy("gql.types.space")] | None = relation(
        "space", description="The space sharing the row with its members; null for a personal row."
    )
