"""Inputs that create and patch pipeline stages."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET

from domain import validation as v
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new pipeline stage, personal or of a space.")
class CreateLeadStageInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Add the stage to this space's board.")
    name: str
    stage_order: int | None = strawberry.field(default=UNSET, description="Position on the board, 0 or more.")
    color: str | None = strawberry.field(default=UNSET, description="Hex colour, #RRGGBB.")
    is_default: bool | None = UNSET


@strawberry.input(description="Changes to a stage: fields left out stay as they are.")
class LeadStagePatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    stage_order: int | None = UNSET
    color: str | None = UNSET
    is_default: bool | None = UNSET


LEAD_STAGE_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=100, required=True), required=True),
    "stage_order": Column("stage_order", validate=v.non_negative, required=True),
    "color": Column("color", validate=v.colour, required=True),
    "is_default": Column("is_default", required=True),
}
columns_of(CreateLeadStageInput, LEAD_STAGE_COLUMNS)
columns_of(LeadStagePatch, LEAD_STAGE_COLUMNS)
