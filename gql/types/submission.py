"""SubmissionResult: what a visitor gets back from submitting a form; FormSubmission: what the form's editors see."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import asyncpg
import strawberry
from strawberry.scalars import JSON

from dataloaders.page import Page
from db.catalog import ToOne
from domain.submissions import SubmissionOutcome, submission_cursor
from gql.connection import Connection, Edge, connection_of
from gql.types.base import Info
from gql.types.fields import relation
from resolvers.submissions import form_submission_count

if TYPE_CHECKING:
    from gql.types.lead import Lead
    from gql.types.lead_form import LeadForm


@strawberry.type(description="A form submission was received.")
class SubmissionResult:
    submission_id: strawberry.ID = strawberry.field(
        description="The submission; the same for a repeat with the same idempotency key."
    )
    success_message: str | None = strawberry.field(description="The form's success message, if it has one.")
    redirect_url: str | None = strawberry.field(description="Where the form sends the visitor next, if anywhere.")
    visitor_token: str = strawberry.field(
        description="An opaque signed token tying the visitor's later page visits to this submission. Visits become "
        "activities of the lead only when this submission created the lead; a submission that matched an existing "
        "lead keeps them on the submission."
    )

    @classmethod
    def of(cls, outcome: SubmissionOutcome) -> SubmissionResult:
        return cls(
            submission_id=strawberry.ID(str(outcome.submission_id)),
            success_message=outcome.success_message,
            redirect_url=outcome.redirect_url,
            visitor_token=outcome.visitor_token,
        )


@strawberry.type(
    description="A public submission of a form, as the form's editors (its space's owners and admins) see it."
)
class FormSubmission:
    id: strawberry.ID = strawberry.field(description="The submission id (submitForm's submissionId).")
    values: JSON = strawberry.field(description="The values as submitted (without the honeypot field).")
    context: JSON = strawberry.field(description="UTM parameters, referrer, page URL and render time given.")
    lead_created: bool = strawberry.field(description="True when this submission created its lead.")
    proposed_changes: JSON = strawberry.field(
        description="Values not written to the existing lead, for a person to apply (e.g. with updateLead): "
        '{field: {current, proposed, reason}}, reason "conflict" (the lead has another value) or "lowers_score" '
        "(filling the empty field would lower the lead's score). Empty when everything was written."
    )
    created_at: dt.datetime
    row: strawberry.Private[asyncpg.Record]
    lead: Annotated[Lead, strawberry.lazy("gql.types.lead")] | None = relation(
        ToOne("leads", "lead_id"), description="The lead the submission went to (null when the caller cannot read it)."
    )
    form: Annotated[LeadForm, strawberry.lazy("gql.types.lead_form")] | None = relation(ToOne("lead_forms", "form_id"))

    @classmethod
    def of(cls, row: asyncpg.Record) -> FormSubmission:
        return cls(
            id=strawberry.ID(str(row["id"])),
            values=row["submitted_values"],
            context=row["context"],
            lead_created=row["lead_created"],
            proposed_changes=row["proposed_changes"],
            created_at=row["created_at"],
            row=row,
        )


def submission_connection(info: Info, form_id: str, page: Page) -> Connection[FormSubmission]:
    edges = [Edge(cursor=submission_cursor(r["created_at"], r["id"]), node=FormSubmission.of(r)) for r in page.rows]
    ctx = info.context
    return connection_of(
        edges,
        has_next=page.has_next,
        has_previous=page.has_previous,
        counter=lambda: form_submission_count(ctx, form_id),
    )
