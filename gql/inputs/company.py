"""Inputs that create and patch companies."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.inputs.values import Column, columns_of

COMPANY_SIZES = ("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+")


@strawberry.input(description="A new company, personal or shared with a space.")
class CreateCompanyInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Share the company with this space.")
    name: str
    website: str | None = UNSET
    industry: str | None = UNSET
    company_size: str | None = strawberry.field(default=UNSET, description=f"One of {', '.join(COMPANY_SIZES)}.")
    company_data: JSON | None = UNSET
    is_active: bool | None = UNSET


@strawberry.input(description="Changes to a company: fields left out stay as they are; null clears a field.")
class CompanyPatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    website: str | None = UNSET
    industry: str | None = UNSET
    company_size: str | None = UNSET
    company_data: JSON | None = UNSET
    is_active: bool | None = UNSET


COMPANY_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=300, required=True), required=True),
    "website": Column("website", validate=v.url),
    "industry": Column("industry", validate=partial(v.text, max_length=200)),
    "company_size": Column("company_size", validate=partial(v.one_of, choices=COMPANY_SIZES)),
    "company_data": Column("company_data", validate=v.json_object, required=True),
    "is_active": Column("is_active", required=True),
}
columns_of(CreateCompanyInput, COMPANY_COLUMNS)
columns_of(CompanyPatch, COMPANY_COLUMNS)
