"""Mutations of companies."""

from __future__ import annotations

import strawberry

from gql.inputs.company import CompanyPatch, CreateCompanyInput
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.company import Company


@strawberry.type
class CompanyMutations:
    @strawberry.mutation(description="Create a company owned by the caller, personal or shared with a space.")
    async def create_company(self, info: Info, input: CreateCompanyInput) -> Company:
        return await create_entity(info, Company, input)

    @strawberry.mutation(description="Change a company; fields left out stay as they are.")
    async def update_company(self, info: Info, id: strawberry.ID, patch: CompanyPatch) -> Company:
        return await update_entity(info, Company, id, patch)

    @strawberry.mutation(description="Delete a company (its leads keep existing, without it).")
    async def delete_company(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Company, id)
