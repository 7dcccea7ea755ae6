"""What scoring shows: a lead's score breakdown, and a preview of a proposed rule set's effect."""

from __future__ import annotations

from decimal import Decimal

import asyncpg
import strawberry

from gql.types.base import Info, build
from gql.types.scoring_rule import ScoringRule

# The buckets of a score distribution, as (min, max) inclusive.
SCORE_BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))


@strawberry.type(description="An active scoring rule the lead matches, and the points it adds (or subtracts).")
class ScoreContribution:
    rule: ScoringRule
    points: int


async def score_contributions(info: Info, lead_id: object) -> list[ScoreContribution]:
    """The breakdown of one lead's score, batched with every other lead of the operation (one statement)."""
    rows = await info.context.loaders.score_breakdown().load(str(lead_id))
    return [ScoreContribution(rule=build(ScoringRule, row), points=row["_points"]) for row in rows]


@strawberry.type(description="How many leads have a score in [min, max].")
class ScoreBucket:
    min: int
    max: int
    count: int


@strawberry.type(description="The scores of a set of leads.")
class ScoreDistribution:
    count: int = strawberry.field(description="Leads counted.")
    average: float | None = strawberry.field(description="Average score (2 decimals); null without leads.")
    buckets: list[ScoreBucket] = strawberry.field(description="Leads per score range: 0-19, 20-39, ..., 80-100.")


@strawberry.type(description="The caller's score distribution now, and under a proposed rule set (nothing saved).")
class ScorePreview:
    current: ScoreDistribution
    proposed: ScoreDistribution
    changed_count: int = strawberry.field(description="Leads whose score the proposed rules would change.")


def _distribution(count: int, average: Decimal | None, buckets: list[int]) -> ScoreDistribution:
    return ScoreDistribution(
        count=count,
        average=None if average is None else float(average),
        buckets=[
            ScoreBucket(min=low, max=high, count=n) for (low, high), n in zip(SCORE_BUCKETS, buckets, strict=True)
        ],
    )


def score_preview(row: asyncpg.Record) -> ScorePreview:
    """The GraphQL face of a row of leadgen.preview_scoring."""
    return ScorePreview(
        current=_distribution(row["lead_count"], row["current_average"], row["current_buckets"]),
        proposed=_distribution(row["lead_count"], row["proposed_average"], row["proposed_buckets"]),
        changed_count=row["changed"],
    )
