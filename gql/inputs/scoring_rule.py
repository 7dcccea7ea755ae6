"""Inputs that create and patch scoring rules."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET

from domain import validation as v
from gql.enums import CriteriaType, RuleCondition
from gql.inputs.values import Column, columns_of


@strawberry.input(description="A new scoring rule, personal or of a space.")
class CreateScoringRuleInput:
    space: strawberry.ID | None = strawberry.field(default=UNSET, description="Apply the rule to this space's leads.")
    name: str
    description: str | None = UNSET
    criteria_type: CriteriaType
    criteria_field: str | None = strawberry.field(
        default=UNSET, description="Required for CUSTOM_FIELD (field name) and ACTIVITY_COUNT (activity type)."
    )
    condition: RuleCondition
    value: str | None = UNSET
    points: int = strawberry.field(description="-100..100")
    is_active: bool | None = UNSET


@strawberry.input(description="Changes to a scoring rule: fields left out stay as they are; null clears a field.")
class ScoringRulePatch:
    space: strawberry.ID | None = UNSET
    name: str | None = UNSET
    description: str | None = UNSET
    criteria_type: CriteriaType | None = UNSET
    criteria_field: str | None = UNSET
    condition: RuleCondition | None = UNSET
    value: str | None = UNSET
    points: int | None = UNSET
    is_active: bool | None = UNSET


SCORING_RULE_COLUMNS = {
    "space": Column("space_id", "Space"),
    "name": Column("name", validate=partial(v.text, max_length=200, required=True), required=True),
    "description": Column("description", validate=partial(v.text, max_length=2000)),
    "criteria_type": Column("criteria_type", required=True),
    "criteria_field": Column("criteria_field", validate=partial(v.text, max_length=100)),
    "condition": Column("condition", required=True),
    "value": Column("value", validate=partial(v.text, max_length=2000)),
    "points": Column("points", validate=partial(v.int_range, low=-100, high=100), required=True),
    "is_active": Column("is_active", required=True),
}
columns_of(CreateScoringRuleInput, SCORING_RULE_COLUMNS)
columns_of(ScoringRulePatch, SCORING_RULE_COLUMNS)
