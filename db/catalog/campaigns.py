"""Catalog: campaigns (with their results computed in SQL) and third-party integrations."""

from __future__ import annotations

from db.catalog.model import (
    SCOPE,
    STAMPS,
    TS,
    B,
    Computed,
    D,
    E,
    I,
    J,
    Kind,
    N,
    Ordering,
    T,
    Table,
    ToMany,
    U,
    col,
    name_orderings,
    owned_relations,
    ownership,
    register,
    time_orderings,
    timestamps,
)
from db.sql import Sql


# A campaign's leads and converted leads (counted under RLS, like every read).
def _leads(t: str) -> str:
    return f"(select count(*) from public.lead_campaign_associations ca where ca.campaign_id = {t}.id)"


def _conversions(t: str) -> str:
    return (
        "(select count(*) from public.lead_campaign_associations ca join public.leads cl on cl.id = ca.lead_id"
        f" where ca.campaign_id = {t}.id and cl.converted_to_customer)"
    )


def _lead_count(t: str) -> Sql:
    return Sql(f"{_leads(t)}::integer")


def _conversion_count(t: str) -> Sql:
    return Sql(f"{_conversions(t)}::integer")


def _conversion_rate(t: str) -> Sql:
    """A share (0..1) to 4 places; null without leads."""
    return Sql(f"round({_conversions(t)}::numeric / nullif({_leads(t)}, 0), 4)::double precision")


def _cost_per_lead(t: str) -> Sql:
    """Money to the cent; null when there is nothing to divide by."""
    return Sql(f"round({t}.spent / nullif({_leads(t)}, 0), 2)")


def _cost_per_conversion(t: str) -> Sql:
    return Sql(f"round({t}.spent / nullif({_conversions(t)}, 0), 2)")


def _start_date(t: str) -> Sql:
    return Sql(f"coalesce({t}.start_date, '-infinity'::date)")


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
        computed={
            "lead_count": Computed(_lead_count, I),
            "conversions": Computed(_conversion_count, I),
            "conversion_rate": Computed(_conversion_rate, Kind.FLOAT),
            "cost_per_lead": Computed(_cost_per_lead, N),
            "cost_per_conversion": Computed(_cost_per_conversion, N),
        },
        filters={
            **ownership("lead_campaigns"),
            "name": col("name", T),
            "status": col("status", E),
            "campaign_type": col("campaign_type", E),
            "start_date": col("start_date", D),
            "end_date": col("end_date", D),
            **timestamps(),
        },
        orderings={
            **time_orderings(),
            **name_orderings(),
            "start_date_desc": Ordering(_start_date, D, True),
            "start_date_asc": Ordering(_start_date, D, False),
        },
        ordering_group="Campaign",
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
            **ownership("lead_integrations"),
            "integration_type": col("integration_type", E),
            "is_active": col("is_active", B),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings("integration_name")},
        ordering_group="Named",
    )
)
