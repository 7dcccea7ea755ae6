"""Compose SELECTs from the catalog: pages, keysets, cursors, related rows. Values always travel as $n."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db.catalog import Kind, Ordering, Table
from db.filter_sql import PG_TYPE, AllOf, AnyOf, Cond, FilterNode, KeyValue, Not, filter_sql, searches
from db.sql import Sql, ident, literal, value

__all__ = ["PG_TYPE", "AllOf", "AnyOf", "Cond", "FilterNode", "KeyValue", "Not", "filter_sql"]


@dataclass(frozen=True)
class Keyset:
    """A decoded cursor: the sort key (as JSON gave it) and the row id."""

    key: Any
    id: str


@dataclass(frozen=True)
class PageArgs:
    """What a connection field asks for, in data-layer terms."""

    filter: FilterNode | None
    order: str
    first: int
    after: Keyset | None = None


class InvalidCursor(ValueError):
    """A cursor that this server did not make, or made for another ordering."""


def columns_sql(table: Table, alias: str) -> str:
    """Every catalog column of the table's row `alias` (catalog names are checked when registered)."""
    prefix = ident(alias) + "."
    return ", ".join(prefix + name for name in table.columns)


def global_id_sql(type_name: str, id_expr: str) -> str:
    """base64("<Type>:<uuid>") like gql.ids.global_id; Postgres wraps base64 at 76 characters."""
    return f"translate(encode(convert_to({literal(type_name + ':')} || {id_expr}, 'UTF8'), 'base64'), E'\\n', '')"


def ordering(table: Table, name: str) -> Ordering:
    try:
        return table.orderings[name]
    except KeyError:
        raise ValueError(f"{table.name} cannot be ordered by {name}") from None


def order_sql(order: Ordering, alias: str) -> Sql:
    direction = "desc" if order.descending else "asc"
    return Sql(order.key(alias), f" {direction}, {alias}.id {direction}")


def cursor_sql(order_name: str, order: Ordering, alias: str) -> Sql:
    """The cursor of a row, made in SQL so that every read path returns the very same string."""
    return Sql(
        f"translate(encode(convert_to(json_build_array({literal(order_name)}, ",
        order.key(alias),
        f", {alias}.id)::text, 'UTF8'), 'base64'), E'\\n', '')",
    )


def decode_cursor(cursor: str, order_name: str) -> Keyset:
    try:
        decoded = json.loads(base64.b64decode(cursor, validate=True).decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # bad base64 (or not ASCII), UTF-8 or JSON; JSON nested too deep
        raise InvalidCursor("not a cursor of this API") from exc
    if not (isinstance(decoded, list) and len(decoded) == 3 and isinstance(decoded[2], str)):
        raise InvalidCursor("not a cursor of this API")
    if decoded[0] != order_name:
        raise InvalidCursor("the cursor belongs to another ordering")
    return Keyset(key=decoded[1], id=decoded[2])


def _keyset_value(order: Ordering, key: Any) -> Any:
    """Check a cursor's sort key before it reaches SQL, so a forged cursor is refused, not a 500."""
    if order.kind is Kind.INT:
        if isinstance(key, bool) or not isinstance(key, int) or not -(2**31) <= key < 2**31:
            raise InvalidCursor("not a cursor of this API")
        return key
    if not isinstance(key, str):
        raise InvalidCursor("not a cursor of this API")
    try:
        if order.kind is Kind.TIMESTAMPTZ and key not in ("infinity", "-infinity"):
            datetime.fromisoformat(key)
        elif order.kind is Kind.DATE and key not in ("infinity", "-infinity"):
            date.fromisoformat(key)
    except ValueError as exc:
        raise InvalidCursor("not a cursor of this API") from exc
    return key


def keyset_sql(order: Ordering, alias: str, after: Keyset) -> Sql:
    key = _keyset_value(order, after.key)
    try:
        row_id = str(uuid.UUID(after.id))
    except ValueError as exc:
        raise InvalidCursor("not a cursor of this API") from exc
    # timestamps and dates travel as text and are parsed by Postgres, exactly as it printed them
    bound = value(key, "integer" if order.kind is Kind.INT else "text")
    if order.kind not in (Kind.INT, Kind.TEXT):
        bound += f"::{PG_TYPE[order.kind]}"
    symbol = "<" if order.descending else ">"
    return Sql("(", order.key(alias), f", {alias}.id) {symbol} (", bound, ", ", value(row_id, "uuid"), ")")


def page_where(table: Table, args: PageArgs, alias: str) -> Sql:
    where = filter_sql(table, args.filter, alias)
    if args.after is not None:
        where = Sql("(", where, ") and ", keyset_sql(ordering(table, args.order), alias, args.after))
    return where


# Orderings of leads with per-scope indexes (migration 20261125210000_scoped_lead_pages.sql).
SCOPED_LEAD_ORDERS = frozenset({"score_desc", "score_asc", "created_at_desc", "created_at_asc"})


def scoped_lead_source(table: Table, args: PageArgs, alias: str) -> Sql:
    """A root page of leads as the union of the same page in each scope the leads_select policy admits.

    The policy admits a lead that is the caller's personal one, or in a space the caller belongs to, or any lead
    for a platform admin. Walking one global sort index under that policy reads most of the table for a caller
    whose few leads sort late; per scope, each page comes from an index that starts with the scope. RLS still
    applies to every row: the branches only choose where to look. tests/test_scoped_lead_pages.py compares the
    result with the plain query for every persona, and pins the policy's text."""
    where = page_where(table, args, alias)  # one set of values, written in each branch
    ordered = order_sql(ordering(table, args.order), alias)
    rows = f"select {columns_sql(table, alias)} from {table.qualified} {alias} where "
    admin = "(select leadgen.is_platform_admin())"

    def branch(scope: str) -> Sql:
        return Sql(rows, scope, " and (", where, ") order by ", ordered, f" limit {page_limit(args.first)}")

    personal = f"not {admin} and {alias}.space_id is null and {alias}.user_id = (select auth.uid())"
    return Sql(
        "((",
        branch(admin),
        ") union all (",
        branch(personal),
        ") union all (select x.* from leadgen.readable_space_ids() as s (id) cross join lateral (",
        branch(f"not {admin} and {alias}.space_id = s.id"),
        f") x)) {alias}",
    )


def root_source(table: Table, args: PageArgs, alias: str) -> tuple[Sql, Sql]:
    """FROM and WHERE of a root page.

    A full-text search is fenced off (`offset 0`) so that Postgres finds the matches through the GIN index
    first and then sorts them, rather than walking the sort index hoping to meet matches soon (which reads
    the whole table when a word is rare or absent). Leads by score or creation time are read scope by scope
    (scoped_lead_source)."""
    if not searches(args.filter):
        if table.name == "leads" and args.order in SCOPED_LEAD_ORDERS:
            return scoped_lead_source(table, args, alias), Sql("true")
        return Sql(f"{table.qualified} {alias}"), page_where(table, args, alias)
    inner = filter_sql(table, args.filter, alias)
    source = Sql(
        f"(select {columns_sql(table, alias)} from {table.qualified} {alias} where ", inner, f" offset 0) {alias}"
    )
    where = Sql("true")
    if args.after is not None:
        where = keyset_sql(ordering(table, args.order), alias, args.after)
    return source, where


def page_limit(first: int) -> str:
    """LIMIT of a page: `first + 1` rows (the extra one tells whether more follow), as a literal.

    Written into the statement, not bound: with a bound limit Postgres prices the generic plan for an unknown
    row count, never prefers it, and so re-plans every execution (~0.7 ms on the dashboard query)."""
    return str(int(first) + 1)


def page_sql(table: Table, args: PageArgs) -> Sql:
    """One page of a root connection: `first + 1` rows (the extra one tells whether more follow)."""
    order = ordering(table, args.order)
    source, where = root_source(table, args, "t")
    return Sql(
        f"select {columns_sql(table, 't')}, ",
        cursor_sql(args.order, order, "t"),
        " as _cursor from ",
        source,
        " where ",
        where,
        " order by ",
        order_sql(order, "t"),
        f" limit {page_limit(args.first)}",
    )


def count_sql(table: Table, node: FilterNode | None) -> Sql:
    return Sql(f"select count(*) from {table.qualified} t where ", filter_sql(table, node, "t"))


def by_ids_sql(table: Table) -> str:
    return f"select {columns_sql(table, 't')} from {table.qualified} t where t.id = any($1::uuid[])"


def computed_by_ids_sql(table: Table) -> str:
    """Every computed value (catalog.Computed) of the rows whose ids are in $1, in one statement per batch."""
    values = Sql(", ").join(Sql(c.expr("t"), f" as {ident(name)}") for name, c in table.computed.items())
    return Sql("select t.id, ", values, f" from {table.qualified} t where t.id = any($1::uuid[])").render().text
