"""LeadForm: a lead capture form and its fields."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from domain.public_forms import embed_snippet, form_url
from gql.connection import Connection
from gql.types.base import Info
from gql.types.fields import entity, related_connection, relation
from gql.types.owned import Owned
from resolvers.public_forms import public_base_url
from resolvers.submissions import form_submissions

if TYPE_CHECKING:
    from gql.types.form_field import FormField
    from gql.types.lead import Lead
    from gql.types.submission import FormSubmission


@entity("lead_forms")
@strawberry.type(description="A lead capture form.")
class LeadForm(Owned):
    name: str
    title: str | None
    description: str | None
    ai_personalization_enabled: bool
    form_settings: JSON = strawberry.field(description="Theme, styling, success message, redirect URL.")
    is_published: bool = strawberry.field(description="Published forms accept public submissions.")
    published_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    slug: str | None = strawberry.field(
        description="The form's address, unique across all forms: its hosted page is /f/<slug> (publicUrl)."
    )

    fields: list[Annotated[FormField, strawberry.lazy("gql.types.form_field")]] = relation(
        "fields", description="The form's fields in display order."
    )
    leads: Connection[Annotated[Lead, strawberry.lazy("gql.types.lead")]] = related_connection(
        "leads", description="Leads captured by this form."
    )

    @strawberry.field(
        description="Public submissions of this form, newest first, with the changes they propose to existing "
        "leads. Only the form's editors (owners and admins of its space, the owner of a personal form) and platform "
        "admins see them; for anyone else the connection is empty."
    )
    async def submissions(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Annotated[FormSubmission, strawberry.lazy("gql.types.submission")]]:
        from gql.types.submission import submission_connection

        form_id = str(self.row["id"])
        return submission_connection(info, form_id, await form_submissions(info.context, form_id, first, after))

    @strawberry.field(description="The form's hosted page (/f/<slug>); it shows the form once it is published.")
    def public_url(self, info: Info) -> str | None:
        slug = self.row["slug"]
        return form_url(public_base_url(info.context), slug) if slug else None

    @strawberry.field(
        description="HTML to paste into a website: a div the embed script (/f/embed.js) fills with the form, and an "
        "iframe of the hosted page for browsers without JavaScript."
    )
    def embed_snippet(self, info: Info) -> str | None:
        slug = self.row["slug"]
        return embed_snippet(public_base_url(info.context), slug, self.title) if slug else None
