"""submitForm and trackPageVisit: the mutations anonymous visitors may run."""

from __future__ import annotations

import strawberry
from strawberry.scalars import JSON

from domain.errors import AppError
from domain.submissions import VisitContext
from gql.ids import parse_global_id
from gql.inputs.submission import SubmissionContext
from gql.types.base import Info
from gql.types.submission import SubmissionResult
from resolvers.page_visits import track_page_visit
from resolvers.submissions import NOT_FOUND_MESSAGE, submit_form


@strawberry.type
class SubmissionMutations:
    @strawberry.mutation(
        description="Submit a published form; no token needed. Every value is checked against its field and all "
        "problems are listed in extensions.fields (nothing is written then). The same idempotencyKey returns the "
        "first result. Unknown and unpublished forms are NOT_FOUND; too many submissions are RATE_LIMITED "
        "(extensions.retryAfter, in seconds)."
    )
    async def submit_form(
        self,
        info: Info,
        form_id: strawberry.ID,
        values: JSON,
        context: SubmissionContext | None = None,
        idempotency_key: str | None = None,
    ) -> SubmissionResult:
        parsed = parse_global_id(form_id)
        if parsed is None or parsed[0] != "LeadForm":
            raise AppError("NOT_FOUND", NOT_FOUND_MESSAGE)
        visit = context.to_domain() if context is not None else VisitContext()
        outcome = await submit_form(info.context, parsed[1], values, visit, idempotency_key)
        return SubmissionResult.of(outcome)

    @strawberry.mutation(
        description="Record that the visitor behind a visitorToken (from submitForm) viewed a page; no token needed. "
        "True when recorded (false when its lead is gone); starts page_visit workflows. Rate-limited per visitor and "
        "address (RATE_LIMITED, extensions.retryAfter)."
    )
    async def track_page_visit(self, info: Info, visitor_token: str, url: str, referrer: str | None = None) -> bool:
        return await track_page_visit(info.context, visitor_token, url, referrer)
