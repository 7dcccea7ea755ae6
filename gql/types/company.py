"""Company: the organisation leads belong to."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.connection import Connection
from gql.inputs.filters import CustomerFilter, LeadFilter, to_filter_node
from gql.orderings import LeadOrderBy, NamedOrderBy
from gql.types.base import Info, entity, related_connection
from gql.types.owned import Owned

if TYPE_CHECKING:
    from gql.types.customer import Customer
    from gql.types.lead import Lead


@entity("companies")
@strawberry.type(description="A company that leads belong to (not a workspace: see Space).")
class Company(Owned):
    name: str
    website: str | None
    industry: str | None
    company_size: str | None = strawberry.field(description="Employee-count bucket, e.g. 51-200.")
    company_data: JSON = strawberry.field(description="Enrichment data.")
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="The company's leads.")
    async def leads(
        self,
        info: Info,
        filter: LeadFilter | None = None,
        order_by: LeadOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]]:
        from gql.types.lead import Lead

        node = to_filter_node(filter)
        return await related_connection(info, Lead, "companies", "leads", self.row["id"], node, order_by, first, after)

    @strawberry.field(description="Customers at this company.")
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Customer, strawberry.lazy("gql.types.customer")]]:
        from gql.types.customer import Customer

        node = to_filter_node(filter)
        return await related_connection(
            info, Customer, "companies", "customers", self.row["id"], node, order_by, first, after
        )
