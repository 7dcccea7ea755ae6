"""The "limit" baseline: each operation as one hand-written SQL statement that returns our final response JSON.

Each statement runs in the caller's transaction (role and `request.jwt.claims` set first, as our server does),
so Row Level Security filters every table it reads. It builds exactly the JSON our server returns for the
operation's query (global IDs, UPPER_SNAKE enums, numerics as strings, timestamps as Postgres prints them in
UTC), as `json` (not `jsonb`: no re-ordering, cheaper) cast to text, so that a server can pass the bytes on.
Orderings and tie-breaks are ours: leads by score desc then id desc, activities and campaigns newest first
(created_at desc, id desc), stages by stage_order then id. Statements are built once, at import, from
constants; values always travel as $n.
"""

from __future__ import annotations

from db.sql_builder import global_id_sql

LEAD_ORDER = "l.score desc, l.id desc"
NEWEST_ACTIVITY = "a.created_at desc, a.id desc"
NEWEST_CAMPAIGN = "k.created_at desc, k.id desc"
STAGE_ORDER = "s.stage_order, s.id"
# `@@` is not leakproof, so under RLS it cannot use the GIN index: like our filter, go through the
# index-using helper (which applies the same visibility rule), the best hand-written SQL can do here
SEARCH_CONDITION = "l.id = any (array(select leadgen.visible_leads_matching($1::text)))"


def _gid(type_name: str, id_expr: str) -> str:
    return global_id_sql(type_name, id_expr)


def _obj(*pairs: tuple[str, str]) -> str:
    """json_build_object of (key, SQL expression) pairs, in order (our response's field order)."""
    return "json_build_object(" + ", ".join(f"'{key}', {expr}" for key, expr in pairs) + ")"


def _agg(element: str, order: str) -> str:
    return f"coalesce(json_agg({element} order by {order}), '[]')"


def _nodes(element: str, order: str, source: str, *before: tuple[str, str]) -> str:
    """`{...before, "nodes": [...]}` of the rows of `source` (a subquery carrying its own alias), in `order`."""
    return _obj(*before, ("nodes", f"(select {_agg(element, order)} from {source})"))


def _to_one(table: str, alias: str, fk_expr: str, *pairs: tuple[str, str]) -> str:
    return f"(select {_obj(*pairs)} from public.{table} {alias} where {alias}.id = {fk_expr})"


def _response(root_field: str, value: str) -> str:
    return _obj(("data", _obj((root_field, value)))) + "::text"


def _activities(count: int, *pairs: tuple[str, str]) -> str:
    """A lead's newest `count` activities; the subquery reads only the columns that `pairs` use."""
    used = " ".join(expr for _, expr in pairs)
    columns = ", ".join(c for c in ("a.id", "a.activity_type", "a.description", "a.created_at") if c in used)
    source = (
        f"(select {columns} from public.lead_activities a where a.lead_id = l.id "
        f"order by {NEWEST_ACTIVITY} limit {count}) a"
    )
    return _nodes(_obj(*pairs), NEWEST_ACTIVITY, source)


def _campaigns(count: int) -> str:
    source = (
        "(select k.id, k.name, k.created_at from public.lead_campaign_associations v "
        "join public.lead_campaigns k on k.id = v.campaign_id "
        f"where v.lead_id = l.id order by {NEWEST_CAMPAIGN} limit {count}) k"
    )
    return _nodes(_obj(("id", _gid("Campaign", "k.id")), ("name", "k.name")), NEWEST_CAMPAIGN, source)


def _root_leads(count: int, columns: str, *pairs: tuple[str, str]) -> str:
    """`leads(first: count, orderBy: SCORE_DESC) { nodes { ... } }` over the leads the caller can see.

    The best rows of the same page taken in each scope the leads_select policy admits (as our server reads it,
    db/sql_builder.scoped_lead_source): one walk of the global score index under RLS reads most of the table
    for callers whose few leads score low, and a floor that a server can beat is no floor."""
    nodes = _obj(("nodes", _agg(_obj(*pairs), LEAD_ORDER)))
    admin = "(select leadgen.is_platform_admin())"

    def page(scope: str) -> str:
        return f"select {columns} from public.leads l where {scope} order by {LEAD_ORDER} limit {count}"

    scoped = (
        f"({page(admin)})"
        f" union all ({page(f'not {admin} and l.space_id is null and l.user_id = (select auth.uid())')})"
        f" union all (select x.* from leadgen.readable_space_ids() as s (id) cross join lateral ("
        f"{page(f'not {admin} and l.space_id = s.id')}) x)"
    )
    return f"select {_response('leads', nodes)} from (select * from ({scoped}) l order by {LEAD_ORDER} limit {count}) l"


LEAD_ID = ("id", _gid("Lead", "l.id"))
ACTIVITY_ID = ("id", _gid("Activity", "a.id"))
ACTIVITY_TYPE = ("activityType", "upper(a.activity_type)")
COMPANY = ("company", _to_one("companies", "c", "l.company_id", ("id", _gid("Company", "c.id")), ("name", "c.name")))
SOURCE = ("source", _to_one("lead_sources", "r", "l.source_id", ("id", _gid("LeadSource", "r.id")), ("name", "r.name")))
NAMES = (("firstName", "l.first_name"), ("lastName", "l.last_name"))

DASHBOARD = _root_leads(
    25,
    "l.id, l.first_name, l.last_name, l.email, l.score, l.status, l.company_id, l.stage_id, l.source_id",
    LEAD_ID,
    *NAMES,
    ("email", "l.email"),
    ("score", "l.score"),
    ("status", "upper(l.status)"),
    COMPANY,
    (
        "stage",
        _to_one(
            "lead_stages",
            "s",
            "l.stage_id",
            ("id", _gid("LeadStage", "s.id")),
            ("name", "s.name"),
            ("color", "s.color"),
        ),
    ),
    SOURCE,
    ("activities", _activities(3, ACTIVITY_ID, ACTIVITY_TYPE, ("createdAt", "a.created_at"))),
    ("campaigns", _campaigns(20)),
)

NESTED50 = _root_leads(
    50,
    "l.id, l.first_name, l.last_name, l.score, l.company_id, l.stage_id",
    LEAD_ID,
    *NAMES,
    ("score", "l.score"),
    ("company", _to_one("companies", "c", "l.company_id", ("name", "c.name"))),
    ("stage", _to_one("lead_stages", "s", "l.stage_id", ("name", "s.name"))),
    (
        "activities",
        _activities(5, ACTIVITY_ID, ACTIVITY_TYPE, ("description", "a.description"), ("createdAt", "a.created_at")),
    ),
)

_DETAIL = _obj(
    LEAD_ID,
    *NAMES,
    ("email", "l.email"),
    ("phone", "l.phone"),
    ("jobTitle", "l.job_title"),
    ("score", "l.score"),
    ("status", "upper(l.status)"),
    ("formSubmissionData", "l.form_submission_data"),
    ("customFields", "l.custom_fields"),
    ("budget", "l.budget::text"),
    ("authority", "l.authority"),
    ("need", "l.need"),
    ("timeline", "l.timeline"),
    ("enrichedData", "l.enriched_data"),
    ("convertedToCustomer", "l.converted_to_customer"),
    ("lastActivityAt", "l.last_activity_at"),
    ("createdAt", "l.created_at"),
    ("updatedAt", "l.updated_at"),
    COMPANY,
    ("stage", _to_one("lead_stages", "s", "l.stage_id", ("id", _gid("LeadStage", "s.id")), ("name", "s.name"))),
    SOURCE,
    ("assignedTo", _to_one("profiles", "p", "l.assigned_to", ("id", _gid("User", "p.id")), ("email", "p.email"))),
    (
        "activities",
        _activities(20, ACTIVITY_ID, ACTIVITY_TYPE, ("description", "a.description"), ("createdAt", "a.created_at")),
    ),
    ("campaigns", _campaigns(20)),
)
# $1: the lead
LEAD_DETAIL = f"select {_response('lead', f'(select {_DETAIL} from public.leads l where l.id = $1::uuid)')}"

_STAGE_COUNT = "(select count(*) from public.leads l where l.stage_id = s.id)"
_BOARD_LEADS = _nodes(
    _obj(LEAD_ID, *NAMES, ("score", "l.score")),
    LEAD_ORDER,
    "(select l.id, l.first_name, l.last_name, l.score from public.leads l "
    f"where l.stage_id = s.id order by {LEAD_ORDER} limit 10) l",
    ("totalCount", _STAGE_COUNT),
)
_BOARD_STAGE = _obj(("id", _gid("LeadStage", "s.id")), ("name", "s.name"), ("leads", _BOARD_LEADS))
# $1: the space (null: the caller's personal board), $2: the caller
PIPELINE_BOARD = (
    f"select {_response('leadStages', _obj(('nodes', _agg(_BOARD_STAGE, STAGE_ORDER))))} "
    "from (select s.id, s.name, s.stage_order from public.lead_stages s "
    "where s.space_id = $1::uuid or ($1::uuid is null and s.space_id is null and s.user_id = $2::uuid) "
    f"order by {STAGE_ORDER} limit 50) s"
)

# $1: the search text
SEARCH = "select " + _response(
    "leads",
    _obj(
        ("totalCount", f"(select count(*) from public.leads l where {SEARCH_CONDITION})"),
        (
            "nodes",
            f"(select {_agg(_obj(LEAD_ID, *NAMES, ('email', 'l.email'), ('score', 'l.score')), LEAD_ORDER)} "
            "from (select l.id, l.first_name, l.last_name, l.email, l.score from public.leads l "
            f"where {SEARCH_CONDITION} order by {LEAD_ORDER} limit 20) l)",
        ),
    ),
)

_FUNNEL_STAGE = _obj(
    ("id", _gid("LeadStage", "s.id")), ("name", "s.name"), ("leads", _obj(("totalCount", _STAGE_COUNT)))
)
FUNNEL = (
    f"select {_response('leadStages', _obj(('nodes', _agg(_FUNNEL_STAGE, STAGE_ORDER))))} "
    f"from (select s.id, s.name, s.stage_order from public.lead_stages s order by {STAGE_ORDER} limit 50) s"
)

# $1: the lead
TINY = "select " + _response("lead", f"(select {_obj(LEAD_ID, NAMES[0])} from public.leads l where l.id = $1::uuid)")

# $1 space (or null), $2 first name, $3 last name, $4 email, $5 score
CREATE_LEAD = (
    "with ins as (insert into public.leads (space_id, first_name, last_name, email, score) "
    "values ($1::uuid, $2::text, $3::text, $4::text, $5::integer) returning id) "
    f"select {_response('createLead', _obj(('id', _gid('Lead', 'ins.id'))))} from ins"
)

# $1 lead, $2 description
LOG_ACTIVITY = (
    "with ins as (insert into public.lead_activities (lead_id, activity_type, description) "
    "values ($1::uuid, 'note', $2::text) returning id) "
    f"select {_response('createActivity', _obj(('id', _gid('Activity', 'ins.id'))))} from ins"
)
