"""Inputs that create and patch workflows."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new workflow, personal or of a space; inactive unless isActive is given.")
class CreateWorkflowInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Run the workflow in this space.")
    name: str
    description: str | None = UNSET
    is_active: bool | None = UNSET
    workflow_settings: JSON | None = UNSET


@strawberry.input(description="Changes to a workflow: fields left out stay as they are; null clears a field.")
class WorkflowPatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    description: str | None = UNSET
    is_active: bool | None = UNSET
    workflow_settings: JSON | None = UNSET


WORKFLOW_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=200, required=True), required=True),
    "description": Column("description", validate=partial(v.text, max_length=2000)),
    "is_active": Column("is_active", required=True),
    "workflow_settings": Column("workflow_settings", validate=v.json_object, required=True),
}
columns_of(CreateWorkflowInput, WORKFLOW_COLUMNS)
columns_of(WorkflowPatch, WORKFLOW_COLUMNS)
