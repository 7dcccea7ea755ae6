"""The Strawberry schema: types, limits and caches."""

from __future__ import annotations

from dataclasses import dataclass

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gql.analytics import AnalyticsQuery
from gql.mutations.activity import ActivityMutations
from gql.mutations.campaign import CampaignMutations
from gql.mutations.company import CompanyMutations
from gql.mutations.custom_field import CustomFieldMutations
from gql.mutations.customer import CustomerMutations
from gql.mutations.form_field import FormFieldMutations
from gql.mutations.integration import IntegrationMutations
from gql.mutations.lead import LeadMutations
from gql.mutations.lead_form import LeadFormMutations
from gql.mutations.lead_source import LeadSourceMutations
from gql.mutations.lead_stage import LeadStageMutations
from gql.mutations.scoring_rule import ScoringRuleMutations
from gql.mutations.space import SpaceMutations
from gql.mutations.space_invitation import SpaceInvitationMutations
from gql.mutations.space_member import SpaceMemberMutations
from gql.mutations.submission import SubmissionMutations
from gql.mutations.user import UserMutations
from gql.mutations.workflow import WorkflowMutations
from gql.mutations.workflow_action import WorkflowActionMutations
from gql.mutations.workflow_execution import WorkflowExecutionMutations
from gql.mutations.workflow_trigger import WorkflowTriggerMutations
from gql.query import Query
from gql.scalars import SCALAR_MAP
from gql.scoring import ScoringQuery
from gql.types import (
    activity,
    campaign,
    company,
    custom_field,
    customer,
    form_field,
    integration,
    lead,
    lead_form,
    lead_source,
    lead_stage,
    scoring_rule,
    space,
    space_invitation,
    space_member,
    user,
    workflow,
    workflow_action,
    workflow_execution,
    workflow_trigger,
)

ALL_TYPE_MODULES = (
    activity,
    campaign,
    company,
    custom_field,
    customer,
    form_field,
    integration,
    lead,
    lead_form,
    lead_source,
    lead_stage,
    scoring_rule,
    space,
    space_invitation,
    space_member,
    user,
    workflow,
    workflow_action,
    workflow_execution,
    workflow_trigger,
)


@dataclass(frozen=True)
class SchemaLimits:
    max_depth: int = 10
    max_aliases: int = 30
    max_tokens: int = 2000


# Root fields come from several modules (one per feature area), merged into Query and Mutation.
QUERY_TYPES: tuple[type, ...] = (Query, AnalyticsQuery, ScoringQuery)

MUTATION_TYPES: tuple[type, ...] = (
    LeadMutations,
    CompanyMutations,
    CustomerMutations,
    ActivityMutations,
    CampaignMutations,
    SpaceMutations,
    SpaceMemberMutations,
    SpaceInvitationMutations,
    UserMutations,
    LeadStageMutations,
    LeadSourceMutations,
    LeadFormMutations,
    FormFieldMutations,
    ScoringRuleMutations,
    WorkflowMutations,
    WorkflowTriggerMutations,
    WorkflowActionMutations,
    WorkflowExecutionMutations,
    IntegrationMutations,
    CustomFieldMutations,
    SubmissionMutations,
)


class LeadgenSchema(strawberry.Schema):
    """Strawberry's schema, minus its logging of every error with a traceback: expected errors (bad input,
    refusals) are answers, not incidents, and the unexpected ones are logged once, with their error id, when
    the response is formatted (gql/errors.py)."""

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None


def build_schema(limits: SchemaLimits | None = None, *, introspection: bool = True) -> strawberry.Schema:
    lim = limits or SchemaLimits()
    # The limit rules are built once: ValidationCache keys on the rule classes, and the limiter extensions
    # make new classes per instance, which would turn every request into a cache miss.
    rules = [
        *QueryDepthLimiter(max_depth=lim.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=lim.max_aliases).validation_rules,
        *([] if introspection else DisableIntrospection().validation_rules),
    ]
    return LeadgenSchema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        types=[getattr(m, name) for m in ALL_TYPE_MODULES for name in _public_types(m)],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        extensions=[
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: AddValidationRules(rules),
            lambda: MaxTokensLimiter(max_token_count=lim.max_tokens),
        ],
    )


def _public_types(module: object) -> list[str]:
    from gql.types.base import TYPE_BY_NAME

    return [name for name, cls in TYPE_BY_NAME.items() if cls.__module__ == getattr(module, "__name__", "")]
