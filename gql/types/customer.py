"""Customer: what a converted lead becomes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.types.base import Info, entity, load_one
from gql.types.owned import Owned

if TYPE_CHECKING:
    from gql.types.company import Company
    from gql.types.lead import Lead


@entity("customers")
@strawberry.type(description="A customer, converted from a lead.")
class Customer(Owned):
    name: str
    email: str | None
    phone: str | None
    customer_data: JSON
    converted_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="The lead this customer was converted from.")
    async def lead(self, info: Info) -> Annotated[Lead, strawberry.lazy("gql.types.lead")] | None:
        from gql.types.lead import Lead

        return await load_one(info, Lead, self.row["lead_id"])

    @strawberry.field
    async def company(self, info: Info) -> Annotated[Company, strawberry.lazy("gql.types.company")] | None:
        from gql.types.company import Company

        return await load_one(info, Company, self.row["company_id"])
