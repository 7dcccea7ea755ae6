"""Customer: what a converted lead becomes."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.types.fields import entity, relation
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
    lead: Annotated[Lead, strawberry.lazy("gql.types.lead")] | None = relation(
        "lead", description="The lead this customer was converted from."
    )
    company: Annotated[Company, strawberry.lazy("gql.types.company")] | None = relation("company")
