"""FormField: one input of a form."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.enums import FormFieldType
from gql.types.fields import entity, relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.lead_form import LeadForm


@entity("lead_form_fields")
@strawberry.type(description="A field of a form.")
class FormField(Node):
    field_name: str = strawberry.field(description="Key of the value in a submission.")
    field_type: FormFieldType
    label: str
    placeholder: str | None
    is_required: bool
    field_order: int
    options: JSON = strawberry.field(description="Choices of select, multiselect and checkbox fields.")
    validation_rules: JSON = strawberry.field(description="min/max length or value, regex, email domain rules.")
    created_at: dt.datetime
    updated_at: dt.datetime
    form: Annotated[LeadForm, strawberry.lazy("gql.types.lead_form")] | None = relation("form")
