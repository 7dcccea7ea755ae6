"""Lead: a person who may become a customer, with their company, stage, activities and campaigns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON

from gql.connection import Connection
from gql.enums import LeadStatus
from gql.inputs.filters import ActivityFilter, CampaignFilter, WorkflowExecutionFilter, to_filter_node
from gql.orderings import CampaignOrderBy, TimeOrderBy
from gql.types.base import Info, entity, load_one, related_connection
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

    @strawberry.field(
        description=(
            "The active scoring rules of the lead's scope that it matches, with their points: the score is their "
            "sum clamped to 0..100. Empty while the scope has no active rule (the score is then set by hand)."
        )
    )
    async def score_breakdown(self, info: Info) -> list[ScoreContribution]:
        return await score_contributions(info, self.row["id"])

    @strawberry.field
    async def company(self, info: Info) -> Annotated[Company, strawberry.lazy("gql.types.company")] | None:
        from gql.types.company import Company

        return await load_one(info, Company, self.row["company_id"])

    @strawberry.field
    async def stage(self, info: Info) -> Annotated[LeadStage, strawberry.lazy("gql.types.lead_stage")] | None:
        from gql.types.lead_stage import LeadStage

        return await load_one(info, LeadStage, self.row["stage_id"])

    @strawberry.field
    async def source(self, info: Info) -> Annotated[LeadSource, strawberry.lazy("gql.types.lead_source")] | None:
        from gql.types.lead_source import LeadSource

        return await load_one(info, LeadSource, self.row["source_id"])

    @strawberry.field(description="The form that captured the lead.")
    async def form(self, info: Info) -> Annotated[LeadForm, strawberry.lazy("gql.types.lead_form")] | None:
        from gql.types.lead_form import LeadForm

        return await load_one(info, LeadForm, self.row["form_id"])

    @strawberry.field
    async def assigned_to(self, info: Info) -> Annotated[User, strawberry.lazy("gql.types.user")] | None:
        from gql.types.user import User

        return await load_one(info, User, self.row["assigned_to"])

    @strawberry.field(description="The customer the lead became.")
    async def customer(self, info: Info) -> Annotated[Customer, strawberry.lazy("gql.types.customer")] | None:
        from gql.types.customer import Customer

        return await load_one(info, Customer, self.row["customer_id"])

    @strawberry.field(description="The lead's activity log, newest first by default.")
    async def activities(
        self,
        info: Info,
        filter: ActivityFilter | None = None,
        order_by: TimeOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Activity, strawberry.lazy("gql.types.activity")]]:
        from gql.types.activity import Activity

        node = to_filter_node(filter)
        return await related_connection(
            info, Activity, "leads", "activities", self.row["id"], node, order_by, first, after
        )

    @strawberry.field(description="Campaigns the lead is in.")
    async def campaigns(
        self,
        info: Info,
        filter: CampaignFilter | None = None,
        order_by: CampaignOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[Campaign, strawberry.lazy("gql.types.campaign")]]:
        from gql.types.campaign import Campaign

        node = to_filter_node(filter)
        return await related_connection(
            info, Campaign, "leads", "campaigns", self.row["id"], node, order_by, first, after
        )

    @strawberry.field(description="Workflow runs on this lead.")
    async def workflow_executions(
        self,
        info: Info,
        filter: WorkflowExecutionFilter | None = None,
        order_by: TimeOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Annotated[WorkflowExecution, strawberry.lazy("gql.types.workflow_execution")]]:
        from gql.types.workflow_execution import WorkflowExecution

        node = to_filter_node(filter)
        return await related_connection(
            info, WorkflowExecution, "leads", "workflow_executions", self.row["id"], node, order_by, first, after
        )
