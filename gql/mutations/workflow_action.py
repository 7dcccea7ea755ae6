"""Mutations of workflow steps."""

from __future__ import annotations

import strawberry

from gql.inputs.workflow_action import CreateWorkflowActionInput, WorkflowActionPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.workflow_action import WorkflowAction


@strawberry.type
class WorkflowActionMutations:
    @strawberry.mutation(description="Add a step to a workflow the caller manages.")
    async def create_workflow_action(self, info: Info, input: CreateWorkflowActionInput) -> WorkflowAction:
        return await create_entity(info, WorkflowAction, input)

    @strawberry.mutation(description="Change a step; fields left out stay as they are.")
    async def update_workflow_action(self, info: Info, id: strawberry.ID, patch: WorkflowActionPatch) -> WorkflowAction:
        return await update_entity(info, WorkflowAction, id, patch)

    @strawberry.mutation(description="Delete a step.")
    async def delete_workflow_action(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, WorkflowAction, id)
