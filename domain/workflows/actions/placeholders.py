"""Stand-ins for the actions not written yet: each validates any JSON object and FAILS every run, permanently,
with a message saying so. Never a pretended success: an execution that reaches one fails visibly. The engineer
who writes the real action registers it under the same type (domain/workflows/actions/registry.py), which
replaces its placeholder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.workflows.actions.base import ActionContext, PermanentActionError, StepOutcome
from domain.workflows.conditions import Problem

NOT_YET = (
    "send_email",
    "assign_lead",
    "change_stage",
    "update_field",
    "add_to_campaign",
    "remove_from_campaign",
    "webhook",
)


class NotImplementedAction:
    def __init__(self, action_type: str) -> None:
        self.type = action_type

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return []  # the real action will say what its config must hold

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        raise PermanentActionError(f"the {self.type} action is not implemented yet (placeholder)")
