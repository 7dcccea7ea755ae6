"""CustomField: a user-defined lead field."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from gql.enums import CustomFieldType
from gql.types.base import entity
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
