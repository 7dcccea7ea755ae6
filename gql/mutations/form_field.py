"""Mutations of form fields: definitions are checked as a whole (type, options, rules), fields reordered."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.form_field import CreateFormFieldInput, FormFieldPatch
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info, build
from gql.types.form_field import FormField
from resolvers.forms import check_field_definition, check_field_patch, reorder_fields


@strawberry.type
class FormFieldMutations:
    @strawberry.mutation(description="Add a field to a form the caller manages.")
    async def create_form_field(self, info: Info, input: CreateFormFieldInput) -> FormField:
        await check_field_definition(info.context, to_values(input), "input")
        return await create_entity(info, FormField, input)

    @strawberry.mutation(description="Change a form field; fields left out stay as they are.")
    async def update_form_field(self, info: Info, id: strawberry.ID, patch: FormFieldPatch) -> FormField:
        field_id = decode_id(id, "FormField", "id")
        await check_field_patch(info.context, field_id, to_values(patch, "patch"), "patch")
        return await update_entity(info, FormField, id, patch)

    @strawberry.mutation(description="Delete a form field.")
    async def delete_form_field(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, FormField, id)

    @strawberry.mutation(
        description="Put a form's fields in this order (positions 0..n-1); fieldIds must list each of the form's "
        "fields exactly once."
    )
    async def reorder_form_fields(
        self, info: Info, form: strawberry.ID, field_ids: list[strawberry.ID]
    ) -> list[FormField]:
        form_id = decode_id(form, "LeadForm", "form")
        ids = [decode_id(value, "FormField", f"fieldIds[{i}]") for i, value in enumerate(field_ids)]
        return [build(FormField, row) for row in await reorder_fields(info.context, form_id, ids)]
