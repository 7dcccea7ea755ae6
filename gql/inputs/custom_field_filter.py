"""Filter leads by the value of one of their custom fields (leads.custom_fields), with operators fitting its type."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry

from db.filter_sql import Cond, KeyValue
from domain.errors import bad_input
from gql.scalars import CustomFieldValue

MAX_IN = 100
RANGE_OPS = ("gt", "gte", "lt", "lte")


@strawberry.input(
    description=(
        "A condition on a custom field's value; operators combine with AND. Text, select, email, url and phone "
        "fields: eq, in. Numbers and dates (YYYY-MM-DD): eq, in, gt, gte, lt, lte. Booleans: eq. Multiselect: "
        'contains (has this option). Values compare as JSON: the number 10 does not equal the string "10".'
    )
)
class CustomFieldValueFilter:
    name: str = strawberry.field(description="The custom field's fieldName.")
    eq: CustomFieldValue | None = None
    in_: list[CustomFieldValue] | None = strawberry.field(default=None, name="in")
    gt: CustomFieldValue | None = strawberry.field(default=None, description="A number, or a date as YYYY-MM-DD.")
    gte: CustomFieldValue | None = strawberry.field(default=None, description="A number, or a date as YYYY-MM-DD.")
    lt: CustomFieldValue | None = strawberry.field(default=None, description="A number, or a date as YYYY-MM-DD.")
    lte: CustomFieldValue | None = strawberry.field(default=None, description="A number, or a date as YYYY-MM-DD.")
    contains: str | None = strawberry.field(default=None, description="Multiselect: the value lists this option.")
    is_null: bool | None = strawberry.field(
        default=None, description="true: the lead has no value (missing or null); false: it has one."
    )


def custom_field_conditions(filters: list[CustomFieldValueFilter], where: str) -> list[Cond]:
    """The data layer's conditions (key `custom_field`) of a list of custom field filters."""
    conditions: list[Cond] = []
    for index, item in enumerate(filters):
        path = f"{where}[{index}]"
        name = item.name
        if not 1 <= len(name) <= 63:
            raise bad_input(f"{path}.name", f"{path}.name: a custom field name of 1 to 63 characters")
        if item.eq is not None:
            conditions.append(Cond("custom_field", "eq", KeyValue(name, item.eq)))
        if item.in_ is not None:
            if len(item.in_) > MAX_IN:
                raise bad_input(f"{path}.in", f"{path}.in: at most {MAX_IN} values")
            conditions.append(Cond("custom_field", "in", KeyValue(name, tuple(item.in_))))
        for op in RANGE_OPS:
            operand = getattr(item, op)
            if operand is not None:
                conditions.append(Cond("custom_field", op, KeyValue(name, _range_operand(operand, f"{path}.{op}"))))
        if item.contains is not None:
            conditions.append(Cond("custom_field", "contains", KeyValue(name, item.contains)))
        if item.is_null is not None:
            conditions.append(Cond("custom_field", "is_null", KeyValue(name, item.is_null)))
    return conditions


def _range_operand(value: Any, field: str) -> int | float | str:
    """A number, or a calendar date written YYYY-MM-DD (compared as a date)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise bad_input(field, f"{field}: expected a number or a date (YYYY-MM-DD)")
