"""ScoringRule: points a lead earns when it matches."""

from __future__ import annotations

import datetime as dt

import strawberry

from gql.enums import CriteriaType, RuleCondition
from gql.types.fields import entity
from gql.types.owned import Owned


@entity("lead_scoring_rules")
@strawberry.type(description="A scoring rule: matching active rules add their points (score clamped to 0..100).")
class ScoringRule(Owned):
    name: str
    description: str | None
    criteria_type: CriteriaType
    criteria_field: str | None = strawberry.field(description="Custom field name, or activity type to count.")
    condition: RuleCondition
    value: str | None = strawberry.field(description="Value to compare with; comma-separated for IN.")
    points: int = strawberry.field(description="-100..100")
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime
