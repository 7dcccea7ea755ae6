"""Catalog: leads and what they belong to (companies, customers, pipeline stages, sources) and their activities."""

from __future__ import annotations

from db.catalog.model import (
    SCOPE,
    SEARCH_OPS,
    STAMPS,
    TS,
    B,
    E,
    FilterField,
    I,
    J,
    N,
    Ordering,
    T,
    Table,
    ToMany,
    ToOne,
    U,
    col,
    created_orderings,
    name_orderings,
    on,
    owned_relations,
    ownership,
    register,
    time_orderings,
    timestamps,
)
from db.sql import Sql

LEAD_COLUMNS = {
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


def _search(t: str, words: Sql) -> Sql:
    """Through an index-using function: `@@` itself is not leakproof, so under RLS it cannot use the index."""
    return Sql(f"{t}.id = any (array(select leadgen.visible_leads_matching(", words, ")))")


def _in_campaign(t: str, compare: Sql) -> Sql:
    return Sql(
        f"exists (select 1 from public.lead_campaign_associations a where a.lead_id = {t}.id and a.campaign_id ",
        compare,
        ")",
    )


def _lead_name(t: str) -> Sql:
    return Sql(f"lower(coalesce({t}.last_name, '') || ' ' || coalesce({t}.first_name, ''))")


def _last_activity(t: str) -> Sql:
    return Sql(f"coalesce({t}.last_activity_at, '-infinity'::timestamptz)")


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
            "search": FilterField(
                T, SEARCH_OPS, test=_search, description="Full-text search: names, email, job title."
            ),
            **ownership("leads"),
            "stage": col("stage_id", U, refs="lead_stages"),
            "source": col("source_id", U, refs="lead_sources"),
            "status": col("status", E),
            "assigned_to": col("assigned_to", U, refs="profiles"),
            "company": col("company_id", U, refs="companies"),
            "campaign": FilterField(
                U,
                frozenset({"eq", "in"}),
                test=_in_campaign,
                any_of=True,
                refs="lead_campaigns",
                description="Leads in this campaign.",
            ),
            "form": col("form_id", U, refs="lead_forms"),
            "email": col("email", T),
            "score": col("score", I),
            **timestamps(),
            "last_activity_at": col("last_activity_at", TS),
            "converted": col("converted_to_customer", B, description="Converted to a customer, or not."),
            # a custom field's value: conditions carry the field name and the operand (sql_builder.KeyValue)
            "custom_field": col("custom_fields", J, description="Conditions on custom field values; all must hold."),
        },
        orderings={
            "score_desc": Ordering(on("score"), I, True),
            "score_asc": Ordering(on("score"), I, False),
            **time_orderings(),
            "last_activity_at_desc": Ordering(_last_activity, TS, True),
            "last_activity_at_asc": Ordering(_last_activity, TS, False),
            "name_asc": Ordering(_lead_name, T, False),
            "name_desc": Ordering(_lead_name, T, True),
        },
        ordering_group="Lead",
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
            **ownership("companies"),
            "name": col("name", T),
            "industry": col("industry", T),
            "company_size": col("company_size", T),
            "is_active": col("is_active", B),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
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
            **ownership("customers"),
            "name": col("name", T),
            "email": col("email", T),
            "company": col("company_id", U, refs="companies"),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
    )
)
register(
    Table(
        "lead_stages",
        columns={"id": U, **SCOPE, "name": T, "stage_order": I, "color": T, "is_default": B, **STAMPS},
        relations={**owned_relations(), "leads": ToMany("leads", "stage_id")},
        filters={**ownership("lead_stages"), "name": col("name", T), **timestamps()},
        orderings={
            "stage_order_asc": Ordering(on("stage_order"), I, False),
            "stage_order_desc": Ordering(on("stage_order"), I, True),
            **created_orderings(),
            **name_orderings(),
        },
        ordering_group="Stage",
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
            **ownership("lead_sources"),
            "name": col("name", T),
            "type": col("type", E),
            "utm_source": col("utm_source", T),
            "utm_medium": col("utm_medium", T),
            "utm_campaign": col("utm_campaign", T),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
        default_order="name_asc",
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
            "id": col("id", U, refs="lead_activities"),
            "lead": col("lead_id", U, refs="leads"),
            "user": col("user_id", U, refs="profiles"),
            "activity_type": col("activity_type", E),
            "created_at": col("created_at", TS),
        },
        orderings=time_orderings(),
        ordering_group="Time",
    )
)
