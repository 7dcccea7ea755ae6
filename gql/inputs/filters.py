"""Filters of each collection, and their translation into the data layer's filter tree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Any

import strawberry

from db.sql_builder import AllOf, AnyOf, Cond, FilterNode, Not
from domain.errors import bad_input
from gql.enums import (
    ActivityType,
    CampaignStatus,
    CampaignType,
    CriteriaType,
    ExecutionStatus,
    IntegrationType,
    LeadStatus,
    SourceType,
)
from gql.ids import decode_id
from gql.inputs.custom_field_filter import CustomFieldValueFilter, custom_field_conditions
from gql.inputs.operators import (
    OPERATORS,
    DateFilter,
    DateTimeFilter,
    EnumFilter,
    IDFilter,
    IntFilter,
    StringFilter,
)

LOGIC = "and_, or_, not_"


@dataclass(frozen=True)
class Field:
    """Where a filter input field goes: a key of the table's filters, and for IDs the node type expected."""

    key: str
    id_type: str | None = None


# filter input class -> {python field name: Field}
FILTER_FIELDS: dict[type, dict[str, Field]] = {}


def _scope(entity: str) -> dict[str, Field]:
    return {
        "id": Field("id", entity),
        "space": Field("space_id", "Space"),
        "owner": Field("user_id", "User"),
        "created_at": Field("created_at"),
        "updated_at": Field("updated_at"),
    }


@strawberry.input(description="Filter leads; fields combine with AND.")
class LeadFilter:
    search: str | None = strawberry.field(default=None, description="Full-text search: names, email, job title.")
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    stage: IDFilter | None = None
    source: IDFilter | None = None
    status: EnumFilter[LeadStatus] | None = None
    assigned_to: IDFilter | None = None
    company: IDFilter | None = None
    campaign: IDFilter | None = strawberry.field(default=None, description="Leads in this campaign.")
    form: IDFilter | None = None
    email: StringFilter | None = None
    score: IntFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    last_activity_at: DateTimeFilter | None = None
    converted: bool | None = strawberry.field(default=None, description="Converted to a customer, or not.")
    custom_field: list[CustomFieldValueFilter] | None = strawberry.field(
        default=None, description="Conditions on custom field values; all must hold."
    )
    and_: list[LeadFilter] | None = strawberry.field(default=None, name="and")
    or_: list[LeadFilter] | None = strawberry.field(default=None, name="or")
    not_: LeadFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[LeadFilter] = {
    **_scope("Lead"),
    "search": Field("search"),
    "stage": Field("stage_id", "LeadStage"),
    "source": Field("source_id", "LeadSource"),
    "status": Field("status"),
    "assigned_to": Field("assigned_to", "User"),
    "company": Field("company_id", "Company"),
    "campaign": Field("campaign_id", "Campaign"),
    "form": Field("form_id", "LeadForm"),
    "email": Field("email"),
    "score": Field("score"),
    "last_activity_at": Field("last_activity_at"),
    "converted": Field("converted"),
    "custom_field": Field("custom_field"),
}


@strawberry.input(description="Filter companies; fields combine with AND.")
class CompanyFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    industry: StringFilter | None = None
    company_size: StringFilter | None = None
    is_active: bool | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[CompanyFilter] | None = strawberry.field(default=None, name="and")
    or_: list[CompanyFilter] | None = strawberry.field(default=None, name="or")
    not_: CompanyFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[CompanyFilter] = {
    **_scope("Company"),
    "name": Field("name"),
    "industry": Field("industry"),
    "company_size": Field("company_size"),
    "is_active": Field("is_active"),
}


@strawberry.input(description="Filter customers; fields combine with AND.")
class CustomerFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    email: StringFilter | None = None
    company: IDFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[CustomerFilter] | None = strawberry.field(default=None, name="and")
    or_: list[CustomerFilter] | None = strawberry.field(default=None, name="or")
    not_: CustomerFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[CustomerFilter] = {
    **_scope("Customer"),
    "name": Field("name"),
    "email": Field("email"),
    "company": Field("company_id", "Company"),
}


@strawberry.input(description="Filter pipeline stages; fields combine with AND.")
class LeadStageFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[LeadStageFilter] | None = strawberry.field(default=None, name="and")
    or_: list[LeadStageFilter] | None = strawberry.field(default=None, name="or")
    not_: LeadStageFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[LeadStageFilter] = {**_scope("LeadStage"), "name": Field("name")}


@strawberry.input(description="Filter lead sources; fields combine with AND.")
class LeadSourceFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    type: EnumFilter[SourceType] | None = None
    utm_source: StringFilter | None = None
    utm_medium: StringFilter | None = None
    utm_campaign: StringFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[LeadSourceFilter] | None = strawberry.field(default=None, name="and")
    or_: list[LeadSourceFilter] | None = strawberry.field(default=None, name="or")
    not_: LeadSourceFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[LeadSourceFilter] = {
    **_scope("LeadSource"),
    "name": Field("name"),
    "type": Field("type"),
    "utm_source": Field("utm_source"),
    "utm_medium": Field("utm_medium"),
    "utm_campaign": Field("utm_campaign"),
}


@strawberry.input(description="Filter forms; fields combine with AND.")
class LeadFormFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    is_published: bool | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[LeadFormFilter] | None = strawberry.field(default=None, name="and")
    or_: list[LeadFormFilter] | None = strawberry.field(default=None, name="or")
    not_: LeadFormFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[LeadFormFilter] = {**_scope("LeadForm"), "name": Field("name"), "is_published": Field("is_published")}


@strawberry.input(description="Filter activities; fields combine with AND.")
class ActivityFilter:
    id: IDFilter | None = None
    lead: IDFilter | None = None
    user: IDFilter | None = None
    activity_type: EnumFilter[ActivityType] | None = None
    created_at: DateTimeFilter | None = None
    and_: list[ActivityFilter] | None = strawberry.field(default=None, name="and")
    or_: list[ActivityFilter] | None = strawberry.field(default=None, name="or")
    not_: ActivityFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[ActivityFilter] = {
    "id": Field("id", "Activity"),
    "lead": Field("lead_id", "Lead"),
    "user": Field("user_id", "User"),
    "activity_type": Field("activity_type"),
    "created_at": Field("created_at"),
}


@strawberry.input(description="Filter scoring rules; fields combine with AND.")
class ScoringRuleFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    criteria_type: EnumFilter[CriteriaType] | None = None
    is_active: bool | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[ScoringRuleFilter] | None = strawberry.field(default=None, name="and")
    or_: list[ScoringRuleFilter] | None = strawberry.field(default=None, name="or")
    not_: ScoringRuleFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[ScoringRuleFilter] = {
    **_scope("ScoringRule"),
    "criteria_type": Field("criteria_type"),
    "is_active": Field("is_active"),
}


@strawberry.input(description="Filter workflows; fields combine with AND.")
class WorkflowFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    is_active: bool | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[WorkflowFilter] | None = strawberry.field(default=None, name="and")
    or_: list[WorkflowFilter] | None = strawberry.field(default=None, name="or")
    not_: WorkflowFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[WorkflowFilter] = {**_scope("Workflow"), "name": Field("name"), "is_active": Field("is_active")}


@strawberry.input(description="Filter workflow executions; fields combine with AND.")
class WorkflowExecutionFilter:
    id: IDFilter | None = None
    workflow: IDFilter | None = None
    lead: IDFilter | None = None
    status: EnumFilter[ExecutionStatus] | None = None
    created_at: DateTimeFilter | None = None
    and_: list[WorkflowExecutionFilter] | None = strawberry.field(default=None, name="and")
    or_: list[WorkflowExecutionFilter] | None = strawberry.field(default=None, name="or")
    not_: WorkflowExecutionFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[WorkflowExecutionFilter] = {
    "id": Field("id", "WorkflowExecution"),
    "workflow": Field("workflow_id", "Workflow"),
    "lead": Field("lead_id", "Lead"),
    "status": Field("status"),
    "created_at": Field("created_at"),
}


@strawberry.input(description="Filter campaigns; fields combine with AND.")
class CampaignFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    name: StringFilter | None = None
    status: EnumFilter[CampaignStatus] | None = None
    campaign_type: EnumFilter[CampaignType] | None = None
    start_date: DateFilter | None = None
    end_date: DateFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[CampaignFilter] | None = strawberry.field(default=None, name="and")
    or_: list[CampaignFilter] | None = strawberry.field(default=None, name="or")
    not_: CampaignFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[CampaignFilter] = {
    **_scope("Campaign"),
    "name": Field("name"),
    "status": Field("status"),
    "campaign_type": Field("campaign_type"),
    "start_date": Field("start_date"),
    "end_date": Field("end_date"),
}


@strawberry.input(description="Filter integrations; fields combine with AND.")
class IntegrationFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    integration_type: EnumFilter[IntegrationType] | None = None
    is_active: bool | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[IntegrationFilter] | None = strawberry.field(default=None, name="and")
    or_: list[IntegrationFilter] | None = strawberry.field(default=None, name="or")
    not_: IntegrationFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[IntegrationFilter] = {
    **_scope("Integration"),
    "integration_type": Field("integration_type"),
    "is_active": Field("is_active"),
}


@strawberry.input(description="Filter custom field definitions; fields combine with AND.")
class CustomFieldFilter:
    id: IDFilter | None = None
    space: IDFilter | None = None
    owner: IDFilter | None = None
    field_name: StringFilter | None = None
    created_at: DateTimeFilter | None = None
    updated_at: DateTimeFilter | None = None
    and_: list[CustomFieldFilter] | None = strawberry.field(default=None, name="and")
    or_: list[CustomFieldFilter] | None = strawberry.field(default=None, name="or")
    not_: CustomFieldFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[CustomFieldFilter] = {**_scope("CustomField"), "field_name": Field("field_name")}


@strawberry.input(description="Filter spaces; fields combine with AND.")
class SpaceFilter:
    id: IDFilter | None = None
    name: StringFilter | None = None
    and_: list[SpaceFilter] | None = strawberry.field(default=None, name="and")
    or_: list[SpaceFilter] | None = strawberry.field(default=None, name="or")
    not_: SpaceFilter | None = strawberry.field(default=None, name="not")


FILTER_FIELDS[SpaceFilter] = {"id": Field("id", "Space"), "name": Field("name")}


def to_filter_node(value: Any, path: str = "filter") -> FilterNode | None:
    """Translate a filter input into the data layer's tree; IDs decoded, enums to their stored text."""
    if value is None:
        return None
    fields = FILTER_FIELDS[type(value)]
    parts: list[FilterNode] = []
    for name, field in fields.items():
        given = getattr(value, name)
        if given is None:
            continue
        where = f"{path}.{_camel(name)}"
        if isinstance(given, list):  # custom field conditions, each on a field of its own
            parts.extend(custom_field_conditions(given, where))
            continue
        if isinstance(given, bool | str):
            parts.append(Cond(name, "search" if name == "search" else "eq", given))
            continue
        for op in OPERATORS:
            operand = getattr(given, op, None)
            if operand is None:
                continue
            op_name = op.rstrip("_")
            parts.append(Cond(name, op_name, _value(operand, field, f"{where}.{_camel(op_name)}")))
    for items, combine in ((value.and_, AllOf), (value.or_, AnyOf)):
        if items is not None:
            parts.append(
                combine(tuple(node for i, item in enumerate(items) if (node := _required(item, path, i)) is not None))
            )
    if value.not_ is not None:
        inner = to_filter_node(value.not_, f"{path}.not")
        if inner is not None:
            parts.append(Not(inner))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _required(item: Any, path: str, index: int) -> FilterNode | None:
    return to_filter_node(item, f"{path}[{index}]")


def _value(operand: Any, field: Field, where: str) -> Any:
    if isinstance(operand, list):
        return tuple(_value(v, field, where) for v in operand)
    if isinstance(operand, Enum):
        return operand.value
    if field.id_type is not None and isinstance(operand, str):
        return str(decode_id(operand, field.id_type, where))
    if isinstance(operand, dt.datetime | dt.date | int | float | str | bool):
        return operand
    raise bad_input(where, f"{where}: unsupported value")


def _camel(name: str) -> str:
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part.title() for part in rest)


__all__ = ["FILTER_FIELDS", "LOGIC", "to_filter_node"]
