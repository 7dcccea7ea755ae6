"""Mutations of scoring rules."""

from __future__ import annotations

import strawberry

from gql.inputs.scoring_rule import CreateScoringRuleInput, ScoringRulePatch
from gql.mutations.base import DeletePayload, create_entity, delete_entity, update_entity
from gql.types.base import Info
from gql.types.scoring_rule import ScoringRule


@strawberry.type
class ScoringRuleMutations:
    @strawberry.mutation(description="Create a scoring rule (space owners and admins, or personal).")
    async def create_scoring_rule(self, info: Info, input: CreateScoringRuleInput) -> ScoringRule:
        return await create_entity(info, ScoringRule, input)

    @strawberry.mutation(description="Change a scoring rule; fields left out stay as they are.")
    async def update_scoring_rule(self, info: Info, id: strawberry.ID, patch: ScoringRulePatch) -> ScoringRule:
        return await update_entity(info, ScoringRule, id, patch)

    @strawberry.mutation(description="Delete a scoring rule.")
    async def delete_scoring_rule(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, ScoringRule, id)
