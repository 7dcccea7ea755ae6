"""The integration push: every new lead goes to each ACTIVE webhook integration of its scope, and the integration's
`sync_status` (syncing -> success | error), `sync_error` and `last_sync_at` say how the last push went.

Creating a lead queues one row of private.integration_deliveries per such integration, in the creating transaction
(trigger leads_integration_push, migration 20261125190000_workflow_actions.sql; it NOTIFYs the worker). The worker
runs deliveries as a built-in kind of job next to workflow steps (WorkflowEngine.run_due): claimed with FOR UPDATE
SKIP LOCKED under a lease of its clock, retried with the engine's back-off up to EngineConfig.max_attempts. One
delivery, all as the integration's OWNER (role `authenticated`, the owner's claims: RLS decides; only claiming and
settling use the worker's login role, through private.begin/end_integration_delivery, which check the lease):
1. a short transaction reads the integration, the lead (and its company) and the credentials (the owner must
   manage the integration: leadgen.integration_credentials), and marks the integration `syncing`;
2. the signed POST (domain/webhooks.deliver; X-Leadgen-Event `lead.created`, the same X-Leadgen-Delivery and
   Idempotency-Key for every try) to the integration's settings.url, outside any transaction, recorded under that
   key before and after (effects.py): a retry after a crash sends it again with the same key, or, when it went out
   already, not at all;
3. a transaction records `success`, or `error` with sync_error, and last_sync_at, and settles the delivery.
Timeouts, network errors, 5xx, 408 and 429 are retried; a refused address, another 4xx, or a missing URL or
secret fail the delivery at once. A delivery of an integration switched off (or deleted) meanwhile is cancelled.
The delivery's lease is renewed while it runs (runtime.Lease); a lost lease stops it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg

from db import integration_push as sql
from db.session import Caller, RequestSession
from domain.database_errors import NOT_POSSIBLE, is_state
from domain.integration_webhooks import integration_secret, integration_url, signing_secret_of
from domain.webhooks import deliver
from domain.workflows.actions.base import ActionError, PermanentActionError, RetryableActionError
from domain.workflows.effects import EffectLedger
from domain.workflows.lead_data import company_of, lead_document
from domain.workflows.runtime import LeaseLost
from domain.workflows.steps import LEASE_EXPIRED, Runtime, classify

EVENT = "lead.created"
DELIVERY_NAMESPACE = uuid.UUID("0d7c8f3e-93a4-4b6e-8f8e-2f6b1d7c5a90")


@dataclass(frozen=True)
class ClaimedDelivery:
    id: int
    integration_id: uuid.UUID
    lead_id: uuid.UUID
    event_type: str
    attempt: int  # this claim's attempt number (1-based): part of the lease
    last_error: str | None

    @classmethod
    def from_row(cls, row: asyncpg.Record) -> ClaimedDelivery:
        return cls(
            id=int(row["id"]),
            integration_id=row["integration_id"],
            lead_id=row["lead_id"],
            event_type=str(row["event_type"]),
            attempt=int(row["attempts"]),
            last_error=row["last_error"],
        )


@dataclass(frozen=True)
class Prepared:
    url: str
    secret: str
    payload: dict[str, Any]


class IntegrationPush:
    """Claims and delivers pushes; one instance per engine (it shares the engine's Runtime)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def claim(self, limit: int = 1, lease_seconds: float | None = None) -> list[ClaimedDelivery]:
        rows = await self.runtime.claim(sql.CLAIM, limit, lease_seconds)
        return [ClaimedDelivery.from_row(row) for row in rows]

    async def run_one(self) -> str | None:
        """Claim one due delivery and run it: its outcome, or None when nothing is due."""
        claimed = await self.claim(1)
        return await self.run(claimed[0]) if claimed else None

    async def purge(self, before: dt.datetime) -> int:
        async with self.runtime.pool.acquire() as conn:
            return int(await conn.fetchval(sql.PURGE, before))

    async def run(self, delivery: ClaimedDelivery) -> str:
        """Deliver a claimed push: 'done', 'retry', 'failed', or 'lost' / 'stopped' (nothing recorded)."""
        rt = self.runtime
        if delivery.attempt > rt.config.max_attempts:
            error = f"gave up after {delivery.attempt - 1} attempts: {delivery.last_error or LEASE_EXPIRED}"
            return await self._settle(delivery, None, "failed", error)
        what = f"integration delivery {delivery.id}"
        try:
            async with rt.lease(sql.RENEW, delivery.id, delivery.attempt, what) as lease:
                return await lease.guard(self._run(delivery))
        except LeaseLost:
            return "lost"

    async def _run(self, delivery: ClaimedDelivery) -> str:
        rt = self.runtime
        async with rt.pool.acquire() as conn:
            info = await conn.fetchval(sql.BEGIN, delivery.id, rt.worker_id, delivery.attempt, rt.clock.now())
        if not isinstance(info, Mapping) or info.get("state") != "run":
            return "stopped" if isinstance(info, Mapping) and info.get("state") == "stopped" else "lost"
        claims = info.get("claims")
        if not isinstance(claims, Mapping):
            return await self._settle(delivery, None, "failed", "the integration's owner can no longer act")
        caller = Caller("authenticated", dict(claims))
        try:
            prepared = await self._prepare(caller, delivery)
        except Exception as exc:
            return await self._failed(delivery, caller, exc, None)
        key = str(prepared.payload["deliveryId"])
        ledger = EffectLedger(rt.pool, rt.clock, rt.worker_id, "integration_deliveries", delivery.id, delivery.attempt)
        try:
            effect = await ledger.begin("integration_push", key)
        except asyncpg.PostgresError as exc:
            if is_state(exc, NOT_POSSIBLE):  # the lease on the row is gone
                return "lost"
            raise
        if effect.already_sent:  # it went out before the last attempt could record it: not again
            rt.log.info("integration delivery %s: sent already under key %s; not sent again", delivery.id, key)
            status = effect.detail.get("statusCode")
            return await self._settle(delivery, caller, "done", None, status if isinstance(status, int) else None)
        result = await deliver(
            prepared.url,
            prepared.payload,
            prepared.secret,
            timeout=rt.settings.webhooks.timeout,
            allow_private=rt.settings.webhooks.allow_private,
            event=EVENT,
            delivery_id=key,
        )
        await ledger.settle(effect, sent=result.ok, detail={"statusCode": result.status_code})
        if result.ok:
            return await self._settle(delivery, caller, "done", None, result.status_code)
        message = result.error or "the delivery failed"
        if result.retryable:
            return await self._failed(delivery, caller, RetryableActionError(message), result.status_code)
        return await self._failed(delivery, caller, PermanentActionError(message), result.status_code)

    async def _prepare(self, caller: Caller, delivery: ClaimedDelivery) -> Prepared:
        rt = self.runtime
        session = RequestSession(rt.pool, caller, readonly=False)
        try:
            integration = await session.fetchrow(sql.INTEGRATION, delivery.integration_id)
            if integration is None:
                raise PermanentActionError("the integration is not visible to its owner (row level security)")
            row = await session.fetchrow(sql.LEAD, delivery.lead_id)
            if row is None:
                raise PermanentActionError("the lead is not visible to the integration's owner (row level security)")
            lead = dict(row)
            url = integration_url(integration)
            if url is None:
                raise PermanentActionError("settings.url: the integration has no webhook URL")
            credentials, problem = await integration_secret(session, rt.settings.keyring, integration)
            if problem is not None:
                raise PermanentActionError(problem)
            secret = signing_secret_of(credentials)
            if secret is None:
                raise PermanentActionError("the integration has no signingSecret in its credentials")
            company = await company_of(session, lead)
            if await session.fetchval(sql.MARK_SYNCING, delivery.integration_id) is None:
                raise PermanentActionError("the integration's owner may not manage it any more")
        except BaseException:
            await _abandon(session)
            raise
        await session.finish(commit=True)
        delivery_id = str(uuid.uuid5(DELIVERY_NAMESPACE, str(delivery.id)))
        payload = {
            "event": EVENT,
            "deliveryId": delivery_id,
            "sentAt": rt.clock.now().isoformat(),
            "integration": {"id": str(integration["id"]), "name": integration["integration_name"]},
            "lead": lead_document(lead, company),
        }
        return Prepared(url, secret, payload)

    async def _failed(
        self,
        delivery: ClaimedDelivery,
        caller: Caller,
        exc: Exception,
        status_code: int | None,
    ) -> str:
        rt = self.runtime
        retryable, text, _ = classify(exc)
        if isinstance(exc, asyncpg.exceptions.InsufficientPrivilegeError):
            text = f"not allowed for the integration's owner (row level security or privileges): {exc}"
        if not isinstance(exc, ActionError):
            rt.log.warning("integration delivery %s attempt %s: %s", delivery.id, delivery.attempt, text, exc_info=exc)
        if not retryable or delivery.attempt >= rt.config.max_attempts:
            if retryable:
                text = f"{text} (gave up after {delivery.attempt} attempts)"
            return await self._settle(delivery, caller, "failed", text, status_code)
        retry_at = rt.clock.now() + dt.timedelta(seconds=rt.config.backoff(delivery.attempt))
        return await self._settle(delivery, caller, "retry", f"{text} (will retry)", status_code, retry_at)

    async def _settle(
        self,
        delivery: ClaimedDelivery,
        caller: Caller | None,
        outcome: str,
        error: str | None,
        status_code: int | None = None,
        retry_at: dt.datetime | None = None,
    ) -> str:
        """Record the integration's sync status (as its owner, when known) and settle the delivery, together."""
        rt = self.runtime
        now = rt.clock.now()
        settle = (delivery.id, rt.worker_id, delivery.attempt, now, outcome, error, status_code, retry_at)
        try:
            if caller is None:
                async with rt.pool.acquire() as conn:
                    await conn.execute(sql.END, *settle)
                return outcome
            session = RequestSession(rt.pool, caller, readonly=False)
            try:
                status = "success" if outcome == "done" else "error"
                await session.execute(sql.RECORD_SYNC, delivery.integration_id, status, error, now)
                await session.execute(sql.AS_LOGIN_ROLE)
                await session.execute(sql.END, *settle)
            except BaseException:
                await _abandon(session)
                raise
            await session.finish(commit=True)
        except asyncpg.PostgresError as exc:
            if is_state(exc, NOT_POSSIBLE):  # the lease on the row is gone
                rt.log.info("integration delivery %s: lease lost before recording %s", delivery.id, outcome)
                return "lost"
            raise
        return outcome


async def _abandon(session: RequestSession) -> None:
    """Roll back; a connection that is gone was terminated by RequestSession (nothing was committed)."""
    with contextlib.suppress(Exception):
        await session.finish(commit=False)
