"""CustomField: a user-defined lead field."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from gql.enums import CustomFieldType
from gql.types.fields import computed, entity
from gql.types.owned import Owned


@entity("lead_custom_fields")
@strawberry.type(description="A custom lead field of a scope; values live in Lead.customFields.")
class CustomField(Owned):
    field_name: str
    field_label: str
    field_type: CustomFieldType
    is_required: bool
    options: JSON
    created_at: dt.datetime
    updated_at: dt.datetime
    leads_without_value: int = computed(
        "leads_without_value",
        description="Leads of the field's scope (those the caller can see) without a value: a field made required "
        "while leads lacked a value keeps them until an API write of their custom fields gives one.",
    )
    leads_with_invalid_value: int = computed(
        "leads_with_invalid_value",
        description="Leads of the field's scope (those the caller can see) whose value the field's type or options "
        "refuse: values stored before a change of the definition (changes that would make values invalid are refused).",
    )
