"""The engine's records: claimed events and jobs (rows of the private queue tables) and the steps of an execution
as execution_data holds them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

STEP_STATUSES = ("pending", "scheduled", "running", "retrying", "completed", "skipped", "failed", "cancelled")


@dataclass(frozen=True)
class ClaimedEvent:
    id: int
    type: str
    lead_id: uuid.UUID
    payload: Mapping[str, Any]
    origin_workflow_id: uuid.UUID | None
    chain_depth: int
    attempt: int  # this claim's attempt number (1-based): part of the lease
    last_error: str | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ClaimedEvent:
        payload = row["payload"]
        return cls(
            id=int(row["id"]),
            type=str(row["event_type"]),
            lead_id=row["lead_id"],
            payload=payload if isinstance(payload, Mapping) else {},
            origin_workflow_id=row["origin_workflow_id"],
            chain_depth=int(row["chain_depth"]),
            attempt=int(row["attempts"]),
            last_error=row["last_error"],
        )


@dataclass(frozen=True)
class ClaimedJob:
    id: int
    execution_id: uuid.UUID
    step_index: int
    attempt: int  # this claim's attempt number (1-based): part of the lease
    last_error: str | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ClaimedJob:
        return cls(
            id=int(row["id"]),
            execution_id=row["execution_id"],
            step_index=int(row["step_index"]),
            attempt=int(row["attempts"]),
            last_error=row["last_error"],
        )


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value is not None else None
    except ValueError:
        return None


@dataclass(frozen=True)
class StepRecord:
    """One entry of execution_data.steps, read leniently (the column is writable in Studio)."""

    index: int
    order: int
    action_id: uuid.UUID | None
    type: str
    delay_seconds: int
    status: str
    run_at: dt.datetime | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    next_attempt_at: dt.datetime | None
    attempts: int
    output: Any
    error: str | None

    @classmethod
    def from_json(cls, position: int, step: Mapping[str, Any]) -> StepRecord:
        status = step.get("status")
        error = step.get("error")
        return cls(
            index=_int(step.get("index"), position),
            order=_int(step.get("order"), position),
            action_id=_uuid(step.get("actionId")),
            type=str(step.get("type") or ""),
            delay_seconds=_int(step.get("delaySeconds")),
            status=status if status in STEP_STATUSES else "pending",
            run_at=_time(step.get("runAt")),
            started_at=_time(step.get("startedAt")),
            finished_at=_time(step.get("finishedAt")),
            next_attempt_at=_time(step.get("nextAttemptAt")),
            attempts=_int(step.get("attempts")),
            output=step.get("output"),
            error=error if isinstance(error, str) else None,
        )


def steps_of(execution_data: Any) -> list[StepRecord]:
    """The steps of an execution, in order; [] for data without a list of steps."""
    steps = execution_data.get("steps") if isinstance(execution_data, Mapping) else None
    if not isinstance(steps, list):
        return []
    return [StepRecord.from_json(i, s) for i, s in enumerate(steps) if isinstance(s, Mapping)]
