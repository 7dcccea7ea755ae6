"""Inputs that create and rename spaces."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET

from domain import validation as v
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new space; the caller becomes its owner.")
class CreateSpaceInput:
    name: str


@strawberry.input(description="Changes to a space: fields left out stay as they are.")
class SpacePatch:
    name: str | None = UNSET


SPACE_COLUMNS = {"name": Column("name", validate=partial(v.text, max_length=200, required=True), required=True)}
columns_of(CreateSpaceInput, SPACE_COLUMNS)
columns_of(SpacePatch, SPACE_COLUMNS)
