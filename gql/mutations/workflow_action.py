"""Mutations of workflow steps."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.values import to_values
from gql.inputs.workflow_action import CreateWorkflowActionInput, WorkflowActionPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.workflow_action import WorkflowAction
from resolvers.workflows import check_action


@strawberry.type
class WorkflowActionMutations:
    @strawberry.mutation(
        description="Add a step to a workflow the caller manages; actionConfig is checked by the action's type."
    )
    async def create_workflow_action(self, info: Info, input: CreateWorkflowActionInput) -> WorkflowAction:
        await check_action(info.context, to_values(input), "input")
        return await create_entity(info, WorkflowAction, input)

    @strawberry.mutation(description="Change a step; fields left out stay as they are.")
    async def update_workflow_action(self, info: Info, id: strawberry.ID, patch: WorkflowActionPatch) -> WorkflowAction:
        row_id = decode_id(id, "WorkflowAction", "id")
        await check_action(info.context, to_values(patch, "patch"), "patch", row_id)
        return await update_entity(info, WorkflowAction, id, patch)

    @strawberry.mutation(description="Delete a step.")
    async def delete_workflow_action(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, WorkflowAction, id)
