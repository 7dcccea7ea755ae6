"""`add_note`: a `note` activity on the lead, written as the workflow's owner (RLS: the owner must be able to
write the lead), its description rendered from the `note` template (domain/workflows/templates.py).

Config: {"note": "No activity for two weeks: call {{lead.firstName}} at {{lead.company.name}}."} (required, at
most 5,000 characters; the template language of every action, domain/workflows/templates.py).
Output: {"activityId": ...}. The activity's data names the workflow, execution and step.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from db import workflows as sql
from domain.workflows.actions.base import ActionContext, StepOutcome, unknown_keys
from domain.workflows.conditions import Problem
from domain.workflows.templates import render, template_problems

MAX_NOTE_CHARS = 5000


class AddNoteAction:
    type = "add_note"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        problems = unknown_keys(config, ("note",), self.type)
        if "note" not in config:
            return [*problems, ("note", "required: the note's text (a template, e.g. 'Call {{lead.firstName}}')")]
        note = config["note"]
        if isinstance(note, str) and not note.strip():
            problems.append(("note", "must not be blank"))
        problems.extend(("note", message) for message in template_problems(note, max_length=MAX_NOTE_CHARS))
        return problems

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        text = render(str(config["note"]), ctx.variables()).strip() or "(empty note)"
        data = {
            "workflow_id": str(ctx.workflow["id"]),
            "execution_id": str(ctx.execution_id),
            "step_index": ctx.step.index,
        }
        activity_id = await ctx.session.fetchval(sql.INSERT_NOTE, ctx.lead["id"], text[:MAX_NOTE_CHARS], data)
        return StepOutcome(output={"activityId": str(activity_id)})
