"""Mutations of leads: one at a time, in bulk with a limit, along the pipeline, and into customers."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.ids import decode_id, global_id
from gql.inputs.filters import LeadFilter, to_filter_node
from gql.inputs.lead import CreateLeadInput, LeadPatch
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, delete_entity
from gql.types.base import Info, build
from gql.types.customer import Customer
from gql.types.lead import Lead
from resolvers.conversion import convert_lead
from resolvers.custom_fields import check_bulk_update, check_lead_update, check_new_lead
from resolvers.pipeline import move_lead
from resolvers.writes import create_row, delete_rows, update_matching, update_row


@strawberry.type(description="Leads changed by a bulk update.")
class UpdateLeadsPayload:
    count: int
    leads: list[Lead]


@strawberry.type(description="Leads removed by a bulk delete.")
class DeleteLeadsPayload:
    count: int
    deleted_ids: list[strawberry.ID]


@strawberry.type(description="A converted lead and the customer it became.")
class ConvertLeadResult:
    customer: Customer
    lead: Lead
    created: bool = strawberry.field(description="This call created the customer (false: it existed already).")


@strawberry.type
class LeadMutations:
    @strawberry.mutation(
        description="Create a lead owned by the caller. customFields must fit the scope's custom field definitions."
    )
    async def create_lead(self, info: Info, input: CreateLeadInput) -> Lead:
        values = to_values(input)
        await check_new_lead(info.context, values, "input.customFields")
        return build(Lead, await create_row(info.context, "leads", values))

    @strawberry.mutation(description="Change a lead; fields left out stay as they are.")
    async def update_lead(self, info: Info, id: strawberry.ID, patch: LeadPatch) -> Lead:
        row_id = decode_id(id, "Lead", "id")
        values = to_values(patch, "patch")
        await check_lead_update(info.context, row_id, values, "patch.customFields")
        return build(Lead, await update_row(info.context, "leads", row_id, values, "Lead"))

    @strawberry.mutation
    async def delete_lead(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Lead, id)

    @strawberry.mutation(
        description="Apply one patch to every lead the filter matches; refuses, changing nothing, above atMost."
    )
    async def update_leads(self, info: Info, filter: LeadFilter, patch: LeadPatch, at_most: int) -> UpdateLeadsPayload:
        node, values = to_filter_node(filter), to_values(patch, "patch")
        await check_bulk_update(info.context, node, values, at_most, "patch.customFields")
        rows = await update_matching(info.context, "leads", node, values, at_most)
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

    @strawberry.mutation(
        description=(
            "Move a lead to a stage of its own board (its space's, or its owner's personal one) and log a "
            "stage_changed activity with activityData {from: {id, name} | null, to: {id, name}} (the stages' "
            "database ids, as activity data is stored). Moving a lead to the stage it is in changes nothing and "
            "logs nothing."
        )
    )
    async def move_lead(self, info: Info, lead_id: strawberry.ID, stage_id: strawberry.ID) -> Lead:
        lead = decode_id(lead_id, "Lead", "leadId")
        stage = decode_id(stage_id, "LeadStage", "stageId")
        return build(Lead, await move_lead(info.context, lead, stage))

    @strawberry.mutation(
        description=(
            "Convert a lead into a customer of its scope (name from the lead's names, else its email; its email, "
            "phone and company): marks the lead converted and logs a converted activity. Calling it again returns "
            "the same customer."
        )
    )
    async def convert_lead(self, info: Info, lead_id: strawberry.ID) -> ConvertLeadResult:
        result = await convert_lead(info.context, decode_id(lead_id, "Lead", "leadId"))
        return ConvertLeadResult(
            customer=build(Customer, result.customer), lead=build(Lead, result.lead), created=result.created
        )
