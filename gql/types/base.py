"""Build GraphQL objects from rows, and resolve relations and connections through the request's loaders."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from typing import Any, TypeVar

import asyncpg
import strawberry
from strawberry.types.base import StrawberryOptional, get_object_definition

from dataloaders.page import Page
from db import sql_builder as sb
from db.catalog import ToMany, table
from gql.connection import Connection, Edge, PageInfo
from gql.ids import global_id
from resolvers.context import Context
from resolvers.pagination import page_args
from resolvers.reads import root_count, root_page, row_by_id

T = TypeVar("T")
Info = strawberry.Info[Context, None]

# GraphQL type name <-> table, filled by @entity
TYPE_BY_NAME: dict[str, type] = {}
TABLE_OF_TYPE: dict[str, str] = {}
TYPE_OF_TABLE: dict[str, str] = {}
_BUILDERS: dict[type, list[tuple[str, Callable[[Any], Any]]]] = {}


def entity(table_name: str) -> Callable[[type[T]], type[T]]:
    """Register a strawberry type as the GraphQL face of a table (apply above @strawberry.type)."""

    def register(cls: type[T]) -> type[T]:
        definition = get_object_definition(cls, strict=True)
        TYPE_BY_NAME[definition.name] = cls
        TABLE_OF_TYPE[definition.name] = table_name
        TYPE_OF_TABLE[table_name] = definition.name
        return cls

    return register


def type_name_of(cls: type) -> str:
    return get_object_definition(cls, strict=True).name


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


async def load_one(info: Info, cls: type[T], row_id: object) -> T | None:
    row = await row_by_id(info.context, TABLE_OF_TYPE[type_name_of(cls)], row_id)
    return None if row is None else build(cls, row)


def connection(page: Page, cls: type[T], counter: Callable[[], Any]) -> Connection[T]:
    edges = [Edge(cursor=row["_cursor"], node=build(cls, row)) for row in page.rows]
    return Connection(
        edges=edges,
        nodes=[edge.node for edge in edges],
        page_info=PageInfo(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        counter=counter,
    )


async def root_connection(
    info: Info,
    cls: type[T],
    node: sb.FilterNode | None,
    order: Enum | None,
    first: int | None,
    after: str | None,
) -> Connection[T]:
    ctx = info.context
    table_name = TABLE_OF_TYPE[type_name_of(cls)]
    args = page_args(table(table_name), node, order.value if order else None, first, after, ctx.limits)
    page = await root_page(ctx, table_name, args)
    return connection(page, cls, lambda: root_count(ctx, table_name, node))


async def related_connection(
    info: Info,
    cls: type[T],
    parent_table: str,
    relation: str,
    parent_id: object,
    node: sb.FilterNode | None,
    order: Enum | None,
    first: int | None,
    after: str | None,
) -> Connection[T]:
    ctx = info.context
    spec = table(parent_table).relations[relation]
    assert isinstance(spec, ToMany)
    args = page_args(table(spec.target), node, order.value if order else None, first, after, ctx.limits)
    key = str(parent_id)
    page = await ctx.loaders.related_page(parent_table, relation, args).load(key)
    return connection(page, cls, lambda: ctx.loaders.related_count(parent_table, relation, node).load(key))


async def related_list(info: Info, cls: type[T], parent_table: str, relation: str, parent_id: object) -> list[T]:
    rows = await info.context.loaders.related_list(parent_table, relation).load(str(parent_id))
    return [build(cls, row) for row in rows]


async def computed_value(info: Info, table_name: str, row_id: object, name: str) -> Any:
    """A value computed in SQL for a row (catalog.Computed), loaded with those of its batch in one statement."""
    row = await info.context.loaders.computed(table_name).load(str(row_id))
    return None if row is None else row[name]
