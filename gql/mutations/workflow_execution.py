"""Mutations of workflow executions: cancel, retry and delete (runWorkflow and the engine create them)."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.mutations.base import DeletePayload, delete_entity
from gql.types.base import Info, build
from gql.types.workflow_execution import WorkflowExecution
from resolvers import workflows


@strawberry.type
class WorkflowExecutionMutations:
    @strawberry.mutation(description="Delete a run of a workflow the caller manages.")
    async def delete_workflow_execution(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, WorkflowExecution, id)

    @strawberry.mutation(
        description="Cancel a pending or running execution of a workflow the caller manages: no further step runs."
    )
    async def cancel_execution(self, info: Info, id: strawberry.ID) -> WorkflowExecution:
        execution_id = decode_id(id, "WorkflowExecution", "id")
        return build(WorkflowExecution, await workflows.cancel_execution(info.context, execution_id))

    @strawberry.mutation(
        description="Run a failed execution again from its failed step (with the step's current configuration)."
    )
    async def retry_execution(self, info: Info, id: strawberry.ID) -> WorkflowExecution:
        execution_id = decode_id(id, "WorkflowExecution", "id")
        return build(WorkflowExecution, await workflows.retry_execution(info.context, execution_id))
