"""`add_to_campaign`: put the lead in a campaign of its scope, as the API's addLeadToCampaign does
(db/associations.py), as the workflow's owner under RLS (a lead it may not write fails the step permanently).

Config: {"campaign": "<campaign id>"} of the lead's scope (campaign_membership.py). A lead already in the campaign
is skipped. Output: {"campaignId", "campaignName"}.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db import associations
from domain.workflows.actions.base import ActionContext, StepOutcome
from domain.workflows.actions.campaign_membership import campaign_of_lead, campaign_problems
from domain.workflows.conditions import Problem


class AddToCampaignAction:
    type = "add_to_campaign"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return campaign_problems(config, self.type)

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        campaign, output = await campaign_of_lead(ctx, config)
        if await ctx.session.fetchval(associations.ASSOCIATION_VISIBLE, ctx.lead["id"], campaign):
            return StepOutcome(skipped=True, output={**output, "reason": "the lead is in the campaign already"})
        # RLS refuses a lead the owner may not write (42501: a permanent failure)
        await ctx.session.execute(associations.ADD_LEAD_TO_CAMPAIGN, ctx.lead["id"], campaign)
        return StepOutcome(output=output)
