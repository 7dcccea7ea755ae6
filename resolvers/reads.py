"""Reads of root collections and single rows, under the caller's RLS."""

from __future__ import annotations

import asyncpg

from dataloaders.page import Page
from db import sql_builder as sb
from db.catalog import table
from resolvers.context import Context


async def root_page(ctx: Context, table_name: str, args: sb.PageArgs) -> Page:
    sql = sb.page_sql(table(table_name), args).render()
    rows = await ctx.session.fetch(sql.text, *sql.values)
    return Page.from_rows(rows, args.first, after_given=args.after is not None)


async def root_count(ctx: Context, table_name: str, node: sb.FilterNode | None) -> int:
    sql = sb.count_sql(table(table_name), node).render()
    return int(await ctx.session.fetchval(sql.text, *sql.values))


async def row_by_id(ctx: Context, table_name: str, row_id: object) -> asyncpg.Record | None:
    if row_id is None:
        return None
    return await ctx.loaders.rows_by_id(table_name).load(str(row_id))
