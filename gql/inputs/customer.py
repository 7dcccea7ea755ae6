"""Inputs that create and patch customers."""

from __future__ import annotations

import datetime as dt
from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new customer. The lead and company must be of the customer's scope.")
class CreateCustomerInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Share the customer with this space.")
    lead: strawberry.ID | None = strawberry.field(default=UNSET, description="The lead converted into this customer.")
    company: strawberry.ID | None = UNSET
    name: str
    email: str | None = UNSET
    phone: str | None = UNSET
    customer_data: JSON | None = UNSET
    converted_at: dt.datetime | None = strawberry.field(default=UNSET, description="Defaults to now.")


@strawberry.input(description="Changes to a customer: fields left out stay as they are; null clears a field.")
class CustomerPatch:
    space: strawberry.ID | None = UNSET
    lead: strawberry.ID | None = UNSET
    company: strawberry.ID | None = UNSET
    name: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    customer_data: JSON | None = UNSET
    converted_at: dt.datetime | None = UNSET


CUSTOMER_COLUMNS = {
    "space": Column("space_id", "Space"),
    "lead": Column("lead_id", "Lead"),
    "company": Column("company_id", "Company"),
    "name": Column("name", validate=partial(v.text, max_length=300, required=True), required=True),
    "email": Column("email", validate=v.email),
    "phone": Column("phone", validate=partial(v.text, max_length=50)),
    "customer_data": Column("customer_data", validate=v.json_object, required=True),
    "converted_at": Column("converted_at", required=True),
}
columns_of(CreateCustomerInput, CUSTOMER_COLUMNS)
columns_of(CustomerPatch, CUSTOMER_COLUMNS)
