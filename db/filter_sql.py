"""Filters as the data layer sees them (a tree of conditions on catalog filters), and their SQL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from db.catalog import FilterField, Kind, Table
from db.sql import Sql, value

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
    """`field` (a key of the table's catalog filters) `op` `value`."""

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

COMPARISONS = {"eq": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
ISO_DATE = "'^[0-9]{4}-[0-9]{2}-[0-9]{2}$'"


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _condition(spec: FilterField, cond: Cond, alias: str) -> Sql:
    if cond.op not in spec.ops:
        raise ValueError(f"operator {cond.op} is not allowed on {cond.field}")
    pg = PG_TYPE[spec.kind]
    if spec.test is not None:
        if spec.any_of:  # a relation test such as "in this campaign"
            values = cond.value if cond.op == "in" else [cond.value]
            return spec.test(alias, Sql("= any(", value(list(values), pg + "[]"), ")"))
        return spec.test(alias, value(cond.value, pg))
    expr = spec.expr(alias)
    if spec.kind is Kind.JSONB:
        return _json_key_condition(expr, cond)
    op = cond.op
    if op == "is_null":
        return Sql(expr, " is null" if cond.value else " is not null")
    if op == "in":
        return Sql(expr, " = any(", value(list(cond.value), pg + "[]"), ")")
    if op == "contains":
        return Sql(expr, " ilike ", value("%" + _like_escape(str(cond.value)) + "%", "text"))
    if op == "starts_with":
        return Sql(expr, " ilike ", value(_like_escape(str(cond.value)) + "%", "text"))
    if op == "neq":
        return Sql(expr, " is distinct from ", value(cond.value, pg))
    return Sql(expr, f" {COMPARISONS[op]} ", value(cond.value, pg))


def _json_key_condition(expr: Sql, cond: Cond) -> Sql:
    """A condition on the value under one key of a JSON object column.

    Equality, `in` and `contains` (an option of a list) are JSON containment, so values compare as JSON does
    (10 = 10.0, "10" <> 10). Ranges compare numbers as numbers and dates (YYYY-MM-DD strings) as dates; a value
    of another type matches no range and never raises. `is_null`: the key is missing or JSON null."""
    operand = cond.value
    if not isinstance(operand, KeyValue):
        raise ValueError(f"{cond.field}: a condition on a key needs a KeyValue")
    op, key = cond.op, operand.key
    if op == "eq":
        return Sql(expr, " @> ", value({key: operand.value}, "jsonb"))
    if op == "in":
        return Sql(expr, " @> any(", value([{key: v} for v in operand.value], "jsonb[]"), ")")
    if op == "contains":
        return Sql(expr, " @> ", value({key: [operand.value]}, "jsonb"))
    if op == "is_null":
        missing = Sql("coalesce(", expr, " -> ", value(key, "text"), ", 'null'::jsonb) = 'null'::jsonb")
        return missing if operand.value else Sql("not (", missing, ")")
    symbol = f" {COMPARISONS[op]} "
    name = value(key, "text")  # one placeholder, written three times
    if isinstance(operand.value, int | float) and not isinstance(operand.value, bool):
        number = Sql("(case when jsonb_typeof(", expr, " -> ", name, ") = 'number' then (", expr, " -> ", name)
        return Sql(number, ")::numeric end)", symbol, value(operand.value, "numeric"))
    text = Sql("(", expr, " ->> ", name, ")")
    date = Sql("(case when ", text, f" ~ {ISO_DATE} then ", text, " end)")
    return Sql(date, symbol, value(str(operand.value), "text"))


def filter_sql(table: Table, node: FilterNode | None, alias: str) -> Sql:
    """A boolean SQL expression for the filter (`true` when there is none)."""
    if node is None:
        return Sql("true")
    if isinstance(node, Cond):
        spec = table.filters.get(node.field)
        if spec is None:
            raise ValueError(f"{table.name} cannot be filtered by {node.field}")
        return _condition(spec, node, alias)
    if isinstance(node, Not):
        return Sql("not coalesce((", filter_sql(table, node.item, alias), "), false)")
    parts = [Sql("(", filter_sql(table, item, alias), ")") for item in node.items]
    if not parts:
        return Sql("true" if isinstance(node, AllOf) else "false")
    return Sql(" and " if isinstance(node, AllOf) else " or ").join(parts)


def searches(node: FilterNode | None) -> bool:
    """Whether the filter has a full-text search anywhere."""
    if node is None:
        return False
    if isinstance(node, Cond):
        return node.op == "search"
    if isinstance(node, Not):
        return searches(node.item)
    return any(searches(item) for item in node.items)
