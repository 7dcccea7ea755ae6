"""A read operation as the data layer sees it: which rows, which columns, under which keys of the response."""

from __future__ import annotations

from dataclasses import dataclass, field

from db.catalog import Expr, Kind, ToMany, ToOne
from db.sql_builder import FilterNode, PageArgs


@dataclass(frozen=True)
class Column:
    key: str  # response key (alias or field name)
    column: str
    kind: Kind


@dataclass(frozen=True)
class ComputedValue:
    """A value computed in SQL for the row (catalog.Computed), an expression of the row's alias."""

    key: str
    expr: Expr
    kind: Kind


@dataclass(frozen=True)
class GlobalId:
    key: str
    type_name: str


@dataclass(frozen=True)
class Constant:
    """A value known when planning, such as `__typename`."""

    key: str
    value: str | bool | None


@dataclass(frozen=True)
class One:
    """A to-one relation: the target row of `relation`, or null."""

    key: str
    relation: ToOne
    selection: Selection


@dataclass(frozen=True)
class Many:
    """An unpaginated to-many relation: all related rows in the relation's order."""

    key: str
    relation: ToMany
    selection: Selection


@dataclass(frozen=True)
class PageInfoPart:
    """A field of pageInfo: hasNextPage | hasPreviousPage | startCursor | endCursor | __typename."""

    key: str
    name: str
    constant: str | None = None  # for __typename


@dataclass(frozen=True)
class EdgePart:
    """A field of an edge: cursor | node | __typename."""

    key: str
    name: str
    selection: Selection | None = None
    constant: str | None = None


@dataclass(frozen=True)
class ConnectionPart:
    """A field of a connection: edges | nodes | pageInfo | totalCount | __typename."""

    key: str
    name: str
    selection: Selection | None = None  # nodes
    edge_parts: tuple[EdgePart, ...] = ()
    page_info_parts: tuple[PageInfoPart, ...] = ()
    constant: str | None = None


@dataclass(frozen=True)
class Connection:
    """A page of `table` (a root collection, or related to the parent row through `relation`)."""

    key: str
    table: str
    args: PageArgs
    parts: tuple[ConnectionPart, ...]
    relation: ToMany | None = None


@dataclass(frozen=True)
class RowById:
    """A root field answering one row by id (`lead(id:)`, `node(id:)`), or null."""

    key: str
    table: str
    row_id: str
    selection: Selection


@dataclass(frozen=True)
class CallerRow:
    """The caller's own row of `table` (viewer), or null when anonymous."""

    key: str
    table: str
    selection: Selection


Field = Column | ComputedValue | GlobalId | Constant | One | Many | Connection


@dataclass(frozen=True)
class Selection:
    table: str
    fields: tuple[Field, ...] = field(default_factory=tuple)


RootField = Connection | RowById | CallerRow | Constant


@dataclass(frozen=True)
class ReadPlan:
    """The whole `data` object of a query."""

    fields: tuple[RootField, ...]


__all__ = ["FilterNode", "ReadPlan"]
