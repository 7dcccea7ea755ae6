"""WorkflowAction: one step of a workflow; its secrets are write-only (domain/workflows/step_secrets.py)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.enums import ActionType
from gql.types.fields import entity, relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.workflow import Workflow


@entity("lead_workflow_actions")
@strawberry.type(description="A step of a workflow, run after its delay.")
class WorkflowAction(Node):
    action_type: ActionType
    action_config: JSON = strawberry.field(
        description="The step's settings. Secrets (a WEBHOOK's secret and headers) are written here but never "
        "returned: see secretsHint."
    )
    secrets_hint: JSON | None = strawberry.field(
        description='Masked hints of the write-only secrets stored for the step, e.g. {"secret": "••••abcd", '
        '"headers": {"Authorization": "••••wxyz"}}; null without any.'
    )
    action_order: int
    delay_seconds: int
    created_at: dt.datetime
    updated_at: dt.datetime
    workflow: Annotated[Workflow, strawberry.lazy("gql.types.workflow")] | None = relation("workflow")
