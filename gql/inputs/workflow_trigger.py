"""Inputs that add triggers to workflows and patch them (a trigger never moves to another workflow)."""

from __future__ import annotations

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.enums import TriggerType
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new trigger of a workflow.")
class CreateWorkflowTriggerInput:
    workflow: strawberry.ID
    trigger_type: TriggerType
    trigger_conditions: JSON | None = strawberry.field(default=UNSET, description="A JSON object.")


@strawberry.input(description="Changes to a trigger: fields left out stay as they are.")
class WorkflowTriggerPatch:
    trigger_type: TriggerType | None = UNSET
    trigger_conditions: JSON | None = UNSET


WORKFLOW_TRIGGER_COLUMNS = {
    "trigger_type": Column("trigger_type", required=True),
    "trigger_conditions": Column("trigger_conditions", validate=v.json_object, required=True),
}
columns_of(
    CreateWorkflowTriggerInput,
    {"workflow": Column("workflow_id", "Workflow", required=True), **WORKFLOW_TRIGGER_COLUMNS},
)
columns_of(WorkflowTriggerPatch, WORKFLOW_TRIGGER_COLUMNS)
