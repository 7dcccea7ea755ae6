"""Catalog: lead capture forms, their fields, and the custom lead fields of a scope."""

from __future__ import annotations

from db.catalog.model import (
    SCOPE,
    STAMPS,
    TS,
    B,
    Computed,
    E,
    I,
    J,
    Ordering,
    T,
    Table,
    ToMany,
    ToOne,
    U,
    col,
    name_orderings,
    on,
    owned_relations,
    ownership,
    register,
    time_orderings,
    timestamps,
)
from db.sql import Sql

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
            **ownership("lead_forms"),
            "name": col("name", T),
            "is_published": col("is_published", B),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
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
        orderings={"field_order_asc": Ordering(on("field_order"), I, False)},
        default_order="field_order_asc",
    )
)


def _scope_leads(t: str, condition: str) -> Sql:
    """How many leads of a custom field's scope (counted under RLS, like every read) meet `condition`."""
    return Sql(
        f"(select count(*) from public.leads cl where (cl.space_id = {t}.space_id"
        f" or ({t}.space_id is null and cl.space_id is null and cl.user_id = {t}.user_id)) and {condition})::integer"
    )


def _without_value(t: str) -> Sql:
    return _scope_leads(t, f"coalesce(cl.custom_fields -> {t}.field_name, 'null'::jsonb) = 'null'")


def _invalid_value(t: str) -> Sql:
    """A value its type or options refuse (stored before the definition changed: migration 20261206140000)."""
    problem = f"leadgen.custom_value_problem({t}.field_type, {t}.options, cl.custom_fields -> {t}.field_name)"
    return _scope_leads(t, f"{problem} is not null")


register(
    Table(
        "lead_custom_fields",
        computed={
            "leads_without_value": Computed(_without_value, I),
            "leads_with_invalid_value": Computed(_invalid_value, I),
        },
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
        filters={**ownership("lead_custom_fields"), "field_name": col("field_name", T), **timestamps()},
        orderings={**time_orderings(), **name_orderings("field_name")},
        ordering_group="Named",
        default_order="name_asc",
    )
)
