"""The context a visitor's browser sends along with a form submission."""

from __future__ import annotations

import datetime as dt

import strawberry

from domain.submissions import VisitContext


@strawberry.input(description="Where and when the visitor filled in the form; every field is optional.")
class SubmissionContext:
    rendered_at: dt.datetime | None = strawberry.field(
        default=None, description="When the form was shown: forms with a minimum time to submit need it."
    )
    page_url: str | None = strawberry.field(default=None, description="The page the form is on.")
    referrer: str | None = strawberry.field(default=None, description="document.referrer of that page.")
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None

    def to_domain(self) -> VisitContext:
        return VisitContext(
            rendered_at=self.rendered_at,
            page_url=self.page_url,
            referrer=self.referrer,
            utm_source=self.utm_source,
            utm_medium=self.utm_medium,
            utm_campaign=self.utm_campaign,
            utm_term=self.utm_term,
            utm_content=self.utm_content,
        )
