"""Outside effects under idempotency keys: what lets a retry tell whether an email or webhook already went out.

Emails and webhooks are delivered at least once: a worker can be killed, or lose its database, after the effect and
before its step is recorded. So every effect has a stable key (the email's Message-ID; the webhook's delivery id,
sent as X-Leadgen-Delivery and Idempotency-Key), and the worker records it (migration
20261206160000_outside_effects.sql) in transactions of their own, apart from the step's:
1. `begin`: "sending", committed before the effect, if the worker still holds its lease (else LG409: nothing is
   sent). What it finds tells the retry what happened before: nothing (the first try), "sending" (an attempt was
   interrupted: it may have gone out, so it is sent again WITH THE SAME KEY, for the receiver to drop), "failed"
   (a known failure: sent again, same key) or "sent" (it went out: not sent again, a duplicate avoided).
2. `settle`: "sent" (or "failed") right after the effect.
`Effect.report()` is what a step's output shows: {"key", "attempt", "alreadyAttempted", "previousOutcome",
"resent", "duplicateAvoided", "sentAt"}.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import asyncpg

from db import outside_effects as sql
from domain.workflows.clock import Clock

EffectKind = Literal["email", "webhook", "integration_push", "invitation_email"]
LeasedQueue = Literal["workflow_jobs", "integration_deliveries", "invitation_emails"]
PREVIOUS_OUTCOMES = {
    "sending": "unknown: the attempt was interrupted (it may have gone out)",
    "failed": "failed",
    "sent": "sent",
}


@dataclass(frozen=True)
class Effect:
    """An effect about to happen (or found done): its key and what earlier attempts of it did."""

    key: str
    kind: str
    attempt: int  # the how-manieth send this is (for one found sent: how many sends there were)
    previous: str | None  # None (first try) | sending (interrupted) | failed | sent
    sent_at: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    @property
    def already_sent(self) -> bool:
        """It went out before: do not send it again."""
        return self.previous == "sent"

    def report(self) -> dict[str, Any]:
        """For a step's output: the key, and whether this is a re-send or a duplicate avoided."""
        if self.previous is None:
            return {"key": self.key, "attempt": self.attempt, "alreadyAttempted": False}
        report: dict[str, Any] = {
            "key": self.key,
            "attempt": self.attempt,
            "alreadyAttempted": True,
            "previousOutcome": PREVIOUS_OUTCOMES.get(self.previous, self.previous),
            "resent": not self.already_sent,
            "duplicateAvoided": self.already_sent,
        }
        if self.sent_at is not None:
            report["sentAt"] = self.sent_at
        return report

    @classmethod
    def from_json(cls, kind: str, value: Mapping[str, Any]) -> Effect:
        detail = value.get("detail")
        sent_at = value.get("sentAt")
        return cls(
            key=str(value["key"]),
            kind=kind,
            attempt=int(value.get("attempts") or 1),
            previous=value.get("previous") if isinstance(value.get("previous"), str) else None,
            sent_at=str(sent_at) if sent_at is not None else None,
            detail=detail if isinstance(detail, Mapping) else {},
        )


@dataclass(frozen=True)
class EffectLedger:
    """The effects of one claimed queue row (a workflow step, an integration delivery, an invitation email), begun
    only while its worker holds the row's lease."""

    pool: asyncpg.Pool
    clock: Clock
    worker_id: str
    queue: LeasedQueue
    row_id: int
    attempt: int
    execution_id: uuid.UUID | None = None
    step_index: int | None = None

    async def begin(self, kind: EffectKind, key: str) -> Effect:
        """Record "sending" under `key` (committed) and say what earlier attempts did; LG409 without the lease."""
        async with self.pool.acquire() as conn:
            found = await conn.fetchval(
                sql.BEGIN,
                self.queue,
                self.row_id,
                self.worker_id,
                self.attempt,
                self.clock.now(),
                key,
                kind,
                self.execution_id,
                self.step_index,
            )
        if not isinstance(found, Mapping):
            raise RuntimeError("private.begin_outside_effect answered nothing")
        return Effect.from_json(kind, found)

    async def settle(self, effect: Effect, *, sent: bool, detail: Mapping[str, Any] | None = None) -> None:
        """Record that the effect went out (a retry will not send it again) or failed (a retry sends it again)."""
        async with self.pool.acquire() as conn:
            await conn.execute(sql.SETTLE, effect.key, self.clock.now(), "sent" if sent else "failed", detail or {})


async def purge_effects(pool: asyncpg.Pool, before: dt.datetime) -> int:
    """Delete the effects of pushes and invitations last tried before `before` (a step's go with its execution)."""
    async with pool.acquire() as conn:
        return int(await conn.fetchval(sql.PURGE, before))
