"""action_type -> Action. `default_registry()` is what the API validates with and the worker runs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from domain.workflows.actions.add_note import AddNoteAction
from domain.workflows.actions.add_to_campaign import AddToCampaignAction
from domain.workflows.actions.assign_lead import AssignLeadAction
from domain.workflows.actions.base import Action
from domain.workflows.actions.change_stage import ChangeStageAction
from domain.workflows.actions.remove_from_campaign import RemoveFromCampaignAction
from domain.workflows.actions.send_email import SendEmailAction
from domain.workflows.actions.update_field import UpdateFieldAction
from domain.workflows.actions.wait import WaitAction
from domain.workflows.actions.webhook import WebhookAction
from domain.workflows.conditions import Problem

ACTION_TYPES = (
    "send_email",
    "assign_lead",
    "change_stage",
    "update_field",
    "add_to_campaign",
    "remove_from_campaign",
    "add_note",
    "webhook",
    "wait",
)  # what lead_workflow_actions.action_type allows


class ActionRegistry:
    def __init__(self, actions: Iterable[Action] = ()) -> None:
        self._actions: dict[str, Action] = {}
        for action in actions:
            self.register(action)

    def register(self, action: Action) -> None:
        """Add an action, replacing the one of the same type (a placeholder, or an earlier version)."""
        self._actions[action.type] = action

    def get(self, action_type: str) -> Action | None:
        return self._actions.get(action_type)

    @property
    def types(self) -> tuple[str, ...]:
        return tuple(self._actions)

    def problems(self, action_type: str, config: Any) -> list[Problem]:
        """Everything wrong with a config for this type: fields are keys inside the config ("" for itself)."""
        action = self.get(action_type)
        if action is None:
            return [("", f"no action of type {action_type!r}")]
        if not isinstance(config, Mapping):
            return [("", "must be a JSON object")]
        return action.validate(config)


def default_registry() -> ActionRegistry:
    return ActionRegistry(
        [
            WaitAction(),
            AddNoteAction(),
            SendEmailAction(),
            AssignLeadAction(),
            ChangeStageAction(),
            UpdateFieldAction(),
            AddToCampaignAction(),
            RemoveFromCampaignAction(),
            WebhookAction(),
        ]
    )
