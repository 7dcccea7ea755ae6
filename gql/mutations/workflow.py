"""Mutations of workflows: definitions, activation, manual runs."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.ids import decode_id
from gql.inputs.values import to_values
from gql.inputs.workflow import CreateWorkflowInput, WorkflowPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info, build
from gql.types.workflow import Workflow
from gql.types.workflow_execution import WorkflowExecution
from resolvers import workflows


@strawberry.type
class WorkflowMutations:
    @strawberry.mutation(description="Create a workflow (space owners and admins, or personal).")
    async def create_workflow(self, info: Info, input: CreateWorkflowInput) -> Workflow:
        if to_values(input).get("is_active"):
            raise bad_input(
                "input.isActive",
                "input.isActive: a new workflow has no triggers or actions yet; add them, then activate it",
            )
        return await create_entity(info, Workflow, input)

    @strawberry.mutation(description="Change a workflow; fields left out stay as they are.")
    async def update_workflow(self, info: Info, id: strawberry.ID, patch: WorkflowPatch) -> Workflow:
        updated = await update_entity(info, Workflow, id, patch)
        if to_values(patch, "patch").get("is_active"):
            await workflows.check_activation(info.context, decode_id(id, "Workflow", "id"), "patch.isActive")
        return updated

    @strawberry.mutation(description="Delete a workflow with its triggers, steps and runs.")
    async def delete_workflow(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Workflow, id)

    @strawberry.mutation(
        description="Start the workflow on the events its triggers name. Needs at least one trigger and one action, "
        "all valid (every problem is listed in extensions.fields)."
    )
    async def activate_workflow(self, info: Info, id: strawberry.ID) -> Workflow:
        row = await workflows.set_active(info.context, decode_id(id, "Workflow", "id"), True)
        return build(Workflow, row)

    @strawberry.mutation(description="Stop starting the workflow on events (runs under way go on; cancel them).")
    async def deactivate_workflow(self, info: Info, id: strawberry.ID) -> Workflow:
        row = await workflows.set_active(info.context, decode_id(id, "Workflow", "id"), False)
        return build(Workflow, row)

    @strawberry.mutation(
        description="Run a workflow the caller manages on a lead of its scope now (active or not); its actions run "
        "in the background as the workflow's owner. Returns the new execution."
    )
    async def run_workflow(self, info: Info, workflow_id: strawberry.ID, lead_id: strawberry.ID) -> WorkflowExecution:
        row = await workflows.run_workflow(
            info.context, decode_id(workflow_id, "Workflow", "workflowId"), decode_id(lead_id, "Lead", "leadId")
        )
        return build(WorkflowExecution, row)
