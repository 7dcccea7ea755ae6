"""Mutations of pipeline stages."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.ids import decode_id
from gql.inputs.lead_stage import CreateLeadStageInput, LeadStagePatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info, build
from gql.types.lead_stage import LeadStage
from resolvers.pipeline import reorder_stages


@strawberry.type
class LeadStageMutations:
    @strawberry.mutation(description="Create a pipeline stage (space owners and admins, or personal).")
    async def create_lead_stage(self, info: Info, input: CreateLeadStageInput) -> LeadStage:
        return await create_entity(info, LeadStage, input)

    @strawberry.mutation(description="Change a stage; fields left out stay as they are.")
    async def update_lead_stage(self, info: Info, id: strawberry.ID, patch: LeadStagePatch) -> LeadStage:
        return await update_entity(info, LeadStage, id, patch)

    @strawberry.mutation(description="Delete a stage (its leads keep existing, without a stage).")
    async def delete_lead_stage(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, LeadStage, id)

    @strawberry.mutation(
        description=(
            "Reorder a board: the space's, or the caller's personal board when space is left out. stageIds lists "
            "every stage of the board once, in the new order; they get stageOrder 0..n-1 (space owners and admins)."
        )
    )
    async def reorder_lead_stages(
        self, info: Info, stage_ids: list[strawberry.ID], space: strawberry.ID | None = None
    ) -> list[LeadStage]:
        if len(stage_ids) > info.context.limits.max_page_size:
            raise bad_input("stageIds", f"stageIds: at most {info.context.limits.max_page_size} stages")
        space_id = decode_id(space, "Space", "space") if space is not None else None
        ids = [decode_id(value, "LeadStage", f"stageIds[{i}]") for i, value in enumerate(stage_ids)]
        return [build(LeadStage, row) for row in await reorder_stages(info.context, space_id, ids)]
