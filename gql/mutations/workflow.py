"""Mutations of workflows."""

from __future__ import annotations

import strawberry

from gql.inputs.workflow import CreateWorkflowInput, WorkflowPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.workflow import Workflow


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(description="Create a workflow (space owners and admins, or personal).")
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> Workflow:
        return await create_entity(info, Workflow, input)

    @strawberry.mutation(description="Change a workflow; fields left out stay as they are.")
    async def update_workflow(self, info: Info, id: strawberry.ID, patch: WorkflowPatch) -> Workflow:
        return await update_entity(info, Workflow, id, patch)

    @strawberry.mutation(description="Delete a workflow with its triggers, steps and runs.")
    async def delete_workflow(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Workflow, id)
