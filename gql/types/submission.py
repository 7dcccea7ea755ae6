"""SubmissionResult: what a visitor gets back from submitting a form."""

from __future__ import annotations

import strawberry

from domain.submissions import SubmissionOutcome


@strawberry.type(description="A form submission was received.")
class SubmissionResult:
    submission_id: strawberry.ID = strawberry.field(
        description="The submission; the same for a repeat with the same idempotency key."
    )
    success_message: str | None = strawberry.field(description="The form's success message, if it has one.")
    redirect_url: str | None = strawberry.field(description="Where the form sends the visitor next, if anywhere.")
    visitor_token: str = strawberry.field(
        description="An opaque signed token tying the visitor's later page visits to this submission's lead."
    )

    @classmethod
    def of(cls, outcome: SubmissionOutcome) -> SubmissionResult:
        return cls(
            submission_id=strawberry.ID(str(outcome.submission_id)),
            success_message=outcome.success_message,
            redirect_url=outcome.redirect_url,
            visitor_token=outcome.visitor_token,
        )
