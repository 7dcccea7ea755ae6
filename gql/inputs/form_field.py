"""Inputs that add fields to forms and patch them (a field never moves to another form)."""

from __future__ import annotations

import re
from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.enums import FormFieldType
from gql.inputs.values import Column, columns_of

FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
OPTIONS_DESCRIPTION = "A JSON array of unique strings: required by select and multiselect, allowed for checkbox."
RULES_DESCRIPTION = (
    "A JSON object of rules fitting the type: minLength, maxLength, pattern (text types); min, max (number); "
    "allowedDomains, blockedDomains, blockFreeEmail (email)."
)


@strawberry.input(description="A new field of a form.")
class CreateFormFieldInput:
    form: strawberry.ID
    field_name: str = strawberry.field(description="Key of the value in a submission: a letter, then [A-Za-z0-9_].")
    field_type: FormFieldType
    label: str
    placeholder: str | None = UNSET
    is_required: bool | None = UNSET
    field_order: int | None = UNSET
    options: JSON | None = strawberry.field(default=UNSET, description=OPTIONS_DESCRIPTION)
    validation_rules: JSON | None = strawberry.field(default=UNSET, description=RULES_DESCRIPTION)


@strawberry.input(description="Changes to a form field: fields left out stay as they are; null clears a field.")
class FormFieldPatch:
    field_name: str | None = UNSET
    field_type: FormFieldType | None = UNSET
    label: str | None = UNSET
    placeholder: str | None = UNSET
    is_required: bool | None = UNSET
    field_order: int | None = UNSET
    options: JSON | None = strawberry.field(default=UNSET, description=OPTIONS_DESCRIPTION)
    validation_rules: JSON | None = strawberry.field(default=UNSET, description=RULES_DESCRIPTION)


FIELD_NAME_RULE = partial(v.matches, pattern=FIELD_NAME, hint="a letter, then up to 62 letters, digits or _")
FORM_FIELD_COLUMNS = {
    "field_name": Column("field_name", validate=FIELD_NAME_RULE, required=True),
    "field_type": Column("field_type", required=True),
    "label": Column("label", validate=partial(v.text, max_length=300, required=True), required=True),
    "placeholder": Column("placeholder", validate=partial(v.text, max_length=300)),
    "is_required": Column("is_required", required=True),
    "field_order": Column("field_order", validate=v.non_negative, required=True),
    "options": Column("options", validate=v.json_array, required=True),
    "validation_rules": Column("validation_rules", validate=v.json_object, required=True),
}
columns_of(CreateFormFieldInput, {"form": Column("form_id", "LeadForm", required=True), **FORM_FIELD_COLUMNS})
columns_of(FormFieldPatch, FORM_FIELD_COLUMNS)
