"""Read operations both paths must answer identically (and that the compiled path must take)."""

from __future__ import annotations

from typing import Any

from gql.ids import global_id
from tests.support.api import ALICE, SPACE

FIRST_LEAD = "a0000000-0000-4000-8000-000000000000"  # replaced at run time by a real visible lead id

DASHBOARD = """
query Dashboard($n: Int!) {
  leads(first: $n, orderBy: SCORE_DESC) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges {
      cursor
      node {
        id firstName lastName email score status budget customFields createdAt lastActivityAt
        company { id name website companySize }
        stage { id name color stageOrder }
        source { id name type utmSource }
        assignedTo { id email fullName }
        activities(first: 3) { totalCount nodes { id activityType description activityData createdAt } }
        campaigns(first: 5) { totalCount nodes { id name status startDate endDate budget spent } }
      }
    }
  }
}
"""

FRAGMENTS = """
fragment LeadBits on Lead { id firstName ...More }
fragment More on Lead { lastName score company { ...CompanyBits } }
fragment CompanyBits on Company { __typename id name }
query WithFragments($withStage: Boolean!, $skipEmail: Boolean!) {
  top: leads(first: 4, orderBy: NAME_ASC) {
    __typename
    edges { __typename cursor node { ...LeadBits email @skip(if: $skipEmail) stage @include(if: $withStage) { name } } }
    pageInfo { __typename hasNextPage }
  }
  recent: leads(first: 2, orderBy: CREATED_AT_DESC) { nodes { ... on Lead { id createdAt } } }
  __typename
}
"""

FILTERS = """
query Filtered($filter: LeadFilter, $order: LeadOrderBy, $first: Int, $after: String) {
  leads(filter: $filter, orderBy: $order, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    nodes { id score status lastActivityAt convertedToCustomer }
  }
}
"""

NESTED = """
{
  spaces { nodes { id name createdBy { email } members { role user { email } space { name } } } }
  leadStages(first: 20) {
    nodes {
      name color stageOrder isDefault owner { email } space { name }
      leads(first: 3, orderBy: SCORE_DESC, filter: { score: { gte: 10 } }) {
        totalCount
        edges { cursor node { firstName score activities(first: 2, orderBy: CREATED_AT_ASC) { nodes { id } } } }
      }
    }
  }
  leadForms {
    nodes {
      name isPublished formSettings
      fields { fieldName fieldType label isRequired fieldOrder options validationRules }
    }
  }
  workflows {
    nodes {
      name isActive triggers { triggerType triggerConditions }
      actions { actionType actionOrder delaySeconds actionConfig } executions(first: 2) { totalCount }
    }
  }
  campaigns(orderBy: NAME_ASC) { nodes { name campaignType leads(first: 2) { totalCount nodes { email } } } }
  companies(first: 5, orderBy: NAME_DESC) {
    nodes { name customers(first: 2) { nodes { name } } leads(first: 1) { totalCount } }
  }
  customers { nodes { name email convertedAt lead { firstName } company { name } } }
  integrations { nodes { integrationName integrationType hasCredentials credentialsHint syncStatus settings } }
  customFields { nodes { fieldName fieldLabel fieldType options } }
  scoringRules(first: 50) { nodes { name criteriaType condition value points isActive } }
  leadSources(orderBy: NAME_ASC) { nodes { name type utmSource utmMedium utmCampaign } }
  activities(first: 5, filter: { activityType: { in: [NOTE, CALL_MADE] } }) {
    nodes { activityType lead { email } user { email } }
  }
  workflowExecutions { totalCount }
  viewer { id email fullName memberships { role space { name } } }
}
"""

# The pipeline board: a scope's stages in board order, each with its lead count and first leads.
BOARD = """
query Board($filter: LeadStageFilter) {
  leadStages(filter: $filter, first: 50) {
    nodes {
      id name color stageOrder
      leads(first: 5, orderBy: SCORE_DESC) {
        totalCount pageInfo { hasNextPage endCursor } nodes { id firstName score }
      }
    }
  }
}
"""


def cases(lead_id: str, cursor: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, query, variables) for a user who can see `lead_id`; `cursor` is a SCORE_DESC cursor."""
    lead = global_id("Lead", lead_id)
    space = global_id("Space", SPACE)
    return [
        ("dashboard-5", DASHBOARD, {"n": 5}),
        ("dashboard-50", DASHBOARD, {"n": 50}),
        ("dashboard-0", DASHBOARD, {"n": 0}),
        ("fragments", FRAGMENTS, {"withStage": True, "skipEmail": False}),
        ("fragments-directives", FRAGMENTS, {"withStage": False, "skipEmail": True}),
        ("nested", NESTED, {}),
        ("filter-none", FILTERS, {}),
        ("filter-score", FILTERS, {"filter": {"score": {"gte": 40, "lt": 80}}, "order": "SCORE_ASC", "first": 10}),
        ("filter-status", FILTERS, {"filter": {"status": {"in": ["NEW", "QUALIFIED"]}}, "first": 7}),
        ("filter-search", FILTERS, {"filter": {"search": "smith"}, "first": 5}),
        (
            "filter-logic",
            FILTERS,
            {
                "filter": {
                    "or": [{"score": {"gt": 90}}, {"and": [{"status": {"eq": "LOST"}}, {"not": {"converted": True}}]}],
                    "space": {"eq": space},
                },
                "order": "LAST_ACTIVITY_AT_DESC",
            },
        ),
        ("filter-null", FILTERS, {"filter": {"company": {"isNull": True}}, "order": "NAME_DESC"}),
        ("filter-email", FILTERS, {"filter": {"email": {"contains": "EXAMPLE"}}, "first": 3}),
        ("filter-time", FILTERS, {"filter": {"createdAt": {"gte": "2026-01-01T00:00:00Z"}}, "order": "CREATED_AT_ASC"}),
        ("after-cursor", FILTERS, {"order": "SCORE_DESC", "first": 5, "after": cursor}),
        (
            "lead-by-id",
            "query L($id: ID!) { lead(id: $id) { id email activities(first: 2) { totalCount } } }",
            {"id": lead},
        ),
        (
            "node-by-id",
            "query N($id: ID!) { node(id: $id) { id __typename ... on Lead { firstName company { name } } } }",
            {"id": lead},
        ),
        ("node-space", "query N($id: ID!) { node(id: $id) { ... on Space { name members { role } } } }", {"id": space}),
        ("viewer", "{ viewer { id email } }", {}),
        (
            "filter-custom-select",
            FILTERS,
            {"filter": {"customField": [{"name": "preferred_contact", "in": ["phone", "video_call"]}]}, "first": 20},
        ),
        (
            "filter-custom-date-range",
            FILTERS,
            {
                "filter": {"customField": [{"name": "contract_renewal_date", "gte": "2027-03-01", "lt": "2027-09-01"}]},
                "order": "NAME_ASC",
            },
        ),
        (
            "filter-custom-text-bool-null",
            FILTERS,
            {
                "filter": {
                    "or": [
                        {"customField": [{"name": "referral_partner", "eq": "Sam Okoro"}]},
                        {"customField": [{"name": "newsletter_opt_in", "eq": True}]},
                        {"customField": [{"name": "preferred_contact", "isNull": True}], "score": {"gt": 60}},
                    ]
                }
            },
        ),
        ("board", BOARD, {"filter": {"space": {"eq": space}}}),
        ("board-personal", BOARD, {"filter": {"space": {"isNull": True}}}),
        (
            "literal-args",
            "{ leads(first: 2, orderBy: UPDATED_AT_DESC, filter: {status: {neq: LOST}}) { nodes { id } } }",
            {},
        ),
    ]


__all__ = ["ALICE", "FIRST_LEAD", "cases"]
