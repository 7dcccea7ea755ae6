"""Fields made from the catalog (relations, computed values, collections), tagged for the read planner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import strawberry
from strawberry.annotation import StrawberryAnnotation
from strawberry.types.arguments import StrawberryArgument
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from db.catalog import Kind, ToMany, ToOne, table
from gql import registry
from gql.enums import COLUMN_ENUMS
from gql.inputs.filters import FILTER_INPUTS, to_filter_node
from gql.orderings import order_enum
from gql.types.base import Info, build, connection, load_row, table_of
from resolvers.pagination import page_args
from resolvers.reads import root_count, root_page

T = TypeVar("T")

# A type declares `company: Company | None = relation("company")`: the class annotation gives the GraphQL type, the
# catalog the rest (the key to load by, a connection's filter and orderBy arguments), and the field's metadata
# (under CATALOG) tells gql/planner.py what it compiles to. `entity` checks a type's catalog fields against its table.
CATALOG = "leadgen.catalog"


@dataclass(frozen=True)
class Relation:
    """The catalog relation `name` of the type's table: a to-one row or an unpaginated list."""

    name: str


@dataclass(frozen=True)
class RelatedConnection:
    """A page of the catalog relation `name` (a paginated ToMany) of the type's table."""

    name: str


@dataclass(frozen=True)
class ComputedValue:
    """The catalog computed value `name` of the type's table."""

    name: str


@dataclass(frozen=True)
class RootConnection:
    """A page of the rows of `table` the caller can see."""

    table: str


@dataclass(frozen=True)
class RowById:
    """A root field answering one row by its global ID (of the type `only`, when given)."""

    only: str | None = None


@dataclass(frozen=True)
class CallerRow:
    """The caller's own row of `table`."""

    table: str


Tag = Relation | RelatedConnection | ComputedValue | RootConnection | RowById | CallerRow


def tag_of(field: StrawberryField) -> Tag | None:
    tag = field.metadata.get(CATALOG)
    return tag if isinstance(tag, Tag) else None


def planned(tag: Tag) -> dict[str, Tag]:
    """Field metadata telling the planner what a hand-written root field compiles to."""
    return {CATALOG: tag}


def relation(name: str | ToOne, *, description: str | None = None) -> Any:
    """A to-one relation or an unpaginated list, by the catalog relation's name (or, on a type that is not a
    catalog table, its ToOne)."""

    async def resolve(root: Any, info: Info) -> Any:
        spec = name if isinstance(name, ToOne) else table(table_of(root)).relations[name]
        if isinstance(spec, ToOne):
            return await load_row(info, spec.target, root.row[spec.fk])
        assert isinstance(name, str)
        rows = await info.context.loaders.related_list(table_of(root), name).load(str(root.row["id"]))
        cls = registry.class_of(spec.target)
        return [build(cls, row) for row in rows]

    metadata = {} if isinstance(name, ToOne) else planned(Relation(name))
    return strawberry.field(resolver=resolve, description=description, metadata=metadata)


def related_connection(name: str, *, description: str | None = None) -> Any:
    """A page of a to-many catalog relation; `entity` gives it its filter and orderBy arguments."""

    async def resolve(
        root: Any,
        info: Info,
        filter: Any = None,
        order_by: Any = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Any:
        ctx, parent = info.context, table_of(root)
        spec = table(parent).relations[name]
        assert isinstance(spec, ToMany)
        node = to_filter_node(filter)
        args = page_args(table(spec.target), node, order_by.value if order_by else None, first, after, ctx.limits)
        key = str(root.row["id"])
        page = await ctx.loaders.related_page(parent, name, args).load(key)
        cls = registry.class_of(spec.target)
        return connection(page, cls, lambda: ctx.loaders.related_count(parent, name, node).load(key))

    return strawberry.field(resolver=resolve, description=description, metadata=planned(RelatedConnection(name)))


def root_connection(table_name: str, *, description: str | None = None) -> Any:
    """The rows of a table the caller can see, a page at a time, filtered and ordered as the catalog allows."""

    async def resolve(
        info: Info, filter: Any = None, order_by: Any = None, first: int | None = None, after: str | None = None
    ) -> Any:
        ctx = info.context
        node = to_filter_node(filter)
        args = page_args(table(table_name), node, order_by.value if order_by else None, first, after, ctx.limits)
        page = await root_page(ctx, table_name, args)
        return connection(page, registry.class_of(table_name), lambda: root_count(ctx, table_name, node))

    field = strawberry.field(resolver=resolve, description=description, metadata=planned(RootConnection(table_name)))
    field.arguments = connection_arguments(table_name)
    return field


def computed(name: str, *, description: str | None = None) -> Any:
    """A catalog computed value, loaded with those of the other rows of its batch in one statement."""

    async def resolve(root: Any, info: Info) -> Any:
        parent = table_of(root)
        row = await info.context.loaders.computed(parent).load(str(root.row["id"]))
        raw = None if row is None else row[name]
        kind = table(parent).computed[name].kind
        if kind is Kind.INT:
            return int(raw or 0)
        if kind is Kind.FLOAT:
            return None if raw is None else float(raw)
        if kind is Kind.ENUM:
            return COLUMN_ENUMS[(parent, name)](raw)
        return raw

    return strawberry.field(resolver=resolve, description=description, metadata=planned(ComputedValue(name)))


def connection_arguments(table_name: str) -> list[StrawberryArgument]:
    """filter, orderBy, first and after of a connection over the table."""
    types: dict[str, Any] = {
        "filter": FILTER_INPUTS[table_name],
        "order_by": order_enum(table_name),
        "first": int,
        "after": str,
    }
    return [
        StrawberryArgument(
            python_name=name, graphql_name=None, type_annotation=StrawberryAnnotation(kind | None), default=None
        )
        for name, kind in types.items()
    ]


def entity(table_name: str) -> Callable[[type[T]], type[T]]:
    """Register a strawberry type as the GraphQL face of a table (apply above @strawberry.type), and fit its
    catalog fields to the table: a connection gets the arguments of its target, an unknown name fails here."""

    def register(cls: type[T]) -> type[T]:
        spec = table(table_name)
        for field in get_object_definition(cls, strict=True).fields:
            tag = tag_of(field)
            if isinstance(tag, RelatedConnection):
                target = spec.relations[tag.name]
                if not (isinstance(target, ToMany) and target.paginated):
                    raise TypeError(f"{table_name}.{tag.name} is not a paginated relation")
                field.arguments = connection_arguments(target.target)
            elif isinstance(tag, Relation):
                target = spec.relations[tag.name]
                if isinstance(target, ToMany) and target.paginated:
                    raise TypeError(f"{table_name}.{tag.name} is paginated: use related_connection")
            elif isinstance(tag, ComputedValue) and tag.name not in spec.computed:
                raise TypeError(f"{table_name} has no computed value {tag.name}")
        registry.add(cls, table_name)
        return cls

    return register
