"""`change_stage`: move the lead to a stage of its own board, as the API's moveLead does (db/pipeline.MOVE_LEAD,
as the workflow's owner under RLS; the database logs the `stage_changed` activity, with
`activityData {from: {id, name} | null, to: {id, name}}`).

Config, one of:
    {"stage": "<stage id>"}            # a LeadStage id (UUID or global ID) of the lead's board
    {"stageName": "Qualified"}         # the stage of the lead's board with this name (case-insensitive)

A stage of another board, or one the owner cannot see, fails the step permanently; so does a lead the owner may
not change. A lead already in the stage is skipped (nothing written).

Output: {"fromStageId", "toStageId", "stageName"}.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from db import pipeline
from db import workflow_actions as sql
from domain.workflows.actions.base import ActionContext, PermanentActionError, StepOutcome, unknown_keys
from domain.workflows.conditions import Problem, as_uuid

MAX_NAME = 100


class ChangeStageAction:
    type = "change_stage"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        problems = unknown_keys(config, ("stage", "stageName"), self.type)
        if ("stage" in config) == ("stageName" in config):
            return [*problems, ("stage", 'give either "stage" (a stage id) or "stageName", not both')]
        if "stage" in config and as_uuid(config["stage"], "LeadStage") is None:
            problems.append(("stage", "must be a stage id (a UUID or a LeadStage global ID)"))
        if "stageName" in config:
            name = config["stageName"]
            if not isinstance(name, str) or not name.strip():
                problems.append(("stageName", "must be a stage's name"))
            elif len(name) > MAX_NAME:
                problems.append(("stageName", f"at most {MAX_NAME} characters"))
        return problems

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        lead_id = ctx.lead["id"]
        if "stageName" in config:
            name = str(config["stageName"]).strip()
            found = await ctx.session.fetchrow(sql.STAGE_BY_NAME, lead_id, name)
            if found is None:
                raise PermanentActionError(f"the lead's board has no stage named {name!r}")
            stage: uuid.UUID = found["id"]
        else:
            given = as_uuid(config["stage"], "LeadStage")
            assert given is not None
            stage = given
        previous = ctx.lead.get("stage_id")
        result = await ctx.session.fetchrow(pipeline.MOVE_LEAD, lead_id, stage)
        assert result is not None
        if not result["lead_visible"]:
            raise PermanentActionError("the lead is not visible to the workflow's owner (row level security)")
        if not result["stage_in_scope"]:
            raise PermanentActionError(f"stage {stage} is not a stage of the lead's board (its space's, or personal)")
        name = await ctx.session.fetchval(sql.STAGE_NAME, stage)
        output = {"fromStageId": str(previous) if previous else None, "toStageId": str(stage), "stageName": name}
        if result["unchanged"]:
            return StepOutcome(skipped=True, output={**output, "reason": "the lead is in this stage already"})
        if result["moved"] == 0:
            raise PermanentActionError("the workflow's owner may not move this lead (row level security)")
        return StepOutcome(output=output)
