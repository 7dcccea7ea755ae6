"""Compile a read plan into one SQL statement that returns the whole GraphQL response as JSON text."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from db import plan as p
from db import sql_builder as sb
from db.catalog import Kind, ToMany, table
from db.filter_sql import filter_sql
from db.related_sql import related_from
from db.sql import Sql, literal, value

# json_build_object takes at most 100 arguments (50 keys); larger selections use the general path
MAX_KEYS = 50


class TooWide(ValueError):
    """A selection has more keys than one json_build_object call takes."""


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple[Any, ...]


def _constant(constant: str | bool | None) -> str:
    if constant is None:
        return "null::text"
    if isinstance(constant, bool):
        return "true" if constant else "false"
    return f"{literal(constant)}::text"


def _render(expr: str | Sql, kind: Kind) -> Sql:
    """A SQL value as the response shows it: enums in upper case, exact numbers as strings."""
    if kind is Kind.ENUM:
        return Sql("upper(", expr, ")")
    if kind is Kind.NUMERIC:
        return Sql(expr, "::text")
    return Sql(expr)


class _Compiler:
    def __init__(self) -> None:
        self._aliases = 0

    def alias(self) -> str:
        self._aliases += 1
        return f"t{self._aliases}"

    def obj(self, pairs: Sequence[tuple[str, str | Sql]]) -> Sql:
        if len(pairs) > MAX_KEYS:
            raise TooWide(f"{len(pairs)} keys in one object")
        return Sql("json_build_object(", Sql(", ").join(Sql(literal(k), ", ", v) for k, v in pairs), ")")

    def selection(self, selection: p.Selection, alias: str) -> Sql:
        return self.obj([(f.key, self.field(f, alias)) for f in selection.fields])

    def field(self, f: p.Field, alias: str) -> str | Sql:
        if isinstance(f, p.Column):
            return _render(f"{alias}.{f.column}", f.kind)
        if isinstance(f, p.ComputedValue):
            return _render(f.expr(alias), f.kind)
        if isinstance(f, p.GlobalId):
            return sb.global_id_sql(f.type_name, f"{alias}.id")
        if isinstance(f, p.Constant):
            return _constant(f.value)
        if isinstance(f, p.One):
            target = table(f.relation.target)
            inner = self.alias()
            return Sql(
                "(select ",
                self.selection(f.selection, inner),
                f" from {target.qualified} {inner} where {inner}.id = {alias}.{f.relation.fk})",
            )
        if isinstance(f, p.Many):
            return self.many(f, alias)
        return self.connection(f, alias)

    def many(self, f: p.Many, parent: str) -> Sql:
        target = table(f.relation.target)
        inner = self.alias()
        order = sb.order_sql(sb.ordering(target, f.relation.default_order), inner)
        source = related_from(f.relation, target, f"{parent}.id", inner, self.alias())
        node = self.selection(f.selection, inner)
        return Sql("coalesce((select json_agg(", node, " order by ", order, ") from ", source, "), '[]'::json)")

    def _from(self, relation: ToMany | None, table_name: str, parent: str | None, alias: str) -> Sql:
        target = table(table_name)
        if relation is None:
            return Sql(f"{target.qualified} {alias} where true")
        assert parent is not None
        return related_from(relation, target, f"{parent}.id", alias, self.alias())

    def connection(self, c: p.Connection, parent: str | None) -> Sql:
        target = table(c.table)
        order = sb.ordering(target, c.args.order)
        inner, page = self.alias(), self.alias()
        if c.relation is None:
            root, where = sb.root_source(target, c.args, inner)
            source = Sql(root, " where true")
        else:
            source = self._from(c.relation, c.table, parent, inner)
            where = sb.page_where(target, c.args, inner)
        first = str(int(c.args.first))  # a literal, like the LIMIT (see sb.page_limit)
        ordered = sb.order_sql(order, inner)
        cursor = Sql(", ", sb.cursor_sql(c.args.order, order, inner), " as _cursor") if _uses_cursor(c) else ""
        rows = Sql(
            f"select {sb.columns_sql(target, inner)}",
            cursor,
            ", row_number() over (order by ",
            ordered,
            ") as _n from ",
            source,
            " and ",
            where,
            " order by ",
            ordered,
            f" limit {sb.page_limit(c.args.first)}",
        )
        on_page = f"filter (where {page}._n <= {first})"
        pairs: list[tuple[str, str | Sql]] = []
        for part in c.parts:
            if part.name == "__typename":
                pairs.append((part.key, _constant(part.constant)))
            elif part.name == "totalCount":
                counted = self.alias()
                count_from = self._from(c.relation, c.table, parent, counted)
                count_where = filter_sql(target, c.args.filter, counted)
                pairs.append((part.key, Sql("(select count(*) from ", count_from, " and ", count_where, ")")))
            elif part.name == "nodes":
                assert part.selection is not None
                node = self.selection(part.selection, page)
                pairs.append(
                    (part.key, Sql("coalesce(json_agg(", node, f" order by {page}._n) {on_page}, '[]'::json)"))
                )
            elif part.name == "edges":
                edge = self.obj([(e.key, self._edge_part(e, page)) for e in part.edge_parts])
                pairs.append(
                    (part.key, Sql("coalesce(json_agg(", edge, f" order by {page}._n) {on_page}, '[]'::json)"))
                )
            else:  # pageInfo
                after = c.args.after is not None
                info = [(i.key, self._page_info_part(i, page, first, after, on_page)) for i in part.page_info_parts]
                pairs.append((part.key, self.obj(info)))
        # group by (): one row even when no part aggregates (e.g. only totalCount) or the page is empty
        return Sql("(select ", self.obj(pairs), " from (", rows, f") {page} group by ())")

    def _edge_part(self, e: p.EdgePart, page: str) -> str | Sql:
        if e.name == "cursor":
            return f"{page}._cursor"
        if e.name == "node":
            assert e.selection is not None
            return self.selection(e.selection, page)
        return _constant(e.constant)

    @staticmethod
    def _page_info_part(i: p.PageInfoPart, page: str, first: str, after_given: bool, on_page: str) -> str:
        if i.name == "hasNextPage":
            return f"count(*) > {first}"
        if i.name == "hasPreviousPage":
            return _constant(after_given)
        if i.name == "startCursor":
            return f"(array_agg({page}._cursor order by {page}._n) {on_page})[1]"
        if i.name == "endCursor":
            return f"(array_agg({page}._cursor order by {page}._n desc) {on_page})[1]"
        return _constant(i.constant)

    def root(self, f: p.RootField) -> str | Sql:
        if isinstance(f, p.Constant):
            return _constant(f.value)
        if isinstance(f, p.Connection):
            return self.connection(f, None)
        target = table(f.table)
        inner = self.alias()
        match = value(f.row_id, "uuid") if isinstance(f, p.RowById) else "(select auth.uid())"
        selection = self.selection(f.selection, inner)
        return Sql("(select ", selection, f" from {target.qualified} {inner} where {inner}.id = ", match, ")")


def _uses_cursor(c: p.Connection) -> bool:
    """Whether any part of the connection shows a cursor (computing one per row is not free)."""
    for part in c.parts:
        if any(e.name == "cursor" for e in part.edge_parts):
            return True
        if any(i.name in ("startCursor", "endCursor") for i in part.page_info_parts):
            return True
    return False


def compile_plan(plan: p.ReadPlan) -> CompiledQuery:
    """One statement: `select '{"data": {...}}'`, with every value bound as a parameter."""
    compiler = _Compiler()
    data = compiler.obj([(f.key, compiler.root(f)) for f in plan.fields])
    rendered = Sql("select json_build_object('data', ", data, ")::text").render()
    return CompiledQuery(sql=rendered.text, params=tuple(rendered.values))
