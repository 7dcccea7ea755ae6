"""Typed comparison operators that entity filters are made of."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Generic, TypeVar

import strawberry

E = TypeVar("E", bound=Enum)


@strawberry.input(description="Compare an ID (a reference to another node).")
class IDFilter:
    eq: strawberry.ID | None = None
    neq: strawberry.ID | None = None
    in_: list[strawberry.ID] | None = strawberry.field(default=None, name="in")
    is_null: bool | None = None


@strawberry.input(description="Compare text; contains and startsWith ignore case.")
class StringFilter:
    eq: str | None = None
    neq: str | None = None
    in_: list[str] | None = strawberry.field(default=None, name="in")
    contains: str | None = None
    starts_with: str | None = None
    is_null: bool | None = None


@strawberry.input(description="Compare a whole number.")
class IntFilter:
    eq: int | None = None
    neq: int | None = None
    in_: list[int] | None = strawberry.field(default=None, name="in")
    gt: int | None = None
    gte: int | None = None
    lt: int | None = None
    lte: int | None = None
    is_null: bool | None = None


@strawberry.input(description="Compare a point in time.")
class DateTimeFilter:
    eq: dt.datetime | None = None
    neq: dt.datetime | None = None
    gt: dt.datetime | None = None
    gte: dt.datetime | None = None
    lt: dt.datetime | None = None
    lte: dt.datetime | None = None
    is_null: bool | None = None


@strawberry.input(description="Compare a calendar date.")
class DateFilter:
    eq: dt.date | None = None
    neq: dt.date | None = None
    gt: dt.date | None = None
    gte: dt.date | None = None
    lt: dt.date | None = None
    lte: dt.date | None = None
    is_null: bool | None = None


@strawberry.input(description="Compare an enumerated value.")
class EnumFilter(Generic[E]):
    eq: E | None = None
    neq: E | None = None
    in_: list[E] | None = strawberry.field(default=None, name="in")


OPERATORS = ("eq", "neq", "in_", "gt", "gte", "lt", "lte", "contains", "starts_with", "is_null")
