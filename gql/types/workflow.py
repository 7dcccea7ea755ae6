"""Workflow: automation started by triggers, running ordered actions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.connection import Connection
from gql.types.fields import entity, related_connection, relation
from gql.types.owned import Owned

if TYPE_CHECKING:
    from gql.types.workflow_action import WorkflowAction
    from gql.types.workflow_execution import WorkflowExecution
    from gql.types.workflow_trigger import WorkflowTrigger


@entity("lead_workflows")
@strawberry.type(description="An automation workflow.")
class Workflow(Owned):
    name: str
    description: str | None
    is_active: bool
    active_since: dt.datetime | None = strawberry.field(
        description="When the workflow was last switched on (null while inactive): it starts only on events from "
        "then on."
    )
    workflow_settings: JSON
    created_at: dt.datetime
    updated_at: dt.datetime
    triggers: list[Annotated[WorkflowTrigger, strawberry.lazy("gql.types.workflow_trigger")]] = relation(
        "triggers", description="What starts the workflow."
    )
    actions: list[Annotated[WorkflowAction, strawberry.lazy("gql.types.workflow_action")]] = relation(
        "actions", description="The steps, in order."
    )
    executions: Connection[Annotated[WorkflowExecution, strawberry.lazy("gql.types.workflow_execution")]] = (
        related_connection("executions", description="Runs of this workflow, newest first by default.")
    )
