"""WorkflowExecution: one run of a workflow on a lead."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.enums import ExecutionStatus
from gql.types.base import Info, entity, load_one
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.lead import Lead
    from gql.types.workflow import Workflow


@entity("lead_workflow_executions")
@strawberry.type(description="A run of a workflow on a lead, with the outcome of each step.")
class WorkflowExecution(Node):
    status: ExecutionStatus
    execution_data: JSON
    started_at: dt.datetime | None
    completed_at: dt.datetime | None
    error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field
    async def workflow(self, info: Info) -> Annotated[Workflow, strawberry.lazy("gql.types.workflow")] | None:
        from gql.types.workflow import Workflow

        return await load_one(info, Workflow, self.row["workflow_id"])

    @strawberry.field
    async def lead(self, info: Info) -> Annotated[Lead, strawberry.lazy("gql.types.lead")] | None:
        from gql.types.lead import Lead

        return await load_one(info, Lead, self.row["lead_id"])
