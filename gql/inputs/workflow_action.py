"""Inputs that add steps to workflows and patch them (a step never moves to another workflow)."""

from __future__ import annotations

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.enums import ActionType
from gql.inputs.values import Column, columns_of

CONFIG = (
    "A JSON object, checked by the action type. A WEBHOOK's secret and headers are stored encrypted and never "
    "returned; left out of a patch, stored ones are kept (posting elsewhere drops the headers)."
)


@strawberry.input(description="A new step of a workflow.")
class CreateWorkflowActionInput:
    workflow: strawberry.ID
    action_type: ActionType
    action_config: JSON | None = strawberry.field(default=UNSET, description=CONFIG)
    action_order: int | None = strawberry.field(default=UNSET, description="Position, unique in the workflow.")
    delay_seconds: int | None = strawberry.field(default=UNSET, description="Wait before running, 0 or more.")


@strawberry.input(description="Changes to a step: fields left out stay as they are.")
class WorkflowActionPatch:
    action_type: ActionType | None = UNSET
    action_config: JSON | None = strawberry.field(default=UNSET, description=CONFIG)
    action_order: int | None = UNSET
    delay_seconds: int | None = UNSET


WORKFLOW_ACTION_COLUMNS = {
    "action_type": Column("action_type", required=True),
    "action_config": Column("action_config", validate=v.json_object, required=True),
    "action_order": Column("action_order", validate=v.non_negative, required=True),
    "delay_seconds": Column("delay_seconds", validate=v.non_negative, required=True),
}
columns_of(
    CreateWorkflowActionInput,
    {"workflow": Column("workflow_id", "Workflow", required=True), **WORKFLOW_ACTION_COLUMNS},
)
columns_of(WorkflowActionPatch, WORKFLOW_ACTION_COLUMNS)
