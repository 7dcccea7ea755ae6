"""The workflow engine: fan events out into executions, run due steps, scan for inactivity.

Any number of engines (in one process or on many machines) may work on one database at once: every event and job
is claimed with FOR UPDATE SKIP LOCKED under a lease (EngineConfig.lease_seconds of the engine's clock, renewed by a
heartbeat while the work runs: runtime.py), so each is worked on by one engine at a time, and one that stops
mid-way (killed, crashed, disconnected) loses nothing: when its lease runs out, another engine claims the row again
(its attempts count up; past EngineConfig.max_attempts it fails for good). Settling a row checks the lease is still
the settler's. Up to `concurrency` pieces of work run at once (dispatcher.py).

An event's fan-out is one transaction: the candidates (active workflows of the event's scope with a trigger of
its type, switched on before the event happened) are matched against their conditions here
(domain/workflows/conditions.py; never the workflow that caused the event, nothing for events caused by chains of
EngineConfig.max_chain_depth workflow runs), their executions are created (at most one per workflow, lead and
event: a unique constraint) with their first step scheduled, and the event is marked done. A workflow whose only
triggers of the event's type have conditions that cannot be used (written past the API, e.g. in Studio) gets a
failed execution saying why, instead of nothing. Steps are run by domain/workflows/steps.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from db import workflows as sql
from domain.workflows.conditions import Problem, trigger_matches, unusable_conditions
from domain.workflows.dispatcher import Dispatcher, RunSummary, Source
from domain.workflows.effects import purge_effects
from domain.workflows.integration_push import ClaimedDelivery, IntegrationPush
from domain.workflows.model import ClaimedEvent, ClaimedJob
from domain.workflows.step_secrets import sealed_plain
from domain.workflows.steps import LEASE_EXPIRED, LeaseLost, Runtime, classify, run_job

EVENT_BATCH = 10
__all__ = ["RunSummary", "WorkflowEngine"]


def _refusal(trigger_type: str, problems: list[Problem]) -> str:
    listed = "; ".join(f"{field or 'triggerConditions'}: {message}" for field, message in problems)
    return (
        f"not started: the {trigger_type} trigger's conditions are invalid ({listed}); they were written past the"
        " API (e.g. in Studio): fix them with updateWorkflowTrigger"
    )[:2000]


class WorkflowEngine:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.pushes = IntegrationPush(runtime)  # a built-in kind of job: new leads to webhook integrations

    # ---- events -----------------------------------------------------------------------------------------------

    async def claim_events(self, limit: int = EVENT_BATCH, lease_seconds: float | None = None) -> list[ClaimedEvent]:
        rows = await self.runtime.claim(sql.CLAIM_EVENTS, limit, lease_seconds)
        return [ClaimedEvent.from_row(row) for row in rows]

    async def process_events(self, limit: int = EVENT_BATCH) -> RunSummary:
        """Claim up to `limit` due events and fan each out."""
        summary = RunSummary()
        for event in await self.claim_events(limit):
            summary.events += 1
            summary.executions += await self.fan_out(event)
        return summary

    async def fan_out(self, event: ClaimedEvent) -> int:
        """Start the executions of a claimed event; returns how many were created."""
        rt = self.runtime
        if event.attempt > rt.config.max_attempts:
            error = f"gave up after {event.attempt - 1} attempts: {event.last_error or LEASE_EXPIRED}"
            await self._settle_event(sql.FAIL_EVENT, event, rt.clock.now(), error)
            return 0
        try:
            async with rt.lease(sql.RENEW_EVENT, event.id, event.attempt, f"event {event.id}") as lease:
                return await lease.guard(self._fan_out(event))
        except LeaseLost:
            rt.log.info("event %s: lease lost; another worker has it", event.id)
            return 0
        except Exception as exc:
            retryable, message, _ = classify(exc)
            rt.log.warning("event %s attempt %s: %s", event.id, event.attempt, message, exc_info=exc)
            now = rt.clock.now()
            if retryable and event.attempt < rt.config.max_attempts:
                retry_at = now + dt.timedelta(seconds=rt.config.backoff(event.attempt))
                await self._settle_event(sql.RETRY_EVENT, event, retry_at, message)
            else:
                await self._settle_event(sql.FAIL_EVENT, event, now, message)
            return 0

    async def _fan_out(self, event: ClaimedEvent) -> int:
        rt = self.runtime
        now = rt.clock.now()
        note: str | None = None
        started: list[uuid.UUID] = []
        async with rt.pool.acquire() as conn, conn.transaction():
            if event.chain_depth >= rt.config.max_chain_depth:
                note = (
                    f"started nothing: caused by a chain of {event.chain_depth} workflow runs "
                    f"(at most {rt.config.max_chain_depth - 1})"
                )
            else:
                matched: list[uuid.UUID] = []
                unusable: dict[uuid.UUID, str] = {}
                for row in await conn.fetch(sql.EVENT_CANDIDATES, event.id):
                    workflow = row["workflow_id"]
                    if workflow == event.origin_workflow_id or workflow in matched:
                        continue
                    problems = unusable_conditions(event.type, row["trigger_conditions"])
                    if problems:
                        unusable.setdefault(workflow, _refusal(event.type, problems))
                    elif trigger_matches(event.type, row["trigger_conditions"], event.type, event.payload):
                        matched.append(workflow)
                if matched:
                    started = list(await conn.fetchval(sql.START_EXECUTIONS, event.id, matched, now) or [])
                refused = {w: error for w, error in unusable.items() if w not in matched}
                if refused:  # written past the API: say so where the workflow's managers look
                    await conn.fetchval(sql.REFUSE_EXECUTIONS, event.id, list(refused), list(refused.values()), now)
            settled = await conn.execute(sql.FINISH_EVENT, event.id, rt.worker_id, event.attempt, now, note)
            if settled.endswith(" 0"):
                raise LeaseLost(f"event {event.id}")
        return len(started)

    async def _settle_event(self, statement: str, event: ClaimedEvent, when: dt.datetime, error: str) -> None:
        async with self.runtime.pool.acquire() as conn:
            await conn.execute(statement, event.id, self.runtime.worker_id, event.attempt, when, error[:2000])

    # ---- jobs -------------------------------------------------------------------------------------------------

    async def claim_jobs(self, limit: int = 1, lease_seconds: float | None = None) -> list[ClaimedJob]:
        rows = await self.runtime.claim(sql.CLAIM_JOBS, limit, lease_seconds)
        return [ClaimedJob.from_row(row) for row in rows]

    async def run_job(self, job: ClaimedJob) -> RunSummary:
        status = await run_job(self.runtime, job)
        return RunSummary(
            jobs=1,
            completed=int(status == "completed"),
            failed=int(status == "failed"),
            lost=int(status in ("lost", "stopped")),
        )

    # ---- everything due ---------------------------------------------------------------------------------------

    def sources(self) -> list[Source]:
        """The engine's kinds of work for a Dispatcher, in order of preference: events, steps, integration pushes."""

        async def run_event(event: ClaimedEvent) -> RunSummary:
            return RunSummary(events=1, executions=await self.fan_out(event))

        async def run_push(delivery: ClaimedDelivery) -> RunSummary:
            await self.pushes.run(delivery)
            return RunSummary(pushes=1)

        return [
            Source("event", self.claim_events, run_event),
            Source("job", self.claim_jobs, self.run_job),
            Source("integration delivery", self.pushes.claim, run_push),
        ]

    async def run_due(self, concurrency: int = 1, stop: asyncio.Event | None = None) -> RunSummary:
        """Work until nothing is due at the clock's time (or `stop` is set): up to `concurrency` pieces at once,
        events first, then steps (a step with no delay that follows is due at once, so it runs too), then integration
        pushes."""
        return await Dispatcher(self.sources(), concurrency, self.runtime.log).drain(stop)

    async def scan_inactivity(self) -> int:
        """Write inactivity events due at the clock's time (once per lead, days and inactive period)."""
        async with self.runtime.pool.acquire() as conn:
            return int(await conn.fetchval(sql.SCAN_INACTIVITY, self.runtime.clock.now()))

    async def seal_step_secrets(self, limit: int = 100) -> int:
        """Encrypt step secrets still stored in clear (written past the API, or before they were encrypted), as
        step_secrets.py explains; returns how many steps were sealed (0 without a keyring)."""
        keyring = self.runtime.settings.keyring
        if keyring is None:
            return 0
        sealed = 0
        async with self.runtime.pool.acquire() as conn:
            for row in await conn.fetch(sql.UNSEALED_SECRETS, limit):
                plain, envelopes = sealed_plain(keyring, row["action_id"], row["workflow_id"], row["secrets"])
                if envelopes and await conn.fetchval(sql.SEAL_SECRETS, row["action_id"], plain, envelopes):
                    sealed += 1
        return sealed

    async def purge(self) -> int:
        """Delete queue rows settled longer ago than the retention."""
        before = self.runtime.clock.now() - dt.timedelta(seconds=self.runtime.config.retention_seconds)
        async with self.runtime.pool.acquire() as conn:
            purged = int(await conn.fetchval(sql.PURGE, before))
        return purged + await self.pushes.purge(before) + await purge_effects(self.runtime.pool, before)

    async def next_due(self) -> dt.datetime | None:
        """When the next row of a queue falls due or a lease on one runs out (after the clock's time), if ever."""
        async with self.runtime.pool.acquire() as conn:
            value = await conn.fetchval(sql.NEXT_DUE, self.runtime.clock.now())
        return value if isinstance(value, dt.datetime) else None
