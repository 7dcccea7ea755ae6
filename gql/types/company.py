"""Company: the organisation leads belong to."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.connection import Connection
from gql.types.fields import entity, related_connection
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
    leads: Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]] = related_connection(
        "leads", description="The company's leads."
    )
    customers: Connection[Annotated[Customer, strawberry.lazy("gql.types.customer")]] = related_connection(
        "customers", description="Customers at this company."
    )
