"""`assign_lead`: set the lead's `assigned_to`, to a given user or round-robin, and record an `assigned` activity.

Config, one of:
    {"user": "<user id>"}              # a user of the lead's scope: any member of its space (its owner for a
                                       # personal lead); anyone else fails the step permanently
    {"strategy": "round_robin"}        # the members of the lead's space who can write (owner, admin, member), in
                                       # the order they joined (then by id), in turn; a personal lead goes to its owner

The round robin remembers each workflow's turn in the database (leadgen.next_round_robin_assignee, migration
20261125190000_workflow_actions.sql), advanced in the step's own transaction: two executions running at once take
consecutive turns, and a step that fails gives its turn back. Writes run as the workflow's owner (RLS: it must be
able to write the lead). Nothing is written when the lead already has that assignee.

Output: {"assignedTo", "previous", "strategy", "unchanged"?, "turn"? , "candidates"?, "activityId"?}.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from db import workflow_actions as sql
from domain.workflows.actions.base import ActionContext, PermanentActionError, StepOutcome, unknown_keys
from domain.workflows.conditions import Problem, as_uuid

STRATEGIES = ("round_robin",)


def _name(profile: Mapping[str, Any] | None, user: uuid.UUID) -> str:
    if profile is None:
        return str(user)
    return str(profile.get("full_name") or profile.get("email") or user)


class AssignLeadAction:
    type = "assign_lead"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        problems = unknown_keys(config, ("user", "strategy"), self.type)
        if ("user" in config) == ("strategy" in config):
            return [*problems, ("user", 'give either "user" (a user id) or "strategy": "round_robin", not both')]
        if "user" in config and as_uuid(config["user"], "User") is None:
            problems.append(("user", "must be a user id (a UUID or a User global ID)"))
        if "strategy" in config and config["strategy"] not in STRATEGIES:
            problems.append(("strategy", f"must be one of: {', '.join(STRATEGIES)}"))
        return problems

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        lead_id = ctx.lead["id"]
        extra: dict[str, Any] = {}
        if "user" in config:
            user = as_uuid(config["user"], "User")
            assert user is not None
            found = await ctx.session.fetchrow(sql.ASSIGNEE_IN_SCOPE, lead_id, user)
            if found is None or not found["in_scope"]:
                raise PermanentActionError(
                    f"user {user} is not in the lead's scope (a member of its space, or its owner for a personal lead)"
                )
            strategy = "user"
            profile: Mapping[str, Any] | None = dict(found)
        else:
            turn = await ctx.session.fetchrow(sql.NEXT_ROUND_ROBIN, ctx.workflow["id"], lead_id)
            assert turn is not None
            user = turn["assignee"]
            strategy = "round_robin"
            extra = {"turn": int(turn["turn"]), "candidates": int(turn["candidates"])}
            found = await ctx.session.fetchrow(sql.PROFILE, user)
            profile = dict(found) if found is not None else None
        previous = ctx.lead.get("assigned_to")
        output: dict[str, Any] = {
            "assignedTo": str(user),
            "previous": str(previous) if previous else None,
            "strategy": strategy,
            **extra,
        }
        if previous == user:
            return StepOutcome(output={**output, "unchanged": True})
        updated = await ctx.session.fetchrow(sql.ASSIGN, lead_id, user)
        if updated is None:
            raise PermanentActionError("the workflow's owner may not change this lead (row level security)")
        data = {
            "from": str(updated["previous"]) if updated["previous"] else None,
            "to": str(user),
            "strategy": strategy,
            "workflow_id": str(ctx.workflow["id"]),
            "execution_id": str(ctx.execution_id),
            "step_index": ctx.step.index,
            **extra,
        }
        description = f"Assigned to {_name(profile, user)}"
        activity_id = await ctx.session.fetchval(sql.INSERT_ACTIVITY, lead_id, "assigned", description, data)
        return StepOutcome(output={**output, "activityId": str(activity_id)})
