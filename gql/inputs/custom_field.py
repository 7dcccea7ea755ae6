"""Inputs that create and patch custom lead fields."""

from __future__ import annotations

import re
from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.enums import CustomFieldType
from gql.inputs.values import Column, columns_of

FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,62}")


@strawberry.input(description="A new custom lead field, personal or of a space.")
class CreateCustomFieldInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Add the field to this space's leads.")
    field_name: str = strawberry.field(description="Key in Lead.customFields: a-z, then a-z, 0-9 or _.")
    field_label: str
    field_type: CustomFieldType
    is_required: bool | None = UNSET
    options: JSON | None = strawberry.field(default=UNSET, description="A JSON array of choices.")


@strawberry.input(description="Changes to a custom field: fields left out stay as they are.")
class CustomFieldPatch:
    space: strawberry.ID | None = UNSET
    field_name: str | None = UNSET
    field_label: str | None = UNSET
    field_type: CustomFieldType | None = UNSET
    is_required: bool | None = UNSET
    options: JSON | None = UNSET


FIELD_NAME_RULE = partial(
    v.matches, pattern=FIELD_NAME, hint="a lower-case letter, then up to 62 lower-case letters, digits or _"
)
CUSTOM_FIELD_COLUMNS = {
    "space": Column("space_id", "Space"),
    "field_name": Column("field_name", validate=FIELD_NAME_RULE, required=True),
    "field_label": Column("field_label", validate=partial(v.text, max_length=200, required=True), required=True),
    "field_type": Column("field_type", required=True),
    "is_required": Column("is_required", required=True),
    "options": Column("options", validate=v.json_array, required=True),
}
columns_of(CreateCustomFieldInput, CUSTOM_FIELD_COLUMNS)
columns_of(CustomFieldPatch, CUSTOM_FIELD_COLUMNS)
