"""The read operations of the benchmark: our query, PostGraphile's equivalent, and the limit SQL's arguments."""

from __future__ import annotations

import random
from typing import Any

from bench import limit_sql
from bench.opkit import NotApplicable, Operation, Variables, Visible, gid, optional_raw_id, raw_id

# --- dashboard: 25 leads by score with company, stage, source, 3 latest activities and campaigns -------------

DASHBOARD = """query Dashboard {
  leads(first: 25, orderBy: SCORE_DESC) {
    nodes {
      id firstName lastName email score status
      company { id name }
      stage { id name color }
      source { id name }
      activities(first: 3, orderBy: CREATED_AT_DESC) { nodes { id activityType createdAt } }
      campaigns(first: 20) { nodes { id name } }
    }
  }
}"""

PG_DASHBOARD = """query Dashboard {
  allLeads(first: 25, orderBy: [SCORE_DESC, ROW_ID_DESC]) {
    nodes {
      rowId firstName lastName email score status
      companyByCompanyId { rowId name }
      leadStageByStageId { rowId name color }
      leadSourceBySourceId { rowId name }
      leadActivitiesByLeadId(first: 3, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
        nodes { rowId activityType createdAt }
      }
      leadCampaignAssociationsByLeadId(first: 20) { nodes { leadCampaignByCampaignId { rowId name } } }
    }
  }
}"""

# --- nested50: the query of shared/reference/performance.md ------------------------------------------------

NESTED50 = """query Nested50 {
  leads(first: 50, orderBy: SCORE_DESC) {
    nodes {
      id firstName lastName score
      company { name }
      stage { name }
      activities(first: 5, orderBy: CREATED_AT_DESC) { nodes { id activityType description createdAt } }
    }
  }
}"""

PG_NESTED50 = """query Nested50 {
  allLeads(first: 50, orderBy: [SCORE_DESC, ROW_ID_DESC]) {
    nodes {
      rowId firstName lastName score
      companyByCompanyId { name }
      leadStageByStageId { name }
      leadActivitiesByLeadId(first: 5, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {
        nodes { rowId activityType description createdAt }
      }
    }
  }
}"""

# --- lead_detail: one lead with every scalar field and its relations ------------------------------------------

LEAD_SCALARS = """firstName lastName email phone jobTitle score status formSubmissionData customFields budget
      authority need timeline enrichedData convertedToCustomer lastActivityAt createdAt updatedAt"""

LEAD_DETAIL = f"""query LeadDetail($id: ID!) {{
  lead(id: $id) {{
    id {LEAD_SCALARS}
    company {{ id name }}
    stage {{ id name }}
    source {{ id name }}
    assignedTo {{ id email }}
    activities(first: 20, orderBy: CREATED_AT_DESC) {{ nodes {{ id activityType description createdAt }} }}
    campaigns(first: 20) {{ nodes {{ id name }} }}
  }}
}}"""

PG_LEAD_DETAIL = f"""query LeadDetail($id: UUID!) {{
  leadByRowId(rowId: $id) {{
    rowId {LEAD_SCALARS}
    companyByCompanyId {{ rowId name }}
    leadStageByStageId {{ rowId name }}
    leadSourceBySourceId {{ rowId name }}
    assignedToProfile {{ rowId email }}
    leadActivitiesByLeadId(first: 20, orderBy: [CREATED_AT_DESC, ROW_ID_DESC]) {{
      nodes {{ rowId activityType description createdAt }}
    }}
    leadCampaignAssociationsByLeadId(first: 20) {{ nodes {{ leadCampaignByCampaignId {{ rowId name }} }} }}
  }}
}}"""

# --- pipeline_board: the stages of one board (a space's, or the caller's own) with their top leads -----------

PIPELINE_BOARD = """query PipelineBoard($filter: LeadStageFilter!) {
  leadStages(filter: $filter, orderBy: STAGE_ORDER_ASC, first: 50) {
    nodes {
      id name
      leads(first: 10, orderBy: SCORE_DESC) { totalCount nodes { id firstName lastName score } }
    }
  }
}"""

PG_PIPELINE_BOARD = """query PipelineBoard($condition: LeadStageCondition!) {
  allLeadStages(condition: $condition, orderBy: [STAGE_ORDER_ASC, ROW_ID_ASC], first: 50) {
    nodes {
      rowId name
      leadsByStageId(first: 10, orderBy: [SCORE_DESC, ROW_ID_DESC]) {
        totalCount nodes { rowId firstName lastName score }
      }
    }
  }
}"""

# --- search: full-text search over names, email and job title ---------------------------------------------

SEARCH = """query Search($q: String!) {
  leads(filter: {search: $q}, orderBy: SCORE_DESC, first: 20) {
    totalCount
    nodes { id firstName lastName email score }
  }
}"""

# `search` is a condition added in graphile.config.mjs (addPgTableCondition, same SQL as ours): no schema change
PG_SEARCH = """query Search($q: String!) {
  allLeads(condition: {search: $q}, orderBy: [SCORE_DESC, ROW_ID_DESC], first: 20) {
    totalCount
    nodes { rowId firstName lastName email score }
  }
}"""

# --- funnel: lead counts per stage (becomes the analytics query when our API has one) ------------------------

FUNNEL = """query Funnel {
  leadStages(first: 50) { nodes { id name leads { totalCount } } }
}"""

PG_FUNNEL = """query Funnel {
  allLeadStages(first: 50, orderBy: [STAGE_ORDER_ASC, ROW_ID_ASC]) {
    nodes { rowId name leadsByStageId { totalCount } }
  }
}"""

# --- tiny: one lead, two fields ---------------------------------------------------------------------------------

TINY = """query Tiny($id: ID!) {
  lead(id: $id) { id firstName }
}"""

PG_TINY = """query Tiny($id: UUID!) {
  leadByRowId(rowId: $id) { rowId firstName }
}"""


# --- variables --------------------------------------------------------------------------------------------------


def no_variables(rng: random.Random, visible: Visible) -> Variables:
    return {}


def same(variables: Variables) -> Variables:
    return dict(variables)


def no_args(variables: Variables) -> tuple[Any, ...]:
    return ()


def a_lead(rng: random.Random, visible: Visible) -> Variables:
    if not visible.lead_ids:
        raise NotApplicable("the user sees no lead")
    return {"id": gid("Lead", rng.choice(visible.lead_ids))}


def lead_arg(variables: Variables) -> tuple[Any, ...]:
    return (raw_id(variables["id"]),)


def lead_pg(variables: Variables) -> Variables:
    return {"id": raw_id(variables["id"])}


def a_board(rng: random.Random, visible: Visible) -> Variables:
    """One of the user's spaces' boards, or their personal board when they belong to no space."""
    if visible.space_ids:
        return {"filter": {"space": {"eq": gid("Space", rng.choice(visible.space_ids))}}}
    return {"filter": {"space": {"isNull": True}, "owner": {"eq": gid("User", visible.user_id)}}}


def _board(variables: Variables) -> tuple[str | None, str | None]:
    filter_ = variables["filter"]
    return optional_raw_id(filter_.get("space", {}).get("eq")), optional_raw_id(filter_.get("owner", {}).get("eq"))


def board_args(variables: Variables) -> tuple[Any, ...]:
    return _board(variables)


def board_pg(variables: Variables) -> Variables:
    space, owner = _board(variables)
    return {"condition": {"spaceId": space} if space else {"spaceId": None, "userId": owner}}


def a_word(rng: random.Random, visible: Visible) -> Variables:
    if not visible.words:
        raise NotApplicable("the user sees no lead to search for")
    return {"q": rng.choice(visible.words)}


def word_arg(variables: Variables) -> tuple[Any, ...]:
    return (variables["q"],)


READS = (
    Operation(
        name="dashboard",
        operation_name="Dashboard",
        query=DASHBOARD,
        make_variables=no_variables,
        limit_sql=limit_sql.DASHBOARD,
        limit_args=no_args,
        postgraphile_query=PG_DASHBOARD,
        postgraphile_variables=same,
        note="campaigns compared as a set: PostGraphile reaches them through the association table",
    ),
    Operation(
        name="nested50",
        operation_name="Nested50",
        query=NESTED50,
        make_variables=no_variables,
        limit_sql=limit_sql.NESTED50,
        limit_args=no_args,
        postgraphile_query=PG_NESTED50,
        postgraphile_variables=same,
    ),
    Operation(
        name="lead_detail",
        operation_name="LeadDetail",
        query=LEAD_DETAIL,
        make_variables=a_lead,
        limit_sql=limit_sql.LEAD_DETAIL,
        limit_args=lead_arg,
        postgraphile_query=PG_LEAD_DETAIL,
        postgraphile_variables=lead_pg,
        note="PostGraphile's assignedTo is a smart-tag foreign key to profiles (config only, no schema change)",
    ),
    Operation(
        name="pipeline_board",
        operation_name="PipelineBoard",
        query=PIPELINE_BOARD,
        make_variables=a_board,
        limit_sql=limit_sql.PIPELINE_BOARD,
        limit_args=board_args,
        postgraphile_query=PG_PIPELINE_BOARD,
        postgraphile_variables=board_pg,
    ),
    Operation(
        name="search",
        operation_name="Search",
        query=SEARCH,
        make_variables=a_word,
        limit_sql=limit_sql.SEARCH,
        limit_args=word_arg,
        postgraphile_query=PG_SEARCH,
        postgraphile_variables=same,
        note="PostGraphile: a `search` condition added by a plugin in its config (same SQL), no schema change",
    ),
    Operation(
        name="funnel",
        operation_name="Funnel",
        query=FUNNEL,
        make_variables=no_variables,
        limit_sql=limit_sql.FUNNEL,
        limit_args=no_args,
        postgraphile_query=PG_FUNNEL,
        postgraphile_variables=same,
        note="placeholder: becomes our analytics (funnel) query once the API has one",
    ),
    Operation(
        name="tiny",
        operation_name="Tiny",
        query=TINY,
        make_variables=a_lead,
        limit_sql=limit_sql.TINY,
        limit_args=lead_arg,
        postgraphile_query=PG_TINY,
        postgraphile_variables=lead_pg,
    ),
)
