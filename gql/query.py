"""The root Query: Relay node lookup, the caller, and every collection under RLS."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.connection import Connection
from gql.ids import parse_global_id
from gql.registry import TABLE_OF_TYPE, TYPE_BY_NAME
from gql.types.activity import Activity
from gql.types.base import Info, build, load_one
from gql.types.campaign import Campaign
from gql.types.company import Company
from gql.types.custom_field import CustomField
from gql.types.customer import Customer
from gql.types.fields import CallerRow, RowById, planned, root_connection
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


async def _node_by_id(info: Info, id: strawberry.ID) -> Node | None:
    return await _node(info, id, "id")


async def _nodes(info: Info, ids: list[strawberry.ID]) -> list[Node | None]:
    if len(ids) > info.context.limits.max_page_size:
        raise bad_input("ids", f"at most {info.context.limits.max_page_size} ids")
    return [await _node(info, value, f"ids[{i}]") for i, value in enumerate(ids)]


async def _viewer(info: Info) -> User | None:
    return await load_one(info, User, info.context.caller.user_id)


async def _lead(info: Info, id: strawberry.ID) -> Lead | None:
    node = await _node(info, id, "id")
    if node is not None and not isinstance(node, Lead):
        raise bad_input("id", "id: not the ID of a Lead")
    return node


@strawberry.type
class Query:
    node: Node | None = strawberry.field(
        resolver=_node_by_id,
        description="Any object by its global ID; null when it does not exist or is not visible.",
        metadata=planned(RowById()),
    )
    nodes: list[Node | None] = strawberry.field(
        resolver=_nodes, description="Objects by global ID, in the order asked; null where not visible."
    )
    viewer: User | None = strawberry.field(
        resolver=_viewer,
        description="The caller's own profile; null for anonymous requests.",
        metadata=planned(CallerRow("profiles")),
    )
    lead: Lead | None = strawberry.field(
        resolver=_lead,
        description="A lead by ID; null when it does not exist or is not visible.",
        metadata=planned(RowById(only="Lead")),
    )
    leads: Connection[Lead] = root_connection("leads", description="Leads visible to the caller.")
    companies: Connection[Company] = root_connection("companies")
    customers: Connection[Customer] = root_connection("customers")
    lead_stages: Connection[LeadStage] = root_connection(
        "lead_stages", description="Pipeline stages, in board order by default."
    )
    lead_sources: Connection[LeadSource] = root_connection("lead_sources")
    lead_forms: Connection[LeadForm] = root_connection("lead_forms")
    activities: Connection[Activity] = root_connection("lead_activities")
    scoring_rules: Connection[ScoringRule] = root_connection("lead_scoring_rules")
    workflows: Connection[Workflow] = root_connection("lead_workflows")
    workflow_executions: Connection[WorkflowExecution] = root_connection("lead_workflow_executions")
    campaigns: Connection[Campaign] = root_connection("lead_campaigns")
    integrations: Connection[Integration] = root_connection("lead_integrations")
    custom_fields: Connection[CustomField] = root_connection("lead_custom_fields")
    spaces: Connection[Space] = root_connection("spaces", description="Spaces the caller belongs to.")
