"""Scoring root fields: preview how a proposed rule set would change the caller's score distribution."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.scoring_preview import ScoringRuleInput, proposed_rules_json
from gql.types.base import Info
from gql.types.score import ScorePreview, score_preview
from resolvers import scoring


@strawberry.type
class ScoringQuery:
    @strawberry.field(
        description=(
            "How the scores of the caller's leads of a space (or, without space, their personal leads) would change "
            "if the proposed rules replaced the scope's rules: the distribution now and under them, and how many "
            "scores would change. Only leads the caller can see count; nothing is written. Without an active "
            "proposed rule, scores stay as they are (manual)."
        )
    )
    async def preview_scoring_rules(
        self, info: Info, rules: list[ScoringRuleInput], space: strawberry.ID | None = None
    ) -> ScorePreview | None:
        space_id = None if space is None else decode_id(space, "Space", "space")
        row = await scoring.preview(info.context, proposed_rules_json(rules), space_id)
        return score_preview(row)
