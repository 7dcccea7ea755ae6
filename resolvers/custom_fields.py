"""Check leads' custom field values against their scope's definitions before writing them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from db import custom_fields
from db.filter_sql import FilterNode
from domain.errors import bad_input
from resolvers.context import Context


def _refuse(rows: Sequence[asyncpg.Record], field: str) -> None:
    """BAD_USER_INPUT on `field`, listing every failing key as `extensions.fields` [{field, message}] with the
    key's path (`input.customFields.tier`), like the other per-field errors of the API."""
    if not rows:
        return
    problems = [{"field": f"{field}.{row['field_name']}", "message": row["problem"]} for row in rows]
    keys = ", ".join(dict.fromkeys(row["field_name"] for row in rows))
    raise bad_input(field, f"{field}: invalid custom field values ({keys})", fields=problems)


async def check_new_lead(ctx: Context, values: Mapping[str, Any], field: str) -> None:
    """A lead about to be created: its values (none given counts as {}) in the scope it is created in."""
    given = values.get("custom_fields") or {}
    if given == {}:
        rows = await ctx.session.fetch(custom_fields.REQUIRED_OF_NEW_LEAD, values.get("space_id"))
    else:
        rows = await ctx.session.fetch(custom_fields.PROBLEMS_OF_NEW_LEAD, given, values.get("space_id"))
    _refuse(rows, field)


async def check_lead_update(ctx: Context, lead_id: uuid.UUID, values: Mapping[str, Any], field: str) -> None:
    """A patch of one lead that sets its custom fields, in the scope the lead will be in."""
    if "custom_fields" not in values:
        return
    moves = "space_id" in values
    rows = await ctx.session.fetch(
        custom_fields.PROBLEMS_OF_LEAD, lead_id, values["custom_fields"], moves, values.get("space_id")
    )
    _refuse(rows, field)


async def check_bulk_update(
    ctx: Context, node: FilterNode | None, values: Mapping[str, Any], at_most: int, field: str
) -> None:
    """A patch of every lead a filter matches that sets their custom fields: checked in each scope involved."""
    if "custom_fields" not in values:
        return
    moves = "space_id" in values
    sql = custom_fields.problems_of_matching_sql(
        node, values["custom_fields"], moves, values.get("space_id"), max(at_most, 0) + 1
    ).render()
    _refuse(await ctx.session.fetch(sql.text, *sql.values), field)
