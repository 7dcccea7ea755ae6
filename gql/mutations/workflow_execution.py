"""Mutations of workflow executions: only deletion (the workflow engine creates them)."""

from __future__ import annotations

import strawberry

from gql.mutations.base import DeletePayload, delete_entity
from gql.types.base import Info
from gql.types.workflow_execution import WorkflowExecution


@strawberry.type
class WorkflowExecutionMutations:
    @strawberry.mutation(description="Delete a run of a workflow the caller manages.")
    async def delete_workflow_execution(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, WorkflowExecution, id)
