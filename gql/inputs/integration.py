"""Inputs that create and patch integrations (credentials are not part of them)."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from domain.integration_webhooks import integration_settings
from gql.enums import IntegrationType
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new integration, personal or of a space; inactive unless isActive is given.")
class CreateIntegrationInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Connect it for this space.")
    integration_type: IntegrationType
    integration_name: str
    is_active: bool | None = UNSET
    settings: JSON | None = strawberry.field(
        default=UNSET,
        description="Non-secret settings, a JSON object; `url` (and any key ending in url) must be an http(s) URL.",
    )


@strawberry.input(description="Changes to an integration: fields left out stay as they are.")
class IntegrationPatch:
    space: strawberry.ID | None = UNSET
    integration_type: IntegrationType | None = UNSET
    integration_name: str | None = UNSET
    is_active: bool | None = UNSET
    settings: JSON | None = UNSET


INTEGRATION_COLUMNS = {
    "space": Column("space_id", "Space"),
    "integration_type": Column("integration_type", required=True),
    "integration_name": Column(
        "integration_name", validate=partial(v.text, max_length=200, required=True), required=True
    ),
    "is_active": Column("is_active", required=True),
    "settings": Column("settings", validate=integration_settings, required=True),
}
columns_of(CreateIntegrationInput, INTEGRATION_COLUMNS)
columns_of(IntegrationPatch, INTEGRATION_COLUMNS)
