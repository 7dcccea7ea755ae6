"""Inputs that change the roles of space members (members join by accepting an invitation)."""

from __future__ import annotations

import strawberry
from strawberry import UNSET

from gql.enums import SpaceRole
from gql.inputs.values import Column, columns_of


@strawberry.input(description="Changes to a membership: fields left out stay as they are.")
class SpaceMemberPatch:
    role: SpaceRole | None = UNSET


columns_of(SpaceMemberPatch, {"role": Column("role", required=True)})
