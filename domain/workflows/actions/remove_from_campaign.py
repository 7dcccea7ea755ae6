"""`remove_from_campaign`: take the lead out of a campaign of its scope, as the API's removeLeadFromCampaign does
(db/associations.py), as the workflow's owner under RLS (a lead it may not write fails the step permanently).

Config: {"campaign": "<campaign id>"} of the lead's scope (campaign_membership.py). A lead not in the campaign is
skipped. Output: {"campaignId", "campaignName"}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db import associations
from domain.workflows.actions.base import ActionContext, PermanentActionError, StepOutcome
from domain.workflows.actions.campaign_membership import campaign_of_lead, campaign_problems
from domain.workflows.conditions import Problem


class RemoveFromCampaignAction:
    type = "remove_from_campaign"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return campaign_problems(config, self.type)

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        campaign, output = await campaign_of_lead(ctx, config)
        removed = await ctx.session.fetchval(associations.REMOVE_LEAD_FROM_CAMPAIGN, ctx.lead["id"], campaign)
        if removed is not None:
            return StepOutcome(output=output)
        if await ctx.session.fetchval(associations.ASSOCIATION_VISIBLE, ctx.lead["id"], campaign):
            raise PermanentActionError("the workflow's owner may not take this lead out of the campaign")
        return StepOutcome(skipped=True, output={**output, "reason": "the lead is not in the campaign"})
