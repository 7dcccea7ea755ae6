"""WorkflowTrigger: an event that starts a workflow."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.enums import TriggerType
from gql.types.fields import entity, relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.workflow import Workflow


@entity("lead_workflow_triggers")
@strawberry.type(description="What starts a workflow, with its conditions.")
class WorkflowTrigger(Node):
    trigger_type: TriggerType
    trigger_conditions: JSON
    created_at: dt.datetime
    updated_at: dt.datetime
    workflow: Annotated[Workflow, strawberry.lazy("gql.types.workflow")] | None = relation("workflow")
