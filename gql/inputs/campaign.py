"""Inputs that create and patch campaigns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial

import strawberry
from strawberry import UNSET

from domain import validation as v
from gql.enums import CampaignStatus, CampaignType
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new campaign, personal or of a space.")
class CreateCampaignInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Run the campaign in this space.")
    name: str
    description: str | None = UNSET
    campaign_type: CampaignType | None = strawberry.field(default=UNSET, description="Defaults to EMAIL.")
    status: CampaignStatus | None = strawberry.field(default=UNSET, description="Defaults to DRAFT.")
    start_date: dt.date | None = UNSET
    end_date: dt.date | None = strawberry.field(default=UNSET, description="Not before startDate.")
    budget: Decimal | None = UNSET
    spent: Decimal | None = strawberry.field(default=UNSET, description="Defaults to 0.")


@strawberry.input(description="Changes to a campaign: fields left out stay as they are; null clears a field.")
class CampaignPatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    description: str | None = UNSET
    campaign_type: CampaignType | None = UNSET
    status: CampaignStatus | None = UNSET
    start_date: dt.date | None = UNSET
    end_date: dt.date | None = UNSET
    budget: Decimal | None = UNSET
    spent: Decimal | None = UNSET


CAMPAIGN_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=200, required=True), required=True),
    "description": Column("description", validate=partial(v.text, max_length=5000)),
    "campaign_type": Column("campaign_type", required=True),
    "status": Column("status", required=True),
    "start_date": Column("start_date"),
    "end_date": Column("end_date"),
    "budget": Column("budget", validate=v.money),
    "spent": Column("spent", validate=v.money, required=True),
}
columns_of(CreateCampaignInput, CAMPAIGN_COLUMNS)
columns_of(CampaignPatch, CAMPAIGN_COLUMNS)


def check_dates(value: CreateCampaignInput | CampaignPatch, path: str) -> None:
    """An end date given with a start date may not come before it (the database checks the stored pair)."""
    v.date_order(value.start_date or None, value.end_date or None, f"{path}.endDate")
