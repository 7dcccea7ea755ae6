"""The root Query: Relay node lookup, the caller, and every collection under RLS."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.connection import Connection
from gql.ids import parse_global_id
from gql.inputs.filters import (
    ActivityFilter,
    CampaignFilter,
    CompanyFilter,
    CustomerFilter,
    CustomFieldFilter,
    IntegrationFilter,
    LeadFilter,
    LeadFormFilter,
    LeadSourceFilter,
    LeadStageFilter,
    ScoringRuleFilter,
    SpaceFilter,
    WorkflowExecutionFilter,
    WorkflowFilter,
    to_filter_node,
)
from gql.orderings import CampaignOrderBy, LeadOrderBy, NamedOrderBy, StageOrderBy, TimeOrderBy
from gql.types.activity import Activity
from gql.types.base import TABLE_OF_TYPE, TYPE_BY_NAME, Info, build, load_one, root_connection
from gql.types.campaign import Campaign
from gql.types.company import Company
from gql.types.custom_field import CustomField
from gql.types.customer import Customer
from gql.types.integration import Integration
from gql.types.lead import Lead
from gql.types.lead_form import LeadForm
from gql.types.lead_source import LeadSource
from gql.types.lead_stage import LeadStage
from gql.types.node import Node
from gql.types.scoring_rule import ScoringRule
from gql.types.space import Space
from gql.types.user import User
from gql.types.workflow import Workflow
from gql.types.workflow_execution import WorkflowExecution
from resolvers.reads import row_by_id


async def _node(info: Info, value: strawberry.ID, field: str) -> Node | None:
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] not in TYPE_BY_NAME:
        raise bad_input(field, f"{field}: not a valid ID")
    type_name, row_id = parsed
    row = await row_by_id(info.context, TABLE_OF_TYPE[type_name], row_id)
    return None if row is None else build(TYPE_BY_NAME[type_name], row)


@strawberry.type
class Query:
    @strawberry.field(description="Any object by its global ID; null when it does not exist or is not visible.")
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        return await _node(info, id, "id")

    @strawberry.field(description="Objects by global ID, in the order asked; null where not visible.")
    async def nodes(self, info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
        if len(ids) > info.context.limits.max_page_size:
            raise bad_input("ids", f"at most {info.context.limits.max_page_size} ids")
        return [await _node(info, value, f"ids[{i}]") for i, value in enumerate(ids)]

    @strawberry.field(description="The caller's own profile; null for anonymous requests.")
    async def viewer(self, info: Info) -> User | None:
        return await load_one(info, User, info.context.caller.user_id)

    @strawberry.field(description="A lead by ID; null when it does not exist or is not visible.")
    async def lead(self, info: Info, id: strawberry.ID) -> Lead | None:
        node = await _node(info, id, "id")
        if node is not None and not isinstance(node, Lead):
            raise bad_input("id", "id: not the ID of a Lead")
        return node

    @strawberry.field(description="Leads visible to the caller.")
    async def leads(
        self,
        info: Info,
        filter: LeadFilter | None = None,
        order_by: LeadOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Lead]:
        return await root_connection(info, Lead, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def companies(
        self,
        info: Info,
        filter: CompanyFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Company]:
        return await root_connection(info, Company, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def customers(
        self,
        info: Info,
        filter: CustomerFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Customer]:
        return await root_connection(info, Customer, to_filter_node(filter), order_by, first, after)

    @strawberry.field(description="Pipeline stages, in board order by default.")
    async def lead_stages(
        self,
        info: Info,
        filter: LeadStageFilter | None = None,
        order_by: StageOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[LeadStage]:
        return await root_connection(info, LeadStage, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def lead_sources(
        self,
        info: Info,
        filter: LeadSourceFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[LeadSource]:
        return await root_connection(info, LeadSource, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def lead_forms(
        self,
        info: Info,
        filter: LeadFormFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[LeadForm]:
        return await root_connection(info, LeadForm, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def activities(
        self,
        info: Info,
        filter: ActivityFilter | None = None,
        order_by: TimeOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Activity]:
        return await root_connection(info, Activity, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def scoring_rules(
        self,
        info: Info,
        filter: ScoringRuleFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[ScoringRule]:
        return await root_connection(info, ScoringRule, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def workflows(
        self,
        info: Info,
        filter: WorkflowFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Workflow]:
        return await root_connection(info, Workflow, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def workflow_executions(
        self,
        info: Info,
        filter: WorkflowExecutionFilter | None = None,
        order_by: TimeOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[WorkflowExecution]:
        return await root_connection(info, WorkflowExecution, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def campaigns(
        self,
        info: Info,
        filter: CampaignFilter | None = None,
        order_by: CampaignOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Campaign]:
        return await root_connection(info, Campaign, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def integrations(
        self,
        info: Info,
        filter: IntegrationFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Integration]:
        return await root_connection(info, Integration, to_filter_node(filter), order_by, first, after)

    @strawberry.field
    async def custom_fields(
        self,
        info: Info,
        filter: CustomFieldFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[CustomField]:
        return await root_connection(info, CustomField, to_filter_node(filter), order_by, first, after)

    @strawberry.field(description="Spaces the caller belongs to.")
    async def spaces(
        self,
        info: Info,
        filter: SpaceFilter | None = None,
        order_by: NamedOrderBy | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> Connection[Space]:
        return await root_connection(info, Space, to_filter_node(filter), order_by, first, after)
