"""Inputs that add members to spaces and change their roles."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from gql.enums import SpaceRole
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A user to add to a space, with their role.")
class AddSpaceMemberInput:
    space: strawberry.ID
    user: strawberry.ID
    role: SpaceRole = SpaceRole.MEMBER


@strawberry.input(description="Changes to a membership: fields left out stay as they are.")
class SpaceMemberPatch:
    role: SpaceRole | None = UNSET


ROLE = Column("role", required=True)
columns_of(
    AddSpaceMemberInput,
    {
        "space": Column("space_id", "Space", required=True),
        "user": Column("user_id", "User", required=True),
        "role": ROLE,
    },
)
columns_of(SpaceMemberPatch, {"role": ROLE})
