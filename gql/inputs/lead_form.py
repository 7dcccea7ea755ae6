"""Inputs that create and patch lead forms (publishing is not part of them)."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET
from strawberry.scalars import JSON

from domain import validation as v
from domain.form_definitions import form_settings
from domain.public_forms import slug
from gql.inputs.values import Column, columns_of

SETTINGS_DESCRIPTION = (
    "A JSON object: theme (a name or an object; primaryColor, backgroundColor, textColor as #RRGGBB), "
    "successMessage, submitLabel, consentText, redirectUrl (http(s)), honeypotField (a hidden field bots fill in), "
    "minSecondsToSubmit, allowedOrigins (origins that may embed the form; absent: any)."
)
SLUG_DESCRIPTION = (
    "The form's address (/f/<slug>): letters, digits and single hyphens, at most 64 characters, unique across all "
    "forms (CONFLICT when taken). Left out: made from the name, with a suffix when taken."
)


@strawberry.input(description="A new, unpublished lead form, personal or of a space.")
class CreateLeadFormInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Share the form with this space.")
    name: str
    slug: str | None = strawberry.field(default=UNSET, description=SLUG_DESCRIPTION)
    title: str | None = UNSET
    description: str | None = UNSET
    ai_personalization_enabled: bool | None = UNSET
    form_settings: JSON | None = strawberry.field(default=UNSET, description=SETTINGS_DESCRIPTION)


@strawberry.input(description="Changes to a form: fields left out stay as they are; null clears a field.")
class LeadFormPatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    slug: str | None = strawberry.field(default=UNSET, description=SLUG_DESCRIPTION)
    title: str | None = UNSET
    description: str | None = UNSET
    ai_personalization_enabled: bool | None = UNSET
    form_settings: JSON | None = strawberry.field(default=UNSET, description=SETTINGS_DESCRIPTION)


LEAD_FORM_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=200, required=True), required=True),
    "title": Column("title", validate=partial(v.text, max_length=300)),
    "description": Column("description", validate=partial(v.text, max_length=5000)),
    "ai_personalization_enabled": Column("ai_personalization_enabled", required=True),
    "form_settings": Column("form_settings", validate=form_settings, required=True),
    "slug": Column("slug", validate=slug, required=True),
}
columns_of(CreateLeadFormInput, LEAD_FORM_COLUMNS)
columns_of(LeadFormPatch, LEAD_FORM_COLUMNS)
