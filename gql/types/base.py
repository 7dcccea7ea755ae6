"""Build GraphQL objects from rows, and read rows, pages and computed values through the request's loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from enum import Enum
from typing import Any, TypeVar

import asyncpg
import strawberry
from strawberry.types.base import StrawberryOptional, get_object_definition

from dataloaders.page import Page
from gql.connection import Connection, Edge, connection_of
from gql.ids import global_id
from gql.registry import TABLE_OF_CLASS, class_of, type_name_of
from resolvers.context import Context
from resolvers.reads import row_by_id

T = TypeVar("T")
Info = strawberry.Info[Context, None]

_BUILDERS: dict[type, list[tuple[str, Callable[[Any], Any]]]] = {}


def _identity(value: Any) -> Any:
    return value


def _converter(annotation: Any) -> Callable[[Any], Any]:
    inner = annotation.of_type if isinstance(annotation, StrawberryOptional) else annotation
    if isinstance(inner, type) and issubclass(inner, Enum):
        enum_type = inner
        return lambda value: None if value is None else enum_type(value)
    return _identity


def _plan(cls: type) -> list[tuple[str, Callable[[Any], Any]]]:
    plan = _BUILDERS.get(cls)
    if plan is None:
        definition = get_object_definition(cls, strict=True)
        plan = [
            (f.python_name, _converter(f.type))
            for f in definition.fields
            if f.base_resolver is None and f.python_name not in ("id", "row")
        ]
        _BUILDERS[cls] = plan
    return plan


def build(cls: type[T], row: asyncpg.Record) -> T:
    """An instance of the GraphQL type `cls` for a row of its table."""
    values = {name: convert(row[name]) for name, convert in _plan(cls)}
    return cls(id=global_id(type_name_of(cls), row["id"]), row=row, **values)  # type: ignore[call-arg]


def table_of(obj: object) -> str:
    """The table of a GraphQL object built from one of its rows."""
    return TABLE_OF_CLASS[type(obj)]


async def load_one(info: Info, cls: type[T], row_id: object) -> T | None:
    row = await row_by_id(info.context, TABLE_OF_CLASS[cls], row_id)
    return None if row is None else build(cls, row)


async def load_row(info: Info, table_name: str, row_id: object) -> object | None:
    """The object of a table's row by id (batched with the operation's other lookups), or None."""
    row = await row_by_id(info.context, table_name, row_id)
    return None if row is None else build(class_of(table_name), row)


def connection(page: Page, cls: type[T], counter: Callable[[], Awaitable[int]]) -> Connection[T]:
    edges = [Edge(cursor=row["_cursor"], node=build(cls, row)) for row in page.rows]
    return connection_of(edges, has_next=page.has_next, has_previous=page.has_previous, counter=counter)
