"""Scalars, serialised exactly as Postgres renders them in JSON, so both read paths agree byte for byte."""

from __future__ import annotations

import datetime as dt
from typing import Any, NewType

import strawberry


def serialize_datetime(value: dt.datetime) -> str:
    """ISO 8601 in UTC like Postgres' to_json(timestamptz) with TimeZone=UTC: trailing zeros dropped."""
    utc = value.astimezone(dt.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "+00:00"


def parse_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise ValueError("DateTime must be an ISO 8601 string")
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError("DateTime needs a time zone offset, e.g. 2026-01-31T09:00:00Z")
    return parsed


# Overrides Strawberry's built-in DateTime (see StrawberryConfig.scalar_map in gql/schema.py).
DATETIME = strawberry.scalar(
    name="DateTime",
    description="A point in time, ISO 8601 with offset; returned in UTC, e.g. 2026-01-31T09:00:00.5+00:00",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)

CustomFieldValue = NewType("CustomFieldValue", object)


def parse_custom_field_value(value: Any) -> str | int | float | bool:
    if isinstance(value, str | int | float | bool):
        return value
    raise ValueError("CustomFieldValue must be a string, a number or a boolean")


CUSTOM_FIELD_VALUE = strawberry.scalar(
    name="CustomFieldValue",
    description="A value to compare a custom field with: a string (also a date, as YYYY-MM-DD), a number or a boolean.",
    serialize=lambda value: value,
    parse_value=parse_custom_field_value,
)

SCALAR_MAP: dict[object, Any] = {dt.datetime: DATETIME, CustomFieldValue: CUSTOM_FIELD_VALUE}
