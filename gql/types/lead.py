"""Lead: a person who may become a customer, with their company, stage, activities and campaigns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from gql.connection import Connection
from gql.enums import LeadStatus
from gql.types.base import Info
from gql.types.fields import entity, related_connection, relation
from gql.types.owned import Owned
from gql.types.score import ScoreContribution, score_contributions

if TYPE_CHECKING:
    from gql.types.activity import Activity
    from gql.types.campaign import Campaign
    from gql.types.company import Company
    from gql.types.customer import Customer
    from gql.types.lead_form import LeadForm
    from gql.types.lead_source import LeadSource
    from gql.types.lead_stage import LeadStage
    from gql.types.user import User
    from gql.types.workflow_execution import WorkflowExecution


async def _score_breakdown(root: Any, info: Info) -> list[ScoreContribution]:
    return await score_contributions(info, root.row["id"])


@entity("leads")
@strawberry.type(description="A lead: a person who may become a customer.")
class Lead(Owned):
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    job_title: str | None
    score: int = strawberry.field(
        description=(
            "Lead score, 0..100: computed by the database from the active scoring rules of the lead's scope (see "
            "scoreBreakdown), whoever writes the lead; set by hand only while the scope has no active rule."
        )
    )
    status: LeadStatus
    form_submission_data: JSON | None = strawberry.field(description="The original form submission.")
    custom_fields: JSON = strawberry.field(description="Values of custom fields, by field name.")
    budget: Decimal | None = strawberry.field(description="BANT: budget.")
    authority: str | None = strawberry.field(description="BANT: decision-making authority.")
    need: str | None = strawberry.field(description="BANT: the need.")
    timeline: str | None = strawberry.field(description="BANT: buying timeline.")
    enriched_data: JSON
    converted_to_customer: bool
    last_activity_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    score_breakdown: list[ScoreContribution] = strawberry.field(
        resolver=_score_breakdown,
        description=(
            "The active scoring rules of the lead's scope that it matches, with their points: the score is their "
            "sum clamped to 0..100. Empty while the scope has no active rule (the score is then set by hand)."
        ),
    )
    company: Annotated[Company, strawberry.lazy("gql.types.company")] | None = relation("company")
    stage: Annotated[LeadStage, strawberry.lazy("gql.types.lead_stage")] | None = relation("stage")
    source: Annotated[LeadSource, strawberry.lazy("gql.types.lead_source")] | None = relation("source")
    form: Annotated[LeadForm, strawberry.lazy("gql.types.lead_form")] | None = relation(
        "form", description="The form that captured the lead."
    )
    assigned_to: Annotated[User, strawberry.lazy("gql.types.user")] | None = relation("assigned_to")
    customer: Annotated[Customer, strawberry.lazy("gql.types.customer")] | None = relation(
        "customer", description="The customer the lead became."
    )
    activities: Connection[Annotated[Activity, strawberry.lazy("gql.types.activity")]] = related_connection(
        "activities", description="The lead's activity log, newest first by default."
    )
    campaigns: Connection[Annotated[Campaign, strawberry.lazy("gql.types.campaign")]] = related_connection(
        "campaigns", description="Campaigns the lead is in."
    )
    workflow_executions: Connection[Annotated[WorkflowExecution, strawberry.lazy("gql.types.workflow_execution")]] = (
        related_connection("workflow_executions", description="Workflow runs on this lead.")
    )
