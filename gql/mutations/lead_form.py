"""Mutations of lead forms, publishing included."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.lead_form import CreateLeadFormInput, LeadFormPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info, build
from gql.types.lead_form import LeadForm
from resolvers.forms import publish_form, unpublish_form


@strawberry.type
class LeadFormMutations:
    @strawberry.mutation(description="Create an unpublished lead form (space owners and admins, or personal).")
    async def create_lead_form(self, info: Info, input: CreateLeadFormInput) -> LeadForm:
        return await create_entity(info, LeadForm, input)

    @strawberry.mutation(description="Change a form; fields left out stay as they are.")
    async def update_lead_form(self, info: Info, id: strawberry.ID, patch: LeadFormPatch) -> LeadForm:
        return await update_entity(info, LeadForm, id, patch)

    @strawberry.mutation(description="Delete a form and its fields.")
    async def delete_lead_form(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, LeadForm, id)

    @strawberry.mutation(
        description="Publish a form: it then accepts public submissions. Refused (every problem listed in "
        "extensions.fields) for a form without fields or with an invalid field or setting."
    )
    async def publish_form(self, info: Info, id: strawberry.ID) -> LeadForm:
        return build(LeadForm, await publish_form(info.context, decode_id(id, "LeadForm", "id")))

    @strawberry.mutation(description="Stop a form accepting submissions (publishedAt keeps the last publication).")
    async def unpublish_form(self, info: Info, id: strawberry.ID) -> LeadForm:
        return build(LeadForm, await unpublish_form(info.context, decode_id(id, "LeadForm", "id")))
