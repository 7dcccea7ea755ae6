"""INSERT/UPDATE/DELETE statements for the catalog's tables; column names come from code, values are $n."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from db.catalog import Table
from db.filter_sql import PG_TYPE, FilterNode, filter_sql
from db.sql import Sql, value
from db.sql_builder import columns_sql


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


def bulk_update_sql(table: Table, values: Mapping[str, Any], node: FilterNode | None) -> Sql:
    """UPDATE of every row matching the filter to the new `values` (by column)."""
    assignments = Sql(", ").join(Sql(f"{c} = ", value(v, _cast(table, c))) for c, v in values.items())
    where = filter_sql(table, node, "t")
    return Sql(
        f"update {table.qualified} as t set ", assignments, " where ", where, f" returning {columns_sql(table, 't')}"
    )


def count_at_most_sql(table: Table, node: FilterNode | None, limit: int) -> Sql:
    """How many rows match, counting no further than `limit`."""
    where = filter_sql(table, node, "t")
    return Sql(
        f"select count(*) from (select 1 from {table.qualified} t where ",
        where,
        " limit ",
        value(limit, "integer"),
        ") x",
    )
