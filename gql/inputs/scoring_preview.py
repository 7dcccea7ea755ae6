"""Proposed scoring rules (previewScoringRules): checked like rules to be saved, passed to SQL as a JSON array."""

from __future__ import annotations

from typing import Any

import strawberry

from domain import validation as v
from domain.errors import bad_input
from gql.enums import CriteriaType, RuleCondition

MAX_PROPOSED_RULES = 100
NEEDS_FIELD = (CriteriaType.CUSTOM_FIELD, CriteriaType.ACTIVITY_COUNT)


@strawberry.input(description="A proposed scoring rule of a preview (never saved).")
class ScoringRuleInput:
    criteria_type: CriteriaType
    criteria_field: str | None = strawberry.field(
        default=None,
        description="Required for CUSTOM_FIELD (field name) and ACTIVITY_COUNT (activity type, or * for any).",
    )
    condition: RuleCondition
    value: str | None = strawberry.field(default=None, description="Value to compare with; comma-separated for IN.")
    points: int = strawberry.field(description="-100..100")
    is_active: bool = strawberry.field(default=True, description="Inactive rules count for nothing.")


def proposed_rules_json(rules: list[ScoringRuleInput]) -> list[dict[str, Any]]:
    """The rules as leadgen.preview_scoring takes them; BAD_USER_INPUT naming the field of the first bad one."""
    if len(rules) > MAX_PROPOSED_RULES:
        raise bad_input("rules", f"rules: at most {MAX_PROPOSED_RULES} rules")
    proposed: list[dict[str, Any]] = []
    for i, rule in enumerate(rules):
        path = f"rules[{i}]"
        v.int_range(rule.points, f"{path}.points", low=-100, high=100)
        criteria_field = v.text(rule.criteria_field, f"{path}.criteriaField", max_length=100)
        if rule.criteria_type in NEEDS_FIELD and not criteria_field:
            raise bad_input(f"{path}.criteriaField", f"{path}.criteriaField: required for {rule.criteria_type.name}")
        proposed.append(
            {
                "criteria_type": rule.criteria_type.value,
                "criteria_field": criteria_field,
                "condition": rule.condition.value,
                "value": v.text(rule.value, f"{path}.value", max_length=2000),
                "points": rule.points,
                "is_active": rule.is_active,
            }
        )
    return proposed
