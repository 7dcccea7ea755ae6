"""Mutations of custom lead fields."""

from __future__ import annotations

import strawberry

from gql.inputs.custom_field import CreateCustomFieldInput, CustomFieldPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.custom_field import CustomField


@strawberry.type
class CustomFieldMutations:
    @strawberry.mutation(description="Create a custom lead field (space owners and admins, or personal).")
    async def create_custom_field(self, info: Info, input: CreateCustomFieldInput) -> CustomField:
        return await create_entity(info, CustomField, input)

    @strawberry.mutation(description="Change a custom field; fields left out stay as they are.")
    async def update_custom_field(self, info: Info, id: strawberry.ID, patch: CustomFieldPatch) -> CustomField:
        return await update_entity(info, CustomField, id, patch)

    @strawberry.mutation(description="Delete a custom field (lead values stay in customFields).")
    async def delete_custom_field(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, CustomField, id)
