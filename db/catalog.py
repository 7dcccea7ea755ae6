"""What the SQL builders know about each table: columns, relations, filters and orderings."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Kind(Enum):
    """How a column's value is typed in SQL, filtered, and rendered as JSON."""

    UUID = "uuid"
    TEXT = "text"
    ENUM = "enum"  # text holding lower_snake values; GraphQL shows them UPPER_SNAKE
    INT = "integer"
    BOOL = "boolean"
    TIMESTAMPTZ = "timestamptz"
    DATE = "date"
    NUMERIC = "numeric"  # rendered as a string, exact
    JSONB = "jsonb"
    FLOAT = "double precision"  # computed values only (ratios)


@dataclass(frozen=True)
class ToOne:
    """This row's `fk` column points at `target.id`."""

    target: str
    fk: str


@dataclass(frozen=True)
class ToMany:
    """Rows of `target` whose `fk` column points at this row's id; or, with `via`, rows of `target`
    linked through the join table `via` (`via_fk` -> this row, `via_target_fk` -> target)."""

    target: str
    fk: str = ""
    via: str = ""
    via_fk: str = ""
    via_target_fk: str = ""
    paginated: bool = True  # a connection; False: a plain list in `default_order`
    default_order: str = ""


@dataclass(frozen=True)
class FilterField:
    """A filterable field: `expr` is SQL with `{t}` standing for the table alias."""

    expr: str
    kind: Kind
    ops: frozenset[str]


@dataclass(frozen=True)
class Ordering:
    """A sort key (SQL with `{t}`, never null) and its direction; ties broken by id in the same direction."""

    key: str
    kind: Kind
    descending: bool


@dataclass(frozen=True)
class Computed:
    """A value computed in SQL for each row (`expr`, with `{t}` standing for the table alias), never stored.

    The compiled read path inlines `expr`; the general path loads every computed value of a batch of rows in
    one statement (db.computed), so both answer alike."""

    expr: str
    kind: Kind


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, Kind]
    relations: dict[str, ToOne | ToMany] = field(default_factory=dict)
    computed: dict[str, Computed] = field(default_factory=dict)
    filters: dict[str, FilterField] = field(default_factory=dict)
    orderings: dict[str, Ordering] = field(default_factory=dict)
    default_order: str = "created_at_desc"

    @property
    def qualified(self) -> str:
        return f"public.{self.name}"


ID_OPS = frozenset({"eq", "neq", "in", "is_null"})
TEXT_OPS = frozenset({"eq", "neq", "in", "is_null", "contains", "starts_with"})
ENUM_OPS = frozenset({"eq", "neq", "in"})
RANGE_OPS = frozenset({"eq", "neq", "in", "gt", "gte", "lt", "lte", "is_null"})
BOOL_OPS = frozenset({"eq"})
SEARCH_OPS = frozenset({"search"})
# on a key of a JSON object (custom fields): equality and `in`, ranges (numbers, dates), an option of a list
JSON_KEY_OPS = frozenset({"eq", "in", "gt", "gte", "lt", "lte", "contains", "is_null"})

U, T, E, I, B, TS, D, N, J = (  # noqa: E741 - short names keep the column tables readable
    Kind.UUID,
    Kind.TEXT,
    Kind.ENUM,
    Kind.INT,
    Kind.BOOL,
    Kind.TIMESTAMPTZ,
    Kind.DATE,
    Kind.NUMERIC,
    Kind.JSONB,
)
STAMPS = {"created_at": TS, "updated_at": TS}
SCOPE = {"user_id": U, "space_id": U}


def col(name: str, kind: Kind, ops: frozenset[str]) -> FilterField:
    return FilterField(f"{{t}}.{name}", kind, ops)


def scope_filters() -> dict[str, FilterField]:
    return {
        "id": col("id", U, ID_OPS),
        "space_id": col("space_id", U, ID_OPS),
        "user_id": col("user_id", U, ID_OPS),
        "created_at": col("created_at", TS, RANGE_OPS),
        "updated_at": col("updated_at", TS, RANGE_OPS),
    }


def time_orderings() -> dict[str, Ordering]:
    return {
        "created_at_desc": Ordering("{t}.created_at", TS, True),
        "created_at_asc": Ordering("{t}.created_at", TS, False),
        "updated_at_desc": Ordering("{t}.updated_at", TS, True),
        "updated_at_asc": Ordering("{t}.updated_at", TS, False),
    }


def name_orderings(column: str = "name") -> dict[str, Ordering]:
    return {
        "name_asc": Ordering(f"lower({{t}}.{column})", T, False),
        "name_desc": Ordering(f"lower({{t}}.{column})", T, True),
    }


def owned_relations() -> dict[str, ToOne | ToMany]:
    return {"owner": ToOne("profiles", "user_id"), "space": ToOne("spaces", "space_id")}


LEAD_NAME_KEY = "lower(coalesce({t}.last_name, '') || ' ' || coalesce({t}.first_name, ''))"
LAST_ACTIVITY_KEY = "coalesce({t}.last_activity_at, '-infinity'::timestamptz)"

TABLES: dict[str, Table] = {}


def register(table: Table) -> Table:
    TABLES[table.name] = table
    return table


register(
    Table(
        "profiles",
        columns={"id": U, "email": T, "full_name": T, "avatar_url": T, **STAMPS},
        relations={"memberships": ToMany("space_members", "user_id", paginated=False, default_order="created_at_asc")},
        filters={"id": col("id", U, ID_OPS), "email": col("email", T, TEXT_OPS)},
        orderings={**time_orderings(), "email_asc": Ordering("lower({t}.email)", T, False)},
        default_order="email_asc",
    )
)
register(
    Table(
        "spaces",
        columns={"id": U, "name": T, "created_by": U, **STAMPS},
        relations={
            "created_by": ToOne("profiles", "created_by"),
            "members": ToMany("space_members", "space_id", paginated=False, default_order="created_at_asc"),
            "invitations": ToMany("space_invitations", "space_id", paginated=False, default_order="created_at_desc"),
        },
        filters={"id": col("id", U, ID_OPS), "name": col("name", T, TEXT_OPS)},
        orderings={**time_orderings(), **name_orderings()},
        default_order="name_asc",
    )
)
register(
    Table(
        "space_members",
        columns={"id": U, "space_id": U, "user_id": U, "role": E, **STAMPS},
        relations={"space": ToOne("spaces", "space_id"), "user": ToOne("profiles", "user_id")},
        filters={
            "space_id": col("space_id", U, ID_OPS),
            "user_id": col("user_id", U, ID_OPS),
            "role": col("role", E, ENUM_OPS),
        },
        orderings=time_orderings(),
        default_order="created_at_asc",
    )
)
# Invitations are read here (token_hash is not selectable by API roles) and written by the leadgen functions
# (db/invitations.py). A pending invitation past expires_at shows as expired.
register(
    Table(
        "space_invitations",
        columns={
            "id": U,
            "space_id": U,
            "email": T,
            "role": E,
            "space_name": T,
            "invited_by": U,
            "inviter_name": T,
            "expires_at": TS,
            "responded_at": TS,
            "email_sent_at": TS,
            **STAMPS,
        },
        relations={"space": ToOne("spaces", "space_id")},
        computed={
            "status": Computed(
                "case when {t}.status = 'pending' and {t}.expires_at <= now() then 'expired' else {t}.status end", E
            )
        },
        filters={"space_id": col("space_id", U, ID_OPS), "email": col("email", T, TEXT_OPS)},
        orderings=time_orderings(),
        default_order="created_at_desc",
    )
)

LEAD_COLUMNS: dict[str, Kind] = {
    "id": U,
    **SCOPE,
    "company_id": U,
    "assigned_to": U,
    "first_name": T,
    "last_name": T,
    "email": T,
    "phone": T,
    "job_title": T,
    "stage_id": U,
    "source_id": U,
    "score": I,
    "status": E,
    "form_id": U,
    "form_submission_data": J,
    "custom_fields": J,
    "budget": N,
    "authority": T,
    "need": T,
    "timeline": T,
    "enriched_data": J,
    "converted_to_customer": B,
    "customer_id": U,
    "last_activity_at": TS,
    **STAMPS,
}
register(
    Table(
        "leads",
        columns=LEAD_COLUMNS,
        relations={
            **owned_relations(),
            "company": ToOne("companies", "company_id"),
            "stage": ToOne("lead_stages", "stage_id"),
            "source": ToOne("lead_sources", "source_id"),
            "form": ToOne("lead_forms", "form_id"),
            "assigned_to": ToOne("profiles", "assigned_to"),
            "customer": ToOne("customers", "customer_id"),
            "activities": ToMany("lead_activities", "lead_id"),
            "campaigns": ToMany(
                "lead_campaigns",
                via="lead_campaign_associations",
                via_fk="lead_id",
                via_target_fk="campaign_id",
            ),
            "workflow_executions": ToMany("lead_workflow_executions", "lead_id"),
        },
        filters={
            **scope_filters(),
            # through an index-using function: `@@` itself is not leakproof, so under RLS it cannot use the index
            "search": FilterField("{t}.id = any (array(select leadgen.visible_leads_matching({v})))", T, SEARCH_OPS),
            "email": col("email", T, TEXT_OPS),
            "stage_id": col("stage_id", U, ID_OPS),
            "source_id": col("source_id", U, ID_OPS),
            "status": col("status", E, ENUM_OPS),
            "assigned_to": col("assigned_to", U, ID_OPS),
            "company_id": col("company_id", U, ID_OPS),
            "form_id": col("form_id", U, ID_OPS),
            "campaign_id": FilterField(
                "exists (select 1 from public.lead_campaign_associations a"
                " where a.lead_id = {t}.id and a.campaign_id {cmp})",
                U,
                frozenset({"eq", "in"}),
            ),
            "score": col("score", I, RANGE_OPS),
            "last_activity_at": col("last_activity_at", TS, RANGE_OPS),
            "converted": col("converted_to_customer", B, BOOL_OPS),
            # a custom field's value: conditions carry the field name and the operand (sql_builder.KeyValue)
            "custom_field": FilterField("{t}.custom_fields", J, JSON_KEY_OPS),
        },
        orderings={
            "score_desc": Ordering("{t}.score", I, True),
            "score_asc": Ordering("{t}.score", I, False),
            **time_orderings(),
            "last_activity_at_desc": Ordering(LAST_ACTIVITY_KEY, TS, True),
            "last_activity_at_asc": Ordering(LAST_ACTIVITY_KEY, TS, False),
            "name_asc": Ordering(LEAD_NAME_KEY, T, False),
            "name_desc": Ordering(LEAD_NAME_KEY, T, True),
        },
    )
)
register(
    Table(
        "companies",
        columns={
            "id": U,
            **SCOPE,
            "name": T,
            "website": T,
            "industry": T,
            "company_size": T,
            "company_data": J,
            "is_active": B,
            **STAMPS,
        },
        relations={
            **owned_relations(),
            "leads": ToMany("leads", "company_id"),
            "customers": ToMany("customers", "company_id"),
        },
        filters={
            **scope_filters(),
            "name": col("name", T, TEXT_OPS),
            "industry": col("industry", T, TEXT_OPS),
            "company_size": col("company_size", T, TEXT_OPS),
            "is_active": col("is_active", B, BOOL_OPS),
        },
        orderings={**time_orderings(), **name_orderings()},
    )
)
register(
    Table(
        "customers",
        columns={
            "id": U,
            **SCOPE,
            "lead_id": U,
            "company_id": U,
            "name": T,
            "email": T,
            "phone": T,
            "customer_data": J,
            "converted_at": TS,
            **STAMPS,
        },
        relations={**owned_relations(), "lead": ToOne("leads", "lead_id"), "company": ToOne("companies", "company_id")},
        filters={
            **scope_filters(),
            "name": col("name", T, TEXT_OPS),
            "email": col("email", T, TEXT_OPS),
            "company_id": col("company_id", U, ID_OPS),
        },
        orderings={**time_orderings(), **name_orderings()},
    )
)
register(
    Table(
        "lead_stages",
        columns={"id": U, **SCOPE, "name": T, "stage_order": I, "color": T, "is_default": B, **STAMPS},
        relations={**owned_relations(), "leads": ToMany("leads", "stage_id")},
        filters={**scope_filters(), "name": col("name", T, TEXT_OPS)},
        orderings={
            "stage_order_asc": Ordering("{t}.stage_order", I, False),
            "stage_order_desc": Ordering("{t}.stage_order", I, True),
            **time_orderings(),
            **name_orderings(),
        },
        default_order="stage_order_asc",
    )
)
register(
    Table(
        "lead_sources",
        columns={
            "id": U,
            **SCOPE,
            "name": T,
            "type": E,
            "utm_source": T,
            "utm_medium": T,
            "utm_campaign": T,
            **STAMPS,
        },
        relations={**owned_relations(), "leads": ToMany("leads", "source_id")},
        filters={
            **scope_filters(),
            "name": col("name", T, TEXT_OPS),
            "type": col("type", E, ENUM_OPS),
            "utm_source": col("utm_source", T, TEXT_OPS),
            "utm_medium": col("utm_medium", T, TEXT_OPS),
            "utm_campaign": col("utm_campaign", T, TEXT_OPS),
        },
        orderings={**time_orderings(), **name_orderings()},
        default_order="name_asc",
    )
)
register(
    Table(
        "lead_forms",
        columns={
            "id": U,
            **SCOPE,
            "name": T,
            "title": T,
            "description": T,
            "ai_personalization_enabled": B,
            "form_settings": J,
            "is_published": B,
            "published_at": TS,
            **STAMPS,
            "slug": T,
        },
        relations={
            **owned_relations(),
            "fields": ToMany("lead_form_fields", "form_id", paginated=False, default_order="field_order_asc"),
            "leads": ToMany("leads", "form_id"),
        },
        filters={
            **scope_filters(),
            "name": col("name", T, TEXT_OPS),
            "is_published": col("is_published", B, BOOL_OPS),
        },
        orderings={**time_orderings(), **name_orderings()},
    )
)
register(
    Table(
        "lead_form_fields",
        columns={
            "id": U,
            "form_id": U,
            "field_name": T,
            "field_type": E,
            "label": T,
            "placeholder": T,
            "is_required": B,
            "field_order": I,
            "options": J,
            "validation_rules": J,
            **STAMPS,
        },
        relations={"form": ToOne("lead_forms", "form_id")},
        filters={"form_id": col("form_id", U, ID_OPS), "field_type": col("field_type", E, ENUM_OPS)},
        orderings={"field_order_asc": Ordering("{t}.field_order", I, False), **time_orderings()},
        default_order="field_order_asc",
    )
)
register(
    Table(
        "lead_activities",
        columns={
            "id": U,
            "lead_id": U,
            "user_id": U,
            "activity_type": E,
            "description": T,
            "activity_data": J,
            **STAMPS,
        },
        relations={"lead": ToOne("leads", "lead_id"), "user": ToOne("profiles", "user_id")},
        filters={
            "id": col("id", U, ID_OPS),
            "lead_id": col("lead_id", U, ID_OPS),
            "user_id": col("user_id", U, ID_OPS),
            "activity_type": col("activity_type", E, ENUM_OPS),
            "created_at": col("created_at", TS, RANGE_OPS),
        },
        orderings=time_orderings(),
    )
)
register(
    Table(
        "lead_scoring_rules",
        columns={
            "id": U,
            **SCOPE,
            "name": T,
            "description": T,
            "criteria_type": E,
            "criteria_field": T,
            "condition": E,
            "value": T,
            "points": I,
            "is_active": B,
            **STAMPS,
        },
        relations=owned_relations(),
        filters={
            **scope_filters(),
            "criteria_type": col("criteria_type", E, ENUM_OPS),
            "is_active": col("is_active", B, BOOL_OPS),
        },
        orderings={**time_orderings(), **name_orderings()},
    )
)
register(
    Table(
        "lead_workflows",
        columns={
            "id": U,
            **SCOPE,
            "name": T,
            "description": T,
            "is_active": B,
            "active_since": TS,
            "workflow_settings": J,
            **STAMPS,
        },
        relations={
            **owned_relations(),
            "triggers": ToMany(
                "lead_workflow_triggers", "workflow_id", paginated=False, default_order="created_at_asc"
            ),
            "actions": ToMany(
                "lead_workflow_actions", "workflow_id", paginated=False, default_order="action_order_asc"
            ),
            "executions": ToMany("lead_workflow_executions", "workflow_id"),
        },
        filters={**scope_filters(), "name": col("name", T, TEXT_OPS), "is_active": col("is_active", B, BOOL_OPS)},
        orderings={**time_orderings(), **name_orderings()},
    )
)
register(
    Table(
        "lead_workflow_triggers",
        columns={"id": U, "workflow_id": U, "trigger_type": E, "trigger_conditions": J, **STAMPS},
        relations={"workflow": ToOne("lead_workflows", "workflow_id")},
        filters={"workflow_id": col("workflow_id", U, ID_OPS), "trigger_type": col("trigger_type", E, ENUM_OPS)},
        orderings=time_orderings(),
        default_order="created_at_asc",
    )
)
register(
    Table(
        "lead_workflow_actions",
        columns={
            "id": U,
            "workflow_id": U,
            "action_type": E,
            "action_config": J,
            "action_order": I,
            "delay_seconds": I,
            # `secrets` is deliberately absent: API roles cannot select it (step_secrets.py).
            "secrets_hint": J,
            **STAMPS,
        },
        relations={"workflow": ToOne("lead_workflows", "workflow_id")},
        filters={"workflow_id": col("workflow_id", U, ID_OPS), "action_type": col("action_type", E, ENUM_OPS)},
        orderings={"action_order_asc": Ordering("{t}.action_order", I, False), **time_orderings()},
        default_order="action_order_asc",
    )
)
register(
    Table(
        "lead_workflow_executions",
        columns={
            "id": U,
            "workflow_id": U,
            "lead_id": U,
            "status": E,
            "execution_data": J,
            "started_at": TS,
            "completed_at": TS,
            "error": T,
            **STAMPS,
        },
        relations={"workflow": ToOne("lead_workflows", "workflow_id"), "lead": ToOne("leads", "lead_id")},
        filters={
            "id": col("id", U, ID_OPS),
            "workflow_id": col("workflow_id", U, ID_OPS),
            "lead_id": col("lead_id", U, ID_OPS),
            "status": col("status", E, ENUM_OPS),
            "created_at": col("created_at", TS, RANGE_OPS),
        },
        orderings=time_orderings(),
    )
)
# A campaign's leads and converted leads (counted under RLS, like every read).
CAMPAIGN_LEADS = "(select count(*) from public.lead_campaign_associations ca where ca.campaign_id = {t}.id)"
CAMPAIGN_CONVERSIONS = (
    "(select count(*) from public.lead_campaign_associations ca join public.leads cl on cl.id = ca.lead_id"
    " where ca.campaign_id = {t}.id and cl.converted_to_customer)"
)
CAMPAIGN_COMPUTED = {
    "lead_count": Computed(f"{CAMPAIGN_LEADS}::integer", I),
    "conversions": Computed(f"{CAMPAIGN_CONVERSIONS}::integer", I),
    # a share (0..1) to 4 places; null without leads
    "conversion_rate": Computed(
        f"round({CAMPAIGN_CONVERSIONS}::numeric / nullif({CAMPAIGN_LEADS}, 0), 4)::double precision", Kind.FLOAT
    ),
    # money to the cent; null when there is nothing to divide by
    "cost_per_lead": Computed(f"round({{t}}.spent / nullif({CAMPAIGN_LEADS}, 0), 2)", N),
    "cost_per_conversion": Computed(f"round({{t}}.spent / nullif({CAMPAIGN_CONVERSIONS}, 0), 2)", N),
}
register(
    Table(
        "lead_campaigns",
        columns={
            "id": U,
            **SCOPE,
            "name": T,
            "description": T,
            "campaign_type": E,
            "status": E,
            "start_date": D,
            "end_date": D,
            "budget": N,
            "spent": N,
            **STAMPS,
        },
        relations={
            **owned_relations(),
            "leads": ToMany("leads", via="lead_campaign_associations", via_fk="campaign_id", via_target_fk="lead_id"),
        },
        computed=CAMPAIGN_COMPUTED,
        filters={
            **scope_filters(),
            "name": col("name", T, TEXT_OPS),
            "status": col("status", E, ENUM_OPS),
            "campaign_type": col("campaign_type", E, ENUM_OPS),
            "start_date": col("start_date", D, RANGE_OPS),
            "end_date": col("end_date", D, RANGE_OPS),
        },
        orderings={
            **time_orderings(),
            **name_orderings(),
            "start_date_desc": Ordering("coalesce({t}.start_date, '-infinity'::date)", D, True),
            "start_date_asc": Ordering("coalesce({t}.start_date, '-infinity'::date)", D, False),
        },
    )
)
register(
    Table(
        "lead_integrations",
        # `credentials` is deliberately absent: API roles cannot select it.
        columns={
            "id": U,
            **SCOPE,
            "integration_type": E,
            "integration_name": T,
            "is_active": B,
            "settings": J,
            "credentials_hint": T,
            "has_credentials": B,
            "last_sync_at": TS,
            "sync_status": E,
            "sync_error": T,
            **STAMPS,
        },
        relations=owned_relations(),
        filters={
            **scope_filters(),
            "integration_type": col("integration_type", E, ENUM_OPS),
            "is_active": col("is_active", B, BOOL_OPS),
        },
        orderings={**time_orderings(), **name_orderings("integration_name")},
    )
)
# The leads of a custom field's scope (counted under RLS, like every read) without a value, and with a value its
# type or options refuse (stored before the definition changed: supabase/migrations/20261206140000_*).
CUSTOM_FIELD_LEADS = (
    "(select count(*) from public.leads cl where (cl.space_id = {t}.space_id"
    " or ({t}.space_id is null and cl.space_id is null and cl.user_id = {t}.user_id)) and CONDITION)::integer"
)
CUSTOM_FIELD_COMPUTED = {
    "leads_without_value": Computed(
        CUSTOM_FIELD_LEADS.replace("CONDITION", "coalesce(cl.custom_fields -> {t}.field_name, 'null'::jsonb) = 'null'"),
        I,
    ),
    "leads_with_invalid_value": Computed(
        CUSTOM_FIELD_LEADS.replace(
            "CONDITION",
            "leadgen.custom_value_problem({t}.field_type, {t}.options, cl.custom_fields -> {t}.field_name) is not null",
        ),
        I,
    ),
}
register(
    Table(
        "lead_custom_fields",
        computed=CUSTOM_FIELD_COMPUTED,
        columns={
            "id": U,
            **SCOPE,
            "field_name": T,
            "field_label": T,
            "field_type": E,
            "is_required": B,
            "options": J,
            **STAMPS,
        },
        relations=owned_relations(),
        filters={**scope_filters(), "field_name": col("field_name", T, TEXT_OPS)},
        orderings={**time_orderings(), **name_orderings("field_name")},
        default_order="name_asc",
    )
)


def table(name: str) -> Table:
    return TABLES[name]
