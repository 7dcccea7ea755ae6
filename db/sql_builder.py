"""Compose SELECTs from the catalog: filters, keyset pagination, cursors. Values always travel as $n."""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from db.catalog import FilterField, Kind, Ordering, Table, ToMany

PG_TYPE = {
    Kind.UUID: "uuid",
    Kind.TEXT: "text",
    Kind.ENUM: "text",
    Kind.INT: "integer",
    Kind.BOOL: "boolean",
    Kind.TIMESTAMPTZ: "timestamptz",
    Kind.DATE: "date",
    Kind.NUMERIC: "numeric",
    Kind.JSONB: "jsonb",
    Kind.FLOAT: "double precision",
}


@dataclass(frozen=True)
class Cond:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class KeyValue:
    """The operand of a condition on one key of a JSON object column (leads.custom_fields): the key, the value."""

    key: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    items: tuple[FilterNode, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[FilterNode, ...]


@dataclass(frozen=True)
class Not:
    item: FilterNode


FilterNode = Cond | AllOf | AnyOf | Not


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


class Params:
    """Collects bind values and hands out `$n::type` placeholders."""

    def __init__(self, values: list[Any] | None = None) -> None:
        self.values: list[Any] = values if values is not None else []

    def add(self, value: Any, pg_type: str) -> str:
        self.values.append(value)
        return f"${len(self.values)}::{pg_type}"


def columns_sql(table: Table, alias: str) -> str:
    return ", ".join(f"{alias}.{name}" for name in table.columns)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(spec: FilterField, cond: Cond, alias: str, params: Params) -> str:
    if cond.op not in spec.ops:
        raise ValueError(f"operator {cond.op} is not allowed on {cond.field}")
    pg = PG_TYPE[spec.kind]
    expr = spec.expr.replace("{t}", alias)
    if spec.kind is Kind.JSONB:
        return _json_key_condition(expr, cond, params)
    if "{cmp}" in expr:  # a relation test such as "in this campaign"
        values = cond.value if cond.op == "in" else [cond.value]
        return expr.replace("{cmp}", f"= any({params.add(list(values), pg + '[]')})")
    if "{v}" in expr:
        return expr.replace("{v}", params.add(cond.value, pg))
    op = cond.op
    if op == "is_null":
        return f"{expr} is null" if cond.value else f"{expr} is not null"
    if op == "in":
        return f"{expr} = any({params.add(list(cond.value), pg + '[]')})"
    if op == "contains":
        return f"{expr} ilike {params.add('%' + _like_escape(str(cond.value)) + '%', 'text')}"
    if op == "starts_with":
        return f"{expr} ilike {params.add(_like_escape(str(cond.value)) + '%', 'text')}"
    if op == "neq":
        return f"{expr} is distinct from {params.add(cond.value, pg)}"
    symbol = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    return f"{expr} {symbol} {params.add(cond.value, pg)}"


ISO_DATE = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"


def _json_key_condition(expr: str, cond: Cond, params: Params) -> str:
    """A condition on the value under one key of a JSON object column.

    Equality, `in` and `contains` (an option of a list) are JSON containment, so values compare as JSON does
    (10 = 10.0, "10" <> 10). Ranges compare numbers as numbers and dates (YYYY-MM-DD strings) as dates; a value
    of another type matches no range and never raises. `is_null`: the key is missing or JSON null."""
    operand = cond.value
    if not isinstance(operand, KeyValue):
        raise ValueError(f"{cond.field}: a condition on a key needs a KeyValue")
    op, key = cond.op, operand.key
    if op == "eq":
        return f"{expr} @> {params.add({key: operand.value}, 'jsonb')}"
    if op == "in":
        return f"{expr} @> any({params.add([{key: v} for v in operand.value], 'jsonb[]')})"
    if op == "contains":
        return f"{expr} @> {params.add({key: [operand.value]}, 'jsonb')}"
    if op == "is_null":
        missing = f"coalesce({expr} -> {params.add(key, 'text')}, 'null'::jsonb) = 'null'::jsonb"
        return missing if operand.value else f"not ({missing})"
    symbol = {"gt": ">", "gte": ">=", "lt": "<", "lte": "<="}[op]
    name = params.add(key, "text")
    if isinstance(operand.value, int | float) and not isinstance(operand.value, bool):
        value = f"(case when jsonb_typeof({expr} -> {name}) = 'number' then ({expr} -> {name})::numeric end)"
        return f"{value} {symbol} {params.add(operand.value, 'numeric')}"
    value = f"(case when ({expr} ->> {name}) ~ {ISO_DATE} then ({expr} ->> {name}) end)"
    return f"{value} {symbol} {params.add(str(operand.value), 'text')}"


def filter_sql(table: Table, node: FilterNode | None, alias: str, params: Params) -> str:
    """A boolean SQL expression for the filter (`true` when there is none)."""
    if node is None:
        return "true"
    if isinstance(node, Cond):
        spec = table.filters.get(node.field)
        if spec is None:
            raise ValueError(f"{table.name} cannot be filtered by {node.field}")
        return _condition(spec, node, alias, params)
    if isinstance(node, Not):
        return f"not coalesce(({filter_sql(table, node.item, alias, params)}), false)"
    parts = [f"({filter_sql(table, item, alias, params)})" for item in node.items]
    if not parts:
        return "true" if isinstance(node, AllOf) else "false"
    return (" and " if isinstance(node, AllOf) else " or ").join(parts)


def ordering(table: Table, name: str) -> Ordering:
    try:
        return table.orderings[name]
    except KeyError:
        raise ValueError(f"{table.name} cannot be ordered by {name}") from None


def order_sql(order: Ordering, alias: str) -> str:
    direction = "desc" if order.descending else "asc"
    return f"{order.key.replace('{t}', alias)} {direction}, {alias}.id {direction}"


def cursor_sql(order_name: str, order: Ordering, alias: str) -> str:
    """The cursor of a row, made in SQL so that every read path returns the very same string."""
    key = order.key.replace("{t}", alias)
    return (
        f"translate(encode(convert_to(json_build_array('{order_name}', {key}, {alias}.id)::text, 'UTF8'), "
        "'base64'), E'\\n', '')"
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


def keyset_sql(order: Ordering, alias: str, after: Keyset, params: Params) -> str:
    key = order.key.replace("{t}", alias)
    value = _keyset_value(order, after.key)
    try:
        row_id = str(uuid.UUID(after.id))
    except ValueError as exc:
        raise InvalidCursor("not a cursor of this API") from exc
    # timestamps and dates travel as text and are parsed by Postgres, exactly as it printed them
    placeholder = params.add(value, "integer" if order.kind is Kind.INT else "text")
    if order.kind not in (Kind.INT, Kind.TEXT):
        placeholder += f"::{PG_TYPE[order.kind]}"
    symbol = "<" if order.descending else ">"
    return f"({key}, {alias}.id) {symbol} ({placeholder}, {params.add(row_id, 'uuid')})"


def page_where(table: Table, args: PageArgs, alias: str, params: Params) -> str:
    where = filter_sql(table, args.filter, alias, params)
    if args.after is not None:
        where = f"({where}) and {keyset_sql(ordering(table, args.order), alias, args.after, params)}"
    return where


def _searches(node: FilterNode | None) -> bool:
    if node is None:
        return False
    if isinstance(node, Cond):
        return node.op == "search"
    if isinstance(node, Not):
        return _searches(node.item)
    return any(_searches(item) for item in node.items)


# Orderings of leads with per-scope indexes (migration 20261125210000_scoped_lead_pages.sql).
SCOPED_LEAD_ORDERS = frozenset({"score_desc", "score_asc", "created_at_desc", "created_at_asc"})


def scoped_lead_source(table: Table, args: PageArgs, alias: str, params: Params) -> str:
    """A root page of leads as the union of the same page in each scope the leads_select policy admits.

    The policy admits a lead that is the caller's personal one, or in a space the caller belongs to, or any lead
    for a platform admin. Walking one global sort index under that policy reads most of the table for a caller
    whose few leads sort late; per scope, each page comes from an index that starts with the scope. RLS still
    applies to every row: the branches only choose where to look. tests/test_scoped_lead_pages.py compares the
    result with the plain query for every persona, and pins the policy's text."""
    order = ordering(table, args.order)
    where = page_where(table, args, alias, params)
    ordered = order_sql(order, alias)
    limit = page_limit(args.first)
    columns = columns_sql(table, alias)
    admin = "(select leadgen.is_platform_admin())"

    def branch(scope: str) -> str:
        rows = f"select {columns} from {table.qualified} {alias} where {scope} and ({where})"
        return f"{rows} order by {ordered} limit {limit}"

    return (
        f"(({branch(admin)})"
        f" union all ({branch(f'not {admin} and {alias}.space_id is null and {alias}.user_id = (select auth.uid())')})"
        f" union all (select x.* from leadgen.readable_space_ids() as s (id) cross join lateral ("
        f"{branch(f'not {admin} and {alias}.space_id = s.id')}) x)) {alias}"
    )


def root_source(table: Table, args: PageArgs, alias: str, params: Params) -> tuple[str, str]:
    """FROM and WHERE of a root page.

    A full-text search is fenced off (`offset 0`) so that Postgres finds the matches through the GIN index
    first and then sorts them, rather than walking the sort index hoping to meet matches soon (which reads
    the whole table when a word is rare or absent). Leads by score or creation time are read scope by scope
    (scoped_lead_source)."""
    if not _searches(args.filter):
        if table.name == "leads" and args.order in SCOPED_LEAD_ORDERS:
            return scoped_lead_source(table, args, alias, params), "true"
        return f"{table.qualified} {alias}", page_where(table, args, alias, params)
    inner = filter_sql(table, args.filter, alias, params)
    source = f"(select {columns_sql(table, alias)} from {table.qualified} {alias} where {inner} offset 0) {alias}"
    where = "true"
    if args.after is not None:
        where = keyset_sql(ordering(table, args.order), alias, args.after, params)
    return source, where


def page_limit(first: int) -> str:
    """LIMIT of a page: `first + 1` rows (the extra one tells whether more follow), as a literal.

    Written into the statement, not bound: with a bound limit Postgres prices the generic plan for an unknown
    row count, never prefers it, and so re-plans every execution (~0.7 ms on the dashboard query)."""
    return str(int(first) + 1)


def page_sql(table: Table, args: PageArgs, params: Params) -> str:
    """One page of a root connection: `first + 1` rows (the extra one tells whether more follow)."""
    order = ordering(table, args.order)
    source, where = root_source(table, args, "t", params)
    limit = page_limit(args.first)
    return (
        f"select {columns_sql(table, 't')}, {cursor_sql(args.order, order, 't')} as _cursor "
        f"from {source} where {where} order by {order_sql(order, 't')} limit {limit}"
    )


def count_sql(table: Table, node: FilterNode | None, params: Params) -> str:
    return f"select count(*) from {table.qualified} t where {filter_sql(table, node, 't', params)}"


def by_ids_sql(table: Table) -> str:
    return f"select {columns_sql(table, 't')} from {table.qualified} t where t.id = any($1::uuid[])"


def related_from(relation: ToMany, target: Table, parent: str, alias: str = "t", via: str = "v") -> str:
    """FROM ... WHERE of the rows of `relation` that belong to the parent id expression `parent`."""
    if relation.via:
        return (
            f"public.{relation.via} {via} join {target.qualified} {alias} "
            f"on {alias}.id = {via}.{relation.via_target_fk} where {via}.{relation.via_fk} = {parent}"
        )
    return f"{target.qualified} {alias} where {alias}.{relation.fk} = {parent}"


def children_page_sql(relation: ToMany, target: Table, args: PageArgs, params: Params) -> str:
    """One page of a to-many connection for each parent id in $1, in one statement.

    `params` must hold exactly one value already: the parent ids."""
    assert len(params.values) == 1, "$1 is reserved for the parent ids"
    order = ordering(target, args.order)
    where = page_where(target, args, "t", params)
    limit = page_limit(args.first)
    return (
        "select x.* from unnest($1::uuid[]) as p(_parent) cross join lateral ("
        f"select {columns_sql(target, 't')}, {cursor_sql(args.order, order, 't')} as _cursor, p._parent "
        f"from {related_from(relation, target, 'p._parent')} and {where} "
        f"order by {order_sql(order, 't')} limit {limit}) x"
    )


def children_count_sql(relation: ToMany, target: Table, node: FilterNode | None, params: Params) -> str:
    """The number of related rows of each parent id in $1 (`params` holds the parent ids only)."""
    assert len(params.values) == 1, "$1 is reserved for the parent ids"
    where = filter_sql(target, node, "t", params)
    return (
        "select p._parent, (select count(*) from "
        f"{related_from(relation, target, 'p._parent')} and {where}) as total "
        "from unnest($1::uuid[]) as p(_parent)"
    )


def children_list_sql(relation: ToMany, target: Table) -> str:
    """Every child row (an unpaginated list) of the parent ids in $1, in the relation's order."""
    order = ordering(target, relation.default_order)
    return (
        f"select {columns_sql(target, 't')}, t.{relation.fk} as _parent from {target.qualified} t "
        f"where t.{relation.fk} = any($1::uuid[]) order by {order_sql(order, 't')}"
    )
