"""`update_field`: set one field of the lead, checked as the API checks it, as the workflow's owner under RLS.

Config: {"field": "<field>", "value": <value>} where field is one of
    status     one of new, contacted, qualified, unqualified, nurturing, converted, lost (any case)
    jobTitle / job_title, authority, timeline      text, at most 200 characters, or null
    phone                                          text, at most 50 characters, or null
    need                                           text, at most 2,000 characters, or null
    budget                                         a number >= 0 (or its text, e.g. "1500.50"), or null
    customFields.<name> / custom_fields.<name>     any JSON value (null removes it), checked when the step runs
                                                   against the custom field definitions of the lead's scope
                                                   (leadgen.custom_field_problems, as createLead/updateLead do)
A custom field value the definitions refuse, or a lead the owner may not change, fails the step permanently.

Output: {"field", "previous", "value"} (text for columns, JSON for custom fields).
"""

from __future__ import annotations

import decimal
import re
from collections.abc import Mapping
from typing import Any

from db import custom_fields as custom_sql
from db import workflow_actions as sql
from domain.workflows.actions.base import ActionContext, PermanentActionError, StepOutcome, unknown_keys
from domain.workflows.conditions import LEAD_STATUSES, Problem

TEXT_LIMITS = {"job_title": 200, "phone": 50, "authority": 200, "need": 2000, "timeline": 200}
COLUMNS = ("status", "budget", *TEXT_LIMITS)
ALIASES = {"jobTitle": "job_title", **{c: c for c in COLUMNS}}
CUSTOM_PREFIXES = ("customFields.", "custom_fields.")
CUSTOM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MAX_BUDGET = decimal.Decimal("999999999999.99")  # numeric(14, 2)
MAX_CUSTOM_JSON = 10_000


def _custom_name(field: str) -> str | None:
    for prefix in CUSTOM_PREFIXES:
        if field.startswith(prefix):
            return field[len(prefix) :]
    return None


def _budget(value: Any) -> decimal.Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        amount = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        return None
    if not amount.is_finite() or amount < 0 or amount > MAX_BUDGET:
        return None
    return amount.quantize(decimal.Decimal("0.01"))


def value_problem(column: str, value: Any) -> str | None:
    """Why `value` cannot go into the lead column, or None."""
    if column == "status":
        if not isinstance(value, str) or value.lower() not in LEAD_STATUSES:
            return f"must be one of: {', '.join(LEAD_STATUSES)}"
        return None
    if value is None:
        return None
    if column == "budget":
        return None if _budget(value) is not None else f"must be a number from 0 to {MAX_BUDGET}, or null"
    if not isinstance(value, str):
        return "must be text, or null"
    limit = TEXT_LIMITS[column]
    return f"at most {limit} characters" if len(value) > limit else None


class UpdateFieldAction:
    type = "update_field"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        problems = unknown_keys(config, ("field", "value"), self.type)
        field = config.get("field")
        allowed = ", ".join([*ALIASES, "customFields.<name>"])
        if not isinstance(field, str):
            return [*problems, ("field", f"required: one of {allowed}")]
        if "value" not in config:
            problems.append(("value", "required (null clears the field, except status)"))
        custom = _custom_name(field)
        if custom is not None:
            if not CUSTOM_NAME.match(custom):
                problems.append(("field", "customFields.<name>: a custom field's name (a-z, 0-9, _)"))
            elif len(repr(config.get("value"))) > MAX_CUSTOM_JSON:
                problems.append(("value", f"at most {MAX_CUSTOM_JSON} characters of JSON"))
            return problems
        column = ALIASES.get(field)
        if column is None:
            return [*problems, ("field", f"not a field a workflow may set; one of {allowed}")]
        if "value" in config and (problem := value_problem(column, config["value"])) is not None:
            problems.append(("value", problem))
        return problems

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        field = str(config["field"])
        value = config.get("value")
        lead_id = ctx.lead["id"]
        custom = _custom_name(field)
        if custom is not None:
            current = ctx.lead.get("custom_fields")
            values = dict(current) if isinstance(current, Mapping) else {}
            if value is None:
                values.pop(custom, None)
            else:
                values[custom] = value
            found = await ctx.session.fetch(custom_sql.PROBLEMS_OF_LEAD, lead_id, values, False, None)
            if found:
                listed = "; ".join(f"customFields.{r['field_name']}: {r['problem']}" for r in found)
                raise PermanentActionError(f"the custom field value is refused ({listed})")
            row = await ctx.session.fetchrow(sql.SET_CUSTOM_FIELD, lead_id, custom, value)
            name = f"customFields.{custom}"
        else:
            column = ALIASES[field]
            parameter: Any = value
            if column == "status":
                parameter = str(value).lower()
            elif column == "budget" and value is not None:
                parameter = _budget(value)
            row = await ctx.session.fetchrow(sql.SET_COLUMN[column], lead_id, parameter)
            name = column
        if row is None:
            raise PermanentActionError("the workflow's owner may not change this lead (row level security)")
        return StepOutcome(output={"field": name, "previous": row["previous"], "value": row["current"]})
