"""`wait`: a step that only waits. Its delay_seconds does the waiting (a durable job due after the delay); running
it records nothing but the wait. Takes no configuration."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from domain.workflows.actions.base import ActionContext, StepOutcome, unknown_keys
from domain.workflows.conditions import Problem


class WaitAction:
    type = "wait"

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        return [
            (field, f"{message}; a wait's length is the step's delaySeconds")
            for field, message in unknown_keys(config, (), self.type)
        ]

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        return StepOutcome(output={"waitedSeconds": ctx.step.delay_seconds})
