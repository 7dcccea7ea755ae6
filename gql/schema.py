"""The Strawberry schema: types, limits and caches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import strawberry
from graphql import GraphQLError, recommended_rules
from strawberry.extensions import MaxAliasesLimiter, QueryDepthLimiter
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from gql.analytics import AnalyticsQuery
from gql.documents import DocumentCache, UsePreparedDocument
from gql.introspection import NarrowIntrospection
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
from gql.public_forms import PublicFormQuery
from gql.query import Query
from gql.scalars import SCALAR_MAP
from gql.scoring import ScoringQuery
from gql.text_literals import NoNulInStringLiterals
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
QUERY_TYPES: tuple[type, ...] = (Query, AnalyticsQuery, ScoringQuery, PublicFormQuery)

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
    """Strawberry's schema with our limits and document cache, minus its logging of every error with a traceback:
    expected errors (bad input, refusals) are answers, not incidents, and the unexpected ones are logged once,
    with their error id, when the response is formatted (gql/errors.py).

    Without introspection (production), errors also stop suggesting field and value names."""

    def __init__(self, *args: Any, limits: SchemaLimits | None = None, introspection: bool = True, **kwargs: Any):
        super().__init__(*args, **kwargs)
        lim = limits or SchemaLimits()
        # The limit rules are built once: the limiter extensions make new rule classes per instance.
        rules = [
            *recommended_rules,  # MaxIntrospectionDepthRule
            NoNulInStringLiterals,
            *QueryDepthLimiter(max_depth=lim.max_depth).validation_rules,
            *MaxAliasesLimiter(max_alias_count=lim.max_aliases).validation_rules,
            *([] if introspection else [NarrowIntrospection]),
        ]
        documents = DocumentCache(self._schema, rules, max_tokens=lim.max_tokens, hide_suggestions=not introspection)
        self.documents = documents
        self.extensions = (lambda: UsePreparedDocument(documents),)

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        return None

    def _get_custom_context_kwargs(
        self, operation_extensions: dict[str, Any] | None = None, *, sync: bool = False
    ) -> dict[str, Any]:
        kwargs = super()._get_custom_context_kwargs(operation_extensions, sync=sync)
        if self.documents.hide_suggestions:
            kwargs["hide_suggestions"] = True  # variables' coercion errors: no "Did you mean ...?"
        return kwargs


def build_schema(limits: SchemaLimits | None = None, *, introspection: bool = True) -> LeadgenSchema:
    return LeadgenSchema(
        query=merge_types("Query", QUERY_TYPES),
        mutation=merge_types("Mutation", MUTATION_TYPES),
        types=[getattr(m, name) for m in ALL_TYPE_MODULES for name in _public_types(m)],
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        limits=limits,
        introspection=introspection,
    )


def _public_types(module: object) -> list[str]:
    from gql.registry import TYPE_BY_NAME

    return [name for name, cls in TYPE_BY_NAME.items() if cls.__module__ == getattr(module, "__name__", "")]
