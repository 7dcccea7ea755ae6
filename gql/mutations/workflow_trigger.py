"""Mutations of workflow triggers."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.values import to_values
from gql.inputs.workflow_trigger import CreateWorkflowTriggerInput, WorkflowTriggerPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.workflow_trigger import WorkflowTrigger
from resolvers.workflows import check_trigger


@strawberry.type
class WorkflowTriggerMutations:
    @strawberry.mutation(
        description="Add a trigger to a workflow the caller manages; triggerConditions are checked against the type."
    )
    async def create_workflow_trigger(self, info: Info, input: CreateWorkflowTriggerInput) -> WorkflowTrigger:
        await check_trigger(info.context, to_values(input), "input")
        return await create_entity(info, WorkflowTrigger, input)

    @strawberry.mutation(description="Change a trigger; fields left out stay as they are.")
    async def update_workflow_trigger(
        self, info: Info, id: strawberry.ID, patch: WorkflowTriggerPatch
    ) -> WorkflowTrigger:
        row_id = decode_id(id, "WorkflowTrigger", "id")
        await check_trigger(info.context, to_values(patch, "patch"), "patch", row_id)
        return await update_entity(info, WorkflowTrigger, id, patch)

    @strawberry.mutation(description="Delete a trigger.")
    async def delete_workflow_trigger(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, WorkflowTrigger, id)
