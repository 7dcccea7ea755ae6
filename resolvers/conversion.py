"""Convert leads into customers and log activities on them, as the caller (RLS decides who may)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from db import conversion, writes
from db.catalog import table
from domain.errors import AppError, not_found
from resolvers.context import Context
from resolvers.reads import row_by_id


@dataclass(frozen=True)
class Conversion:
    customer: asyncpg.Record
    lead: asyncpg.Record
    created: bool  # this call created the customer


async def convert_lead(ctx: Context, lead_id: uuid.UUID) -> Conversion:
    """The lead's customer: created from the lead and its company on the first call, the same one afterwards.

    The first conversion also marks the lead converted (status too) and logs a `converted` activity. Safe under
    concurrency: customers.lead_id is unique, so racing calls all get the one customer the first one made."""
    found = await ctx.session.fetchrow(conversion.LEAD_AND_CUSTOMER, lead_id)
    if found is None:
        raise not_found("Lead")
    customer: asyncpg.Record | None = found if found["id"] is not None else None
    created = False
    if customer is None:
        customer = await ctx.session.fetchrow(conversion.CREATE_CUSTOMER, lead_id)
        created = customer is not None
    if customer is None:  # a concurrent conversion committed first
        customer = await ctx.session.fetchrow(conversion.CUSTOMER_OF_LEAD, lead_id)
        if customer is None:
            raise AppError("CONFLICT", "the lead was converted to a customer you cannot see")
    if created or found["_lead_customer_id"] != customer["id"] or not found["_lead_converted"]:
        link = await ctx.session.fetchrow(conversion.LINK_LEAD, lead_id, customer["id"])
        assert link is not None
        if link["linked"] == 0 and not link["already"]:
            raise AppError("FORBIDDEN", "not allowed to convert this lead")
    ctx.loaders.forget("leads", str(lead_id))
    lead = await row_by_id(ctx, "leads", lead_id)
    if lead is None:
        raise not_found("Lead")
    return Conversion(customer=customer, lead=lead, created=created)


async def log_activity(ctx: Context, values: Mapping[str, Any]) -> asyncpg.Record:
    """Add an activity to a lead the caller can see (NOT_FOUND otherwise); its triggers keep the lead current."""
    lead_id = values["lead_id"]
    if await row_by_id(ctx, "leads", lead_id) is None:
        raise not_found("Lead")
    columns = list(values)
    row = await ctx.session.fetchrow(
        writes.insert_sql(table("lead_activities"), columns), *(values[c] for c in columns)
    )
    assert row is not None
    ctx.loaders.forget("leads", str(lead_id))
    return row
