"""Workflow: automation started by triggers, running ordered actions."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.connection import Connection
from gql.inputs.filters import WorkflowExecutionFilter, to_filter_node
from gql.orderings import TimeOrderBy
from gql.types.base import Info, entity, related_connection, related_list
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

    @strawberry.field(description="What starts the workflow.")
    async def triggers(
        self, info: Info
    ) -> list[Annotated[WorkflowTrigger, strawberry.lazy("gql.types.workflow_trigger")]]:
        from gql.types.workflow_trigger import WorkflowTrigger

        return await related_list(info, WorkflowTrigger, "lead_workflows", "triggers", self.row["id"])

    @strawberry.field(description="The steps, in order.")
    async def actions(
        self, info: Info
    ) -> list[Annotated[WorkflowAction, strawberry.lazy("gql.types.workflow_action")]]:
        from gql.types.workflow_action import WorkflowAction

        return await related_list(info, WorkflowAction, "lead_workflows", "actions", self.row["id"])

    @strawberry.field(description="Runs of this workflow, newest first by default.")
    async def executions(
        self,
        info: Info,
        filter: WorkflowExecutionFilter | None = None,
        order_by: TimeOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[WorkflowExecution, strawberry.lazy("gql.types.workflow_execution")]]:
        from gql.types.workflow_execution import WorkflowExecution

        node = to_filter_node(filter)
        return await related_connection(
            info, WorkflowExecution, "lead_workflows", "executions", self.row["id"], node, order_by, first, after
        )
