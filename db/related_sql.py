"""The rows related to parent rows (catalog.ToMany), for both read paths: one FROM builder, batched statements."""

from __future__ import annotations

from db.catalog import Table, ToMany
from db.filter_sql import FilterNode, filter_sql
from db.sql import Sql, slot
from db.sql_builder import PageArgs, columns_sql, cursor_sql, order_sql, ordering, page_limit, page_where

# The statements below run once per DataLoader batch: Rendered.args(parents=[...ids]).
PARENTS = "parents"


def parent_key(relation: ToMany, alias: str = "t", via: str = "v") -> str:
    """The column holding the parent's id, in related_from's FROM."""
    return f"{via}.{relation.via_fk}" if relation.via else f"{alias}.{relation.fk}"


def related_from(relation: ToMany, target: Table, parent: str | Sql, alias: str = "t", via: str = "v") -> Sql:
    """FROM ... WHERE of the rows of `relation` whose parent key `= parent` (an expression)."""
    if relation.via:
        return Sql(
            f"public.{relation.via} {via} join {target.qualified} {alias} "
            f"on {alias}.id = {via}.{relation.via_target_fk} where {parent_key(relation, alias, via)} = ",
            parent,
        )
    return Sql(f"{target.qualified} {alias} where {parent_key(relation, alias, via)} = ", parent)


def _parents() -> Sql:
    return Sql(slot(PARENTS, "uuid[]"))


def children_page_sql(relation: ToMany, target: Table, args: PageArgs) -> Sql:
    """One page of a to-many connection for each parent id (the `parents` slot), in one statement."""
    order = ordering(target, args.order)
    return Sql(
        "select x.* from unnest(",
        _parents(),
        f") as p(_parent) cross join lateral (select {columns_sql(target, 't')}, ",
        cursor_sql(args.order, order, "t"),
        " as _cursor, p._parent from ",
        related_from(relation, target, "p._parent"),
        " and ",
        page_where(target, args, "t"),
        " order by ",
        order_sql(order, "t"),
        f" limit {page_limit(args.first)}) x",
    )


def children_count_sql(relation: ToMany, target: Table, node: FilterNode | None) -> Sql:
    """The number of related rows of each parent id (the `parents` slot)."""
    return Sql(
        "select p._parent, (select count(*) from ",
        related_from(relation, target, "p._parent"),
        " and ",
        filter_sql(target, node, "t"),
        ") as total from unnest(",
        _parents(),
        ") as p(_parent)",
    )


def children_list_sql(relation: ToMany, target: Table) -> Sql:
    """Every child row (an unpaginated list) of the parent ids (the `parents` slot), in the relation's order."""
    order = ordering(target, relation.default_order)
    return Sql(
        f"select {columns_sql(target, 't')}, {parent_key(relation)} as _parent from ",
        related_from(relation, target, Sql("any(", _parents(), ")")),
        " order by ",
        order_sql(order, "t"),
    )
