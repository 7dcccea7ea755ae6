"""Mutations of leads: one at a time, and in bulk with a limit."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.ids import decode_id, global_id
from gql.inputs.filters import LeadFilter, to_filter_node
from gql.inputs.lead import CreateLeadInput, LeadPatch
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info, build
from gql.types.lead import Lead
from resolvers.writes import delete_rows, update_matching


@strawberry.type(description="Leads changed by a bulk update.")
class UpdateLeadsPayload:
    count: int
    leads: list[Lead]


@strawberry.type(description="Leads removed by a bulk delete.")
class DeleteLeadsPayload:
    count: int
    deleted_ids: list[strawberry.ID]


@strawberry.type
class LeadMutations:
    @strawberry.mutation(description="Create a lead owned by the caller.")
    async def create_lead(self, info: Info, input: CreateLeadInput) -> Lead:
        return await create_entity(info, Lead, input)

    @strawberry.mutation(description="Change a lead; fields left out stay as they are.")
    async def update_lead(self, info: Info, id: strawberry.ID, patch: LeadPatch) -> Lead:
        return await update_entity(info, Lead, id, patch)

    @strawberry.mutation
    async def delete_lead(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Lead, id)

    @strawberry.mutation(
        description="Apply one patch to every lead the filter matches; refuses, changing nothing, above atMost."
    )
    async def update_leads(self, info: Info, filter: LeadFilter, patch: LeadPatch, at_most: int) -> UpdateLeadsPayload:
        rows = await update_matching(info.context, "leads", to_filter_node(filter), to_values(patch, "patch"), at_most)
        return UpdateLeadsPayload(count=len(rows), leads=[build(Lead, row) for row in rows])

    @strawberry.mutation(description="Delete leads by ID; returns the IDs actually deleted.")
    async def delete_leads(self, info: Info, ids: list[strawberry.ID]) -> DeleteLeadsPayload:
        if len(ids) > info.context.limits.max_bulk_rows:
            raise bad_input("ids", f"at most {info.context.limits.max_bulk_rows} ids")
        row_ids = [decode_id(value, "Lead", f"ids[{i}]") for i, value in enumerate(ids)]
        deleted = await delete_rows(info.context, "leads", row_ids)
        return DeleteLeadsPayload(
            count=len(deleted), deleted_ids=[strawberry.ID(global_id("Lead", d)) for d in deleted]
        )
