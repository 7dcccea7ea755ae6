"""Catalog: scoring rules, and workflows with their triggers, actions and executions."""

from __future__ import annotations

from db.catalog.model import (
    SCOPE,
    STAMPS,
    TS,
    B,
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
    created_orderings,
    name_orderings,
    on,
    owned_relations,
    ownership,
    register,
    time_orderings,
    timestamps,
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
            **ownership("lead_scoring_rules"),
            "criteria_type": col("criteria_type", E),
            "is_active": col("is_active", B),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
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
        filters={
            **ownership("lead_workflows"),
            "name": col("name", T),
            "is_active": col("is_active", B),
            **timestamps(),
        },
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
    )
)
register(
    Table(
        "lead_workflow_triggers",
        columns={"id": U, "workflow_id": U, "trigger_type": E, "trigger_conditions": J, **STAMPS},
        relations={"workflow": ToOne("lead_workflows", "workflow_id")},
        orderings={"created_at_asc": created_orderings()["created_at_asc"]},
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
        orderings={"action_order_asc": Ordering(on("action_order"), I, False)},
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
            "id": col("id", U, refs="lead_workflow_executions"),
            "workflow": col("workflow_id", U, refs="lead_workflows"),
            "lead": col("lead_id", U, refs="leads"),
            "status": col("status", E),
            "created_at": col("created_at", TS),
        },
        orderings=time_orderings(),
        ordering_group="Time",
    )
)
