"""Create, update and delete rows as the caller; tell NOT_FOUND from FORBIDDEN when nothing was touched."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from db import writes
from db.catalog import table
from db.filter_sql import FilterNode
from domain.errors import AppError, bad_input, not_found
from resolvers.context import Context


async def create_row(ctx: Context, table_name: str, values: Mapping[str, Any]) -> asyncpg.Record:
    spec = table(table_name)
    columns = list(values)
    row = await ctx.session.fetchrow(writes.insert_sql(spec, columns), *(values[c] for c in columns))
    assert row is not None  # INSERT ... RETURNING returns the row or raises
    return row


async def _refused(ctx: Context, table_name: str, row_id: Any, what: str, noun: str) -> AppError:
    """Nothing was touched: the row is invisible (NOT_FOUND) or visible but not the caller's to change."""
    visible = await ctx.session.fetchval(writes.exists_sql(table(table_name)), row_id)
    if visible:
        return AppError("FORBIDDEN", f"not allowed to {what} this {noun}")
    return not_found(noun)


async def update_row(
    ctx: Context, table_name: str, row_id: Any, values: Mapping[str, Any], noun: str
) -> asyncpg.Record:
    spec = table(table_name)
    if not values:
        row = await ctx.loaders.rows_by_id(table_name).load(str(row_id))
        if row is None:
            raise not_found(noun)
        return row
    columns = list(values)
    row = await ctx.session.fetchrow(writes.update_sql(spec, columns), row_id, *(values[c] for c in columns))
    if row is None:
        raise await _refused(ctx, table_name, row_id, "change", noun)
    ctx.loaders.forget(table_name, str(row_id))
    return row


async def delete_rows(ctx: Context, table_name: str, row_ids: Sequence[Any]) -> list[str]:
    rows = await ctx.session.fetch(writes.delete_sql(table(table_name)), list(row_ids))
    for row in rows:
        ctx.loaders.forget(table_name, str(row["id"]))
    return [str(row["id"]) for row in rows]


async def delete_row(ctx: Context, table_name: str, row_id: Any, noun: str) -> str:
    deleted = await delete_rows(ctx, table_name, [row_id])
    if not deleted:
        raise await _refused(ctx, table_name, row_id, "delete", noun)
    return deleted[0]


async def update_matching(
    ctx: Context, table_name: str, node: FilterNode | None, values: Mapping[str, Any], at_most: int
) -> list[asyncpg.Record]:
    """Update every row the filter matches, refusing (and writing nothing) if that is more than `at_most`."""
    if at_most < 1 or at_most > ctx.limits.max_bulk_rows:
        raise bad_input("atMost", f"atMost must be between 1 and {ctx.limits.max_bulk_rows}")
    if not values:
        raise bad_input("patch", "patch: nothing to change")
    spec = table(table_name)
    count = writes.count_at_most_sql(spec, node, at_most + 1).render()
    matching = await ctx.session.fetchval(count.text, *count.values)
    if matching > at_most:
        raise bad_input("atMost", f"the filter matches more than {at_most} rows; nothing was changed")
    update = writes.bulk_update_sql(spec, values, node).render()
    rows = await ctx.session.fetch(update.text, *update.values)
    if len(rows) > at_most:  # rows appeared between the count and the update: the whole mutation rolls back
        raise bad_input("atMost", f"the filter matched more than {at_most} rows; nothing was changed")
    for row in rows:
        ctx.loaders.forget(table_name, str(row["id"]))
    return list(rows)
