"""Inputs that create and patch leads."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from gql.enums import LeadStatus
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new lead. References are IDs of the same scope (personal, or the space).")
class CreateLeadInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Share the lead with this space.")
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    job_title: str | None = UNSET
    company: strawberry.ID | None = UNSET
    stage: strawberry.ID | None = UNSET
    source: strawberry.ID | None = UNSET
    form: strawberry.ID | None = UNSET
    assigned_to: strawberry.ID | None = UNSET
    status: LeadStatus | None = UNSET
    score: int | None = UNSET
    custom_fields: JSON | None = UNSET
    budget: Decimal | None = UNSET
    authority: str | None = UNSET
    need: str | None = UNSET
    timeline: str | None = UNSET
    enriched_data: JSON | None = UNSET


@strawberry.input(description="Changes to a lead: fields left out stay as they are; null clears a field.")
class LeadPatch:
    space: strawberry.ID | None = UNSET
    first_name: str | None = UNSET
    last_name: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET
    job_title: str | None = UNSET
    company: strawberry.ID | None = UNSET
    stage: strawberry.ID | None = strawberry.field(
        default=UNSET,
        description="A stage of the lead's own board; a change logs a stage_changed activity, as moveLead does.",
    )
    source: strawberry.ID | None = UNSET
    form: strawberry.ID | None = UNSET
    assigned_to: strawberry.ID | None = UNSET
    status: LeadStatus | None = UNSET
    score: int | None = UNSET
    custom_fields: JSON | None = UNSET
    budget: Decimal | None = UNSET
    authority: str | None = UNSET
    need: str | None = UNSET
    timeline: str | None = UNSET
    enriched_data: JSON | None = UNSET


LEAD_COLUMNS = {
    "space": Column("space_id", "Space"),
    "first_name": Column("first_name", validate=partial(v.text, max_length=200)),
    "last_name": Column("last_name", validate=partial(v.text, max_length=200)),
    "email": Column("email", validate=v.email),
    "phone": Column("phone", validate=partial(v.text, max_length=50)),
    "job_title": Column("job_title", validate=partial(v.text, max_length=200)),
    "company": Column("company_id", "Company"),
    "stage": Column("stage_id", "LeadStage"),
    "source": Column("source_id", "LeadSource"),
    "form": Column("form_id", "LeadForm"),
    "assigned_to": Column("assigned_to", "User"),
    "status": Column("status", required=True),
    "score": Column("score", validate=partial(v.int_range, low=0, high=100), required=True),
    "custom_fields": Column("custom_fields", validate=v.json_object, required=True),
    "budget": Column("budget", validate=v.money),
    "authority": Column("authority", validate=partial(v.text, max_length=200)),
    "need": Column("need", validate=partial(v.text, max_length=2000)),
    "timeline": Column("timeline", validate=partial(v.text, max_length=200)),
    "enriched_data": Column("enriched_data", validate=v.json_object, required=True),
}
columns_of(CreateLeadInput, LEAD_COLUMNS)
columns_of(LeadPatch, LEAD_COLUMNS)

_ = Decimal  # used in annotations above
