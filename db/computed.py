"""Values computed in SQL for a batch of rows (catalog.Computed), for the general read path's loader."""

from __future__ import annotations

from db.catalog import Table


def computed_sql(table: Table, alias: str) -> str:
    """`expr as name, ...` of every computed value of `table`, for rows under `alias`."""
    return ", ".join(f"{c.expr.replace('{t}', alias)} as {name}" for name, c in table.computed.items())


def computed_by_ids_sql(table: Table) -> str:
    """Every computed value of the rows whose ids are in $1 (one statement for the whole batch)."""
    return f"select t.id, {computed_sql(table, 't')} from {table.qualified} t where t.id = any($1::uuid[])"
