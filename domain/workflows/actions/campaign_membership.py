"""What add_to_campaign and remove_from_campaign share: their config {"campaign": "<campaign id>"} (a UUID or a
Campaign global ID) and finding that campaign in the lead's scope (the same space, or both personal) as the
workflow's owner sees it: a campaign of another scope, or one the owner cannot see, fails the step permanently."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from db import workflow_actions as sql
from domain.workflows.actions.base import ActionContext, PermanentActionError, unknown_keys
from domain.workflows.conditions import Problem, as_uuid


def campaign_problems(config: Mapping[str, Any], action_type: str) -> list[Problem]:
    problems = unknown_keys(config, ("campaign",), action_type)
    if "campaign" not in config:
        return [*problems, ("campaign", "required: a campaign id of the lead's scope")]
    if as_uuid(config["campaign"], "Campaign") is None:
        problems.append(("campaign", "must be a campaign id (a UUID or a Campaign global ID)"))
    return problems


async def campaign_of_lead(ctx: ActionContext, config: Mapping[str, Any]) -> tuple[uuid.UUID, dict[str, Any]]:
    campaign = as_uuid(config["campaign"], "Campaign")
    assert campaign is not None
    found = await ctx.session.fetchrow(sql.CAMPAIGN_OF_LEAD_SCOPE, ctx.lead["id"], campaign)
    if found is None:
        if await ctx.session.fetchval(sql.CAMPAIGN_VISIBLE, campaign):
            raise PermanentActionError(f"campaign {campaign} is not of the lead's scope (its space, or personal)")
        raise PermanentActionError(f"campaign {campaign} does not exist or is not visible to the workflow's owner")
    return campaign, {"campaignId": str(campaign), "campaignName": found["name"]}
