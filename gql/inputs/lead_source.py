"""Inputs that create and patch lead sources."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET

from domain import validation as v
from gql.enums import SourceType
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new lead source, personal or of a space.")
class CreateLeadSourceInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Share the source with this space.")
    name: str
    type: SourceType | None = strawberry.field(default=UNSET, description="Defaults to OTHER.")
    utm_source: str | None = UNSET
    utm_medium: str | None = UNSET
    utm_campaign: str | None = UNSET


@strawberry.input(description="Changes to a lead source: fields left out stay as they are; null clears a field.")
class LeadSourcePatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    type: SourceType | None = UNSET
    utm_source: str | None = UNSET
    utm_medium: str | None = UNSET
    utm_campaign: str | None = UNSET


UTM = partial(v.text, max_length=200)
LEAD_SOURCE_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=200, required=True), required=True),
    "type": Column("type", required=True),
    "utm_source": Column("utm_source", validate=UTM),
    "utm_medium": Column("utm_medium", validate=UTM),
    "utm_campaign": Column("utm_campaign", validate=UTM),
}
columns_of(CreateLeadSourceInput, LEAD_SOURCE_COLUMNS)
columns_of(LeadSourcePatch, LEAD_SOURCE_COLUMNS)
