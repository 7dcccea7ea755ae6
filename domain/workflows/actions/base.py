"""The interface every workflow action implements (see domain/workflows/actions/__init__.py for the guide)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from db.session import RequestSession
from domain.workflows.clock import Clock
from domain.workflows.conditions import Problem
from domain.workflows.effects import EffectLedger
from domain.workflows.settings import ActionSettings
from domain.workflows.templates import template_variables


class ActionError(Exception):
    """An action could not do its work; the message is recorded as the step's error (never put secrets in it)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RetryableActionError(ActionError):
    """Worth another try later (a timeout, a 5xx, a refused connection): retried with back-off, up to the engine's
    maximum of attempts; `retry_after` (seconds) replaces the back-off when the remote side says when."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentActionError(ActionError):
    """Will never succeed as configured (a bad config, a 4xx, not allowed): the step and its execution fail now."""


@dataclass(frozen=True)
class StepOutcome:
    """What a step did. `output` (a small JSON object: ids, counts, status codes) is recorded in the step;
    `skipped` records the step as skipped (nothing to do) and the workflow goes on all the same."""

    output: Mapping[str, Any] = field(default_factory=dict)
    skipped: bool = False


@dataclass(frozen=True)
class StepInfo:
    index: int  # 0-based position in the execution's plan
    count: int  # steps in the plan
    order: int  # the action's action_order
    attempt: int  # 1 on the first try
    action_id: uuid.UUID
    delay_seconds: int


@dataclass(frozen=True)
class EventInfo:
    """The event that started the execution: its type (a trigger type) and payload (see the migration)."""

    id: int | None
    type: str
    payload: Mapping[str, Any]


@dataclass
class ActionContext:
    """Everything a running action gets.

    `session` is one open transaction as the workflow's OWNER (role `authenticated`, the owner's JWT claims):
    every statement runs under Row Level Security, exactly as if the owner made it through the API. The engine
    commits it after the step's outcome is recorded in the same transaction, so the action's writes happen once;
    an action must not call `session.finish()`. Do slow outside calls (HTTP, SMTP) before writing, to hold locks
    briefly, and finish within EngineConfig.step_timeout_seconds (the worker renews the step's lease meanwhile).
    An outside effect goes through `effects` (domain/workflows/effects.py): begin it under its idempotency key,
    skip it when it was sent already, settle it after."""

    session: RequestSession
    lead: Mapping[str, Any]  # the lead's row as the owner sees it (columns of public.leads)
    workflow: Mapping[str, Any]  # the workflow's row (columns of public.lead_workflows)
    execution_id: uuid.UUID
    step: StepInfo
    event: EventInfo
    clock: Clock
    settings: ActionSettings
    effects: EffectLedger  # the step's outside effects under idempotency keys
    company: Mapping[str, Any] | None = None  # the lead's company as the owner sees it (None: none, or hidden)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("leadgen.workflows.actions"))

    @property
    def step_index(self) -> int:
        return self.step.index

    @property
    def owner_id(self) -> uuid.UUID:
        return uuid.UUID(str(self.workflow["user_id"]))

    def now(self) -> dt.datetime:
        return self.clock.now()

    def variables(self, extra: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Template variables of this lead, its company and the workflow (domain/workflows/templates.py), plus
        `extra`."""
        return template_variables(self.lead, self.workflow, extra, self.company)


class Action(Protocol):
    """A kind of workflow step (lead_workflow_actions.action_type)."""

    type: str

    def validate(self, config: Mapping[str, Any]) -> list[Problem]:
        """Every problem of an action_config: (field inside the config, message); [] when it is valid.

        The API reports them as BAD_USER_INPUT on `input.actionConfig.<field>`; the engine refuses to run a
        config that does not validate (a permanent failure)."""
        ...

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        """Do the step. Raise RetryableActionError / PermanentActionError to fail it; any other exception counts as
        retryable (a database refusal under RLS, 42501, as permanent)."""
        ...


def unknown_keys(config: Mapping[str, Any], allowed: tuple[str, ...], action_type: str) -> list[Problem]:
    """Problems for keys of `config` an action does not know."""
    names = ", ".join(allowed) if allowed else "none"
    return [(str(k), f"not a setting of {action_type} (allowed: {names})") for k in config if k not in allowed]
