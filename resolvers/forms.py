"""The form builder: field definitions checked (Postgres judges patterns), publishing, reordering fields."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import asyncpg

from db import forms as sql
from domain.errors import AppError, bad_input, not_found
from domain.form_definitions import (
    FieldDefinition,
    PatternVerdicts,
    field_problems,
    patterns_to_judge,
    publish_problems,
    raise_problems,
)
from resolvers.context import Context
from resolvers.reads import row_by_id

DEFINITION_COLUMNS = ("field_type", "options", "validation_rules")


def _definition(values: Mapping[str, Any]) -> FieldDefinition:
    return FieldDefinition(
        name=str(values.get("field_name") or ""),
        type=str(values.get("field_type")),
        required=bool(values.get("is_required")),
        options=values.get("options", []),
        rules=values.get("validation_rules", {}),
    )


async def pattern_verdicts(ctx: Context, definitions: Iterable[FieldDefinition]) -> PatternVerdicts:
    """What Postgres, which matches submissions, says of each pattern (leadgen.regex_problem): one statement."""
    patterns = patterns_to_judge(definitions)
    if not patterns:
        return {}
    return {row["pattern"]: row["problem"] for row in await ctx.session.fetch(sql.REGEX_PROBLEMS, patterns)}


async def check_field_definition(ctx: Context, values: Mapping[str, Any], path: str) -> None:
    """A new field's definition (`values`: its columns as written, defaults for the rest)."""
    definition = _definition({"options": [], "validation_rules": {}, **values})
    verdicts = await pattern_verdicts(ctx, [definition])
    raise_problems(field_problems(definition, path, verdicts), f"{path} is not a valid field definition")


async def check_field_patch(ctx: Context, field_id: uuid.UUID, patch: Mapping[str, Any], path: str) -> None:
    """A change of type, options or rules must leave a valid definition (the rest as it is now).

    A field the caller cannot see is left to the update itself, which says NOT_FOUND."""
    if not any(column in patch for column in DEFINITION_COLUMNS):
        return
    current = await row_by_id(ctx, "lead_form_fields", field_id)
    if current is None:
        return
    merged = {column: current[column] for column in ("field_name", "is_required", *DEFINITION_COLUMNS)}
    await check_field_definition(ctx, {**merged, **patch}, path)


async def _visible_form(ctx: Context, form_id: uuid.UUID) -> asyncpg.Record:
    form = await row_by_id(ctx, "lead_forms", form_id)
    if form is None:
        raise not_found("LeadForm")
    return form


async def publish_form(ctx: Context, form_id: uuid.UUID) -> asyncpg.Record:
    """Publish a form whose fields and settings are all valid (at least one field besides a honeypot)."""
    form = await _visible_form(ctx, form_id)
    definitions = [_definition(dict(row)) for row in await ctx.session.fetch(sql.FORM_FIELDS, form_id)]
    verdicts = await pattern_verdicts(ctx, definitions)
    problems = publish_problems(form["form_settings"], definitions, verdicts)
    raise_problems(problems, "the form cannot be published")
    return await _set_published(ctx, form_id, sql.PUBLISH_FORM, "publish")


async def unpublish_form(ctx: Context, form_id: uuid.UUID) -> asyncpg.Record:
    await _visible_form(ctx, form_id)
    return await _set_published(ctx, form_id, sql.UNPUBLISH_FORM, "unpublish")


async def _set_published(ctx: Context, form_id: uuid.UUID, statement: str, verb: str) -> asyncpg.Record:
    row = await ctx.session.fetchrow(statement, form_id)
    if row is None:  # visible (checked), so RLS refused the change: a viewer or member of the space
        raise AppError("FORBIDDEN", f"not allowed to {verb} this form")
    ctx.loaders.forget("lead_forms", str(form_id))
    return row


async def reorder_fields(ctx: Context, form_id: uuid.UUID, field_ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
    """Give the form's fields the positions 0..n-1 in the order of `field_ids`, exactly the form's fields."""
    if len(set(field_ids)) != len(field_ids):
        raise bad_input("fieldIds", "fieldIds: a field is listed more than once")
    await _visible_form(ctx, form_id)
    current = {row["id"] for row in await ctx.session.fetch(sql.FORM_FIELDS, form_id)}
    if current != set(field_ids):
        missing, foreign = len(current - set(field_ids)), len(set(field_ids) - current)
        raise bad_input(
            "fieldIds",
            f"fieldIds: must list each of the form's {len(current)} fields exactly once "
            f"({missing} missing, {foreign} not of this form)",
        )
    if not field_ids:
        return []
    rows = await ctx.session.fetch(sql.REORDER_FIELDS, form_id, list(field_ids))
    if not rows:
        raise AppError("FORBIDDEN", "not allowed to change this form's fields")
    if len(rows) != len(field_ids):  # a field was added or removed meanwhile: the mutation rolls back
        raise AppError("CONFLICT", "the form's fields changed meanwhile; nothing was reordered")
    for row in rows:
        ctx.loaders.forget("lead_form_fields", str(row["id"]))
    return sorted(rows, key=lambda row: row["field_order"])
