"""Mutations of form fields."""

from __future__ import annotations

import strawberry

from gql.inputs.form_field import CreateFormFieldInput, FormFieldPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.form_field import FormField


@strawberry.type
class FormFieldMutations:
    @strawberry.mutation(description="Add a field to a form the caller manages.")
    async def create_form_field(self, info: Info, input: CreateFormFieldInput) -> FormField:
        return await create_entity(info, FormField, input)

    @strawberry.mutation(description="Change a form field; fields left out stay as they are.")
    async def update_form_field(self, info: Info, id: strawberry.ID, patch: FormFieldPatch) -> FormField:
        return await update_entity(info, FormField, id, patch)

    @strawberry.mutation(description="Delete a form field.")
    async def delete_form_field(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, FormField, id)
