"""Mutations of customers."""

from __future__ import annotations

import strawberry

from gql.inputs.customer import CreateCustomerInput, CustomerPatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.customer import Customer


@strawberry.type
class CustomerMutations:
    @strawberry.mutation(description="Create a customer owned by the caller, personal or shared with a space.")
    async def create_customer(self, info: Info, input: CreateCustomerInput) -> Customer:
        return await create_entity(info, Customer, input)

    @strawberry.mutation(description="Change a customer; fields left out stay as they are.")
    async def update_customer(self, info: Info, id: strawberry.ID, patch: CustomerPatch) -> Customer:
        return await update_entity(info, Customer, id, patch)

    @strawberry.mutation(description="Delete a customer.")
    async def delete_customer(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Customer, id)
