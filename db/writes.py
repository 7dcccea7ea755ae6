"""INSERT/UPDATE/DELETE statements for the catalog's tables; column names come from code, values are $n."""

from __future__ import annotations

from collections.abc import Sequence

from db.catalog import Table
from db.sql_builder import PG_TYPE, FilterNode, Params, columns_sql, filter_sql


def _cast(table: Table, column: str) -> str:
    return PG_TYPE[table.columns[column]]


def insert_sql(table: Table, columns: Sequence[str]) -> str:
    if not columns:
        return f"insert into {table.qualified} as t default values returning {columns_sql(table, 't')}"
    names = ", ".join(columns)
    values = ", ".join(f"${i}::{_cast(table, c)}" for i, c in enumerate(columns, start=1))
    return f"insert into {table.qualified} as t ({names}) values ({values}) returning {columns_sql(table, 't')}"


def update_sql(table: Table, columns: Sequence[str]) -> str:
    """UPDATE of one row: $1 is the id, the new values follow in `columns` order."""
    assignments = ", ".join(f"{c} = ${i}::{_cast(table, c)}" for i, c in enumerate(columns, start=2))
    return f"update {table.qualified} as t set {assignments} where t.id = $1 returning {columns_sql(table, 't')}"


def delete_sql(table: Table) -> str:
    return f"delete from {table.qualified} as t where t.id = any($1::uuid[]) returning t.id"


def exists_sql(table: Table) -> str:
    """Is the row visible to the caller? (Tells NOT_FOUND from FORBIDDEN after a write touched nothing.)"""
    return f"select exists (select 1 from {table.qualified} t where t.id = $1)"


def bulk_update_sql(table: Table, columns: Sequence[str], node: FilterNode | None, params: Params) -> str:
    """UPDATE of every row matching the filter; `params` already holds the new values ($1..$k)."""
    assignments = ", ".join(f"{c} = ${i}::{_cast(table, c)}" for i, c in enumerate(columns, start=1))
    where = filter_sql(table, node, "t", params)
    return f"update {table.qualified} as t set {assignments} where {where} returning {columns_sql(table, 't')}"


def count_at_most_sql(table: Table, node: FilterNode | None, params: Params, limit_placeholder: str) -> str:
    """How many rows match, counting no further than the limit."""
    where = filter_sql(table, node, "t", params)
    return f"select count(*) from (select 1 from {table.qualified} t where {where} limit {limit_placeholder}) x"
