"""Workflows as the caller: definitions checked by type, activation, manual runs, cancel and retry.

Trigger conditions are checked by domain/workflows/conditions.py, action configs by the action registry (each
action validates its own config); a problem is a BAD_USER_INPUT naming the field (`input.actionConfig.note`) and
`extensions.fields` lists them all. Activation re-checks the whole stored definition (it may have been written
past the API) and needs at least one trigger and one action. Runs, cancellations and retries go through
leadgen.run_workflow / cancel_workflow_execution / retry_workflow_execution, which check that the caller manages
the workflow; every read here is the caller's, under RLS.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg

from db import workflows as sql
from domain.database_errors import Wording, function_error
from domain.errors import AppError, bad_input, not_found
from domain.form_definitions import Problem, raise_problems
from domain.workflows import step_secrets
from domain.workflows.actions.registry import default_registry
from domain.workflows.conditions import Problem as ConfigProblem
from domain.workflows.conditions import trigger_problems
from domain.workflows.step_secrets import kept_after, stand_ins
from resolvers.context import Context
from resolvers.reads import row_by_id
from resolvers.writes import create_row, update_row

REGISTRY = default_registry()
EXECUTIONS = "lead_workflow_executions"
ACTIONS = "lead_workflow_actions"


def _at(path: str, problems: Sequence[ConfigProblem]) -> list[Problem]:
    return [Problem(f"{path}.{field}" if field else path, message) for field, message in problems]


async def _merged(
    ctx: Context, table: str, row_id: uuid.UUID | None, values: Mapping[str, Any], columns: tuple[str, str]
) -> dict[str, Any] | None:
    """The definition after a write: the values written over the current row (None: invisible, the write reports)."""
    if row_id is None or all(c in values for c in columns):
        return dict(values)
    current = await row_by_id(ctx, table, row_id)
    return None if current is None else {**{c: current[c] for c in columns}, **values}


async def check_trigger(ctx: Context, values: Mapping[str, Any], path: str, row_id: uuid.UUID | None = None) -> None:
    """A trigger's conditions must suit its type (on create: `row_id` None; on update: the merged result)."""
    if row_id is not None and not ({"trigger_type", "trigger_conditions"} & set(values)):
        return
    merged = await _merged(ctx, "lead_workflow_triggers", row_id, values, ("trigger_type", "trigger_conditions"))
    if merged is None:
        return
    problems = trigger_problems(str(merged["trigger_type"]), merged.get("trigger_conditions", {}))
    raise_problems(_at(f"{path}.triggerConditions", problems), f"{path} is not a valid trigger")


async def check_action(ctx: Context, values: Mapping[str, Any], path: str, row_id: uuid.UUID | None = None) -> None:
    """An action's config must suit its type (each action validates its own config); stored secrets the write
    keeps count as given (step_secrets.kept_after)."""
    if row_id is not None and not ({"action_type", "action_config"} & set(values)):
        return
    current = None if row_id is None else await row_by_id(ctx, ACTIONS, row_id)
    if row_id is not None and current is None:
        return  # invisible: the write reports it
    action_type = str(values["action_type"] if "action_type" in values else current and current["action_type"])
    if "action_config" in values:
        config = values["action_config"]
    else:
        config = current["action_config"] if current is not None else {}
    if current is not None and isinstance(config, Mapping):
        hint = current["secrets_hint"]
        kept = kept_after(action_type, hint if isinstance(hint, Mapping) else (), current["action_config"], config)
        config = {**config, **stand_ins(hint, kept)}
    problems = REGISTRY.problems(action_type, config)
    raise_problems(_at(f"{path}.actionConfig", problems), f"{path} is not a valid action")


async def create_action(ctx: Context, values: Mapping[str, Any]) -> asyncpg.Record:
    """A new step; the secrets of its config are stored encrypted, apart (step_secrets.py)."""
    await check_action(ctx, values, "input")
    public, given = _apart(ctx, values)
    row = await create_row(ctx, ACTIONS, public)
    return await _store_secrets(ctx, row, given)


async def update_action(ctx: Context, row_id: uuid.UUID, values: Mapping[str, Any]) -> asyncpg.Record:
    """A changed step; secrets given replace the stored ones, others are kept as step_secrets.py says."""
    await check_action(ctx, values, "patch", row_id)
    public, given = _apart(ctx, values)
    row = await update_row(ctx, ACTIONS, row_id, public, "WorkflowAction")
    return await _store_secrets(ctx, row, given)


def _apart(ctx: Context, values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the values to write, the secrets given); refuses before any write when they cannot be encrypted."""
    config = values.get("action_config")
    if not isinstance(config, Mapping):
        return dict(values), {}
    public, given = step_secrets.split(config)
    if any(not step_secrets.removes(key, value) for key, value in given.items()) and ctx.integrations.keyring is None:
        raise AppError("INTERNAL", "secrets of workflow steps cannot be stored: this server has no LEADGEN_SECRET_KEY")
    return {**values, "action_config": public}, given


async def _store_secrets(ctx: Context, row: asyncpg.Record, given: Mapping[str, Any]) -> asyncpg.Record:
    if not given:
        return row
    keyring = ctx.integrations.keyring
    if keyring is None:  # only removals (checked by _apart)
        entries: dict[str, Any] = dict.fromkeys(given)
        hints: dict[str, Any] = dict.fromkeys(given)
    else:
        entries, hints = step_secrets.seal(keyring, row["id"], row["workflow_id"], given)
    await _call(ctx, sql.SET_STEP_SECRETS, "WorkflowAction", row["id"], entries, hints)
    ctx.loaders.forget(ACTIONS, str(row["id"]))
    stored = await row_by_id(ctx, ACTIONS, row["id"])
    if stored is None:
        raise not_found("WorkflowAction")
    return stored


async def activation_problems(ctx: Context, workflow_id: uuid.UUID) -> list[Problem]:
    """Why the workflow (as stored) cannot run: no trigger, no action, or a definition that does not validate."""
    triggers = await ctx.session.fetch(sql.WORKFLOW_TRIGGERS, workflow_id)
    actions = await ctx.session.fetch(sql.WORKFLOW_ACTIONS, workflow_id)
    problems = []
    if not triggers:
        problems.append(Problem("triggers", "add at least one trigger before activating the workflow"))
    if not actions:
        problems.append(Problem("actions", "add at least one action before activating the workflow"))
    for i, t in enumerate(triggers):
        found = trigger_problems(t["trigger_type"], t["trigger_conditions"])
        problems.extend(_at(f"triggers[{i}].triggerConditions", found))
    for i, a in enumerate(actions):
        config = step_secrets.stored_config(a["action_type"], a["action_config"], a["secrets_hint"])
        problems.extend(_at(f"actions[{i}].actionConfig", REGISTRY.problems(a["action_type"], config)))
    return problems


async def set_active(ctx: Context, workflow_id: uuid.UUID, active: bool) -> asyncpg.Record:
    """(De)activate a workflow the caller manages; activation needs a complete, valid definition."""
    row = await update_row(ctx, "lead_workflows", workflow_id, {"is_active": active}, "Workflow")
    if active:
        await check_activation(ctx, workflow_id)
    return row


async def check_activation(ctx: Context, workflow_id: uuid.UUID, field: str | None = None) -> None:
    """Refuse (BAD_USER_INPUT naming `field`, else the first problem's) unless the workflow can be activated."""
    problems = await activation_problems(ctx, workflow_id)
    if problems and field is not None:
        listed = "; ".join(f"{p.field}: {p.message}" for p in problems)
        fields = [p.as_dict() for p in problems]
        raise AppError(
            "BAD_USER_INPUT", f"{field}: the workflow cannot be activated: {listed}", field=field, fields=fields
        )
    raise_problems(problems, "the workflow cannot be activated")


async def _call(ctx: Context, statement: str, noun: str, *args: Any) -> Any:
    try:
        return await ctx.session.fetchval(statement, *args)
    except asyncpg.PostgresError as exc:
        raise function_error(exc, Wording(noun=noun)) from exc


async def _execution(ctx: Context, execution_id: Any) -> asyncpg.Record:
    ctx.loaders.forget(EXECUTIONS, str(execution_id))
    row = await row_by_id(ctx, EXECUTIONS, execution_id)
    if row is None:
        raise not_found("WorkflowExecution")
    return row


async def run_workflow(ctx: Context, workflow_id: uuid.UUID, lead_id: uuid.UUID) -> asyncpg.Record:
    """A manual run: the caller manages the workflow, and the lead is of its scope."""
    if await row_by_id(ctx, "lead_workflows", workflow_id) is None:
        raise not_found("Workflow")
    if await row_by_id(ctx, "leads", lead_id) is None:
        raise not_found("Lead")
    execution_id = await _call(ctx, sql.RUN_WORKFLOW, "Workflow", workflow_id, lead_id)
    if execution_id is None:  # the lead was deleted meanwhile
        raise bad_input("leadId", "leadId: the lead is gone")
    return await _execution(ctx, execution_id)


async def cancel_execution(ctx: Context, execution_id: uuid.UUID) -> asyncpg.Record:
    await _execution(ctx, execution_id)  # invisible: NOT_FOUND
    await _call(ctx, sql.CANCEL_EXECUTION, "WorkflowExecution", execution_id)
    return await _execution(ctx, execution_id)


async def retry_execution(ctx: Context, execution_id: uuid.UUID) -> asyncpg.Record:
    await _execution(ctx, execution_id)
    await _call(ctx, sql.RETRY_EXECUTION, "WorkflowExecution", execution_id)
    return await _execution(ctx, execution_id)
