"""Mutations of workflow steps."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.values import to_values
from gql.inputs.workflow_action import CreateWorkflowActionInput, WorkflowActionPatch
from gql.mutations.base import DeletePayload, delete_entity
from gql.types.base import Info, build
from gql.types.workflow_action import WorkflowAction
from resolvers.workflows import create_action, update_action


@strawberry.type
class WorkflowActionMutations:
    @strawberry.mutation(
        description="Add a step to a workflow the caller manages; actionConfig is checked by the action's type "
        "(its secrets are stored encrypted and never returned)."
    )
    async def create_workflow_action(self, info: Info, input: CreateWorkflowActionInput) -> WorkflowAction:
        return build(WorkflowAction, await create_action(info.context, to_values(input)))

    @strawberry.mutation(description="Change a step; fields left out stay as they are.")
    async def update_workflow_action(self, info: Info, id: strawberry.ID, patch: WorkflowActionPatch) -> WorkflowAction:
        row_id = decode_id(id, "WorkflowAction", "id")
        return build(WorkflowAction, await update_action(info.context, row_id, to_values(patch, "patch")))

    @strawberry.mutation(description="Delete a step.")
    async def delete_workflow_action(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, WorkflowAction, id)
