"""Running one claimed step: as the workflow's owner, with its outcome recorded in the same transaction.

1. `private.begin_workflow_step` (the worker's login role) marks the step running if the lease is still ours and
   the execution is still pending or running, and returns the owner's claims and the step's current action.
2. One transaction as the owner (RequestSession: role `authenticated`, the owner's claims): the lead and the
   workflow are read under RLS (invisible: a permanent failure), the step's stored secrets are added to its config
   (step_secrets.py; only the owner may read them), the config is validated, the action runs; then
   the transaction switches back to the login role and `private.end_workflow_step` records the outcome and
   schedules the next step, and only then commits. A lost lease (LG409) rolls back the action's writes with it.
   The lease is renewed while all this runs (runtime.Lease); the action is stopped when the lease is lost or after
   EngineConfig.step_timeout_seconds. Outside effects go through the step's EffectLedger (effects.py).
3. A failed attempt is rolled back and recorded in a transaction of its own: retried with back-off while attempts
   remain and the error is retryable, else the step and its execution fail.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from db import workflows as sql
from db.session import Caller, RequestSession
from domain.credentials import CredentialsError
from domain.database_errors import NOT_POSSIBLE, is_state
from domain.workflows.actions.base import (
    ActionContext,
    ActionError,
    EventInfo,
    PermanentActionError,
    RetryableActionError,
    StepInfo,
    StepOutcome,
)
from domain.workflows.effects import EffectLedger
from domain.workflows.lead_data import company_of
from domain.workflows.model import ClaimedJob
from domain.workflows.runtime import LeaseLost, Runtime
from domain.workflows.step_secrets import SECRET_ACTION_TYPES, open_all

LEASE_EXPIRED = "the worker running it stopped before finishing (its lease ran out)"
PERMANENT_SQLSTATE_CLASSES = ("22", "23", "42", "P0")  # bad data, integrity, privileges (RLS), raised on purpose
__all__ = ["LEASE_EXPIRED", "LeaseLost", "Runtime", "classify", "run_job"]


def classify(exc: BaseException) -> tuple[bool, str, float | None]:
    """(retryable, message for the step's error, seconds to wait instead of the back-off)."""
    if isinstance(exc, RetryableActionError):
        return True, exc.message, exc.retry_after
    if isinstance(exc, ActionError):
        return False, exc.message, None
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        if isinstance(exc, asyncpg.exceptions.InsufficientPrivilegeError):
            return False, f"not allowed for the workflow's owner (row level security or privileges): {exc}", None
        return not state.startswith(PERMANENT_SQLSTATE_CLASSES), f"database error {state}: {exc}", None
    if isinstance(exc, TimeoutError):
        return True, "the step took too long (stopped after EngineConfig.step_timeout_seconds)", None
    if isinstance(exc, (OSError, asyncpg.InterfaceError)):
        return True, f"{type(exc).__name__}: {exc}", None
    return True, f"unexpected {type(exc).__name__}: {exc}", None


async def _end(runtime: Runtime, job: ClaimedJob, outcome: str, **fields: Any) -> str | None:
    """Record an outcome in a transaction of its own (the attempt's was rolled back); None when the lease is lost."""
    now = runtime.clock.now()
    try:
        async with runtime.pool.acquire() as conn:
            status = await conn.fetchval(
                sql.END_STEP,
                job.id,
                runtime.worker_id,
                job.attempt,
                now,
                outcome,
                fields.get("output"),
                fields.get("error"),
                fields.get("retry_at"),
            )
    except asyncpg.PostgresError as exc:
        if is_state(exc, NOT_POSSIBLE):  # the lease on the row is gone
            runtime.log.info("job %s: lease lost before recording %s", job.id, outcome)
            return None
        raise
    return str(status)


async def run_job(runtime: Runtime, job: ClaimedJob) -> str:
    """Run a claimed job's step; returns the execution's status afterwards, or 'lost' / 'stopped'."""
    if job.attempt > runtime.config.max_attempts:
        error = f"gave up after {job.attempt - 1} attempts: {job.last_error or LEASE_EXPIRED}"
        return await _end(runtime, job, "failed", error=error) or "lost"
    async with runtime.lease(sql.RENEW_JOB, job.id, job.attempt, f"job {job.id}") as lease:
        async with runtime.pool.acquire() as conn:
            info = await conn.fetchval(sql.BEGIN_STEP, job.id, runtime.worker_id, job.attempt, runtime.clock.now())
        if not isinstance(info, Mapping) or info.get("state") != "run":
            return "lost" if not isinstance(info, Mapping) or info.get("state") == "lost" else "stopped"
        claims = info.get("claims")
        session = RequestSession(runtime.pool, Caller("authenticated", dict(claims or {})), readonly=False)
        try:
            if not isinstance(claims, Mapping):
                raise PermanentActionError("the workflow's owner can no longer act (the user is deleted or banned)")
            outcome = await lease.guard(
                _run_action(runtime, session, job, info), timeout=runtime.config.step_timeout_seconds
            )
            await session.execute(sql.AS_LOGIN_ROLE)
            status = await session.fetchval(
                sql.END_STEP,
                job.id,
                runtime.worker_id,
                job.attempt,
                runtime.clock.now(),
                "skipped" if outcome.skipped else "completed",
                dict(outcome.output),
                None,
                None,
            )
            await session.finish(commit=True)
            return str(status)
        except BaseException as exc:
            await _abandon(runtime, session)
            if isinstance(exc, LeaseLost) or is_state(exc, NOT_POSSIBLE):
                runtime.log.info("job %s: lease lost; its writes were rolled back", job.id)
                return "lost"
            if not isinstance(exc, Exception):
                raise
            return await _failed_attempt(runtime, job, exc)


async def _abandon(runtime: Runtime, session: RequestSession) -> None:
    try:
        await session.finish(commit=False)
    except Exception:  # the connection is gone: RequestSession terminated it; nothing was committed
        runtime.log.warning("could not roll back a step's transaction cleanly", exc_info=True)


async def _failed_attempt(runtime: Runtime, job: ClaimedJob, exc: Exception) -> str:
    retryable, message, retry_after = classify(exc)
    if not isinstance(exc, ActionError):
        runtime.log.warning("job %s attempt %s: %s", job.id, job.attempt, message, exc_info=exc)
    if retryable and job.attempt < runtime.config.max_attempts:
        wait = retry_after if retry_after is not None else runtime.config.backoff(job.attempt)
        retry_at = runtime.clock.now() + dt.timedelta(seconds=max(0.0, wait))
        return await _end(runtime, job, "retry", error=message, retry_at=retry_at) or "lost"
    if retryable:
        message = f"{message} (gave up after {job.attempt} attempts)"
    return await _end(runtime, job, "failed", error=message[:2000]) or "lost"


async def _secrets(
    runtime: Runtime, session: RequestSession, action_id: uuid.UUID, workflow_id: uuid.UUID
) -> dict[str, Any]:
    """The step's stored secrets in clear (domain/workflows/step_secrets.py), read as the workflow's owner."""
    stored = await sql.read_step_secrets(session, action_id)
    try:
        return open_all(runtime.settings.keyring, action_id, workflow_id, stored)
    except CredentialsError as exc:
        raise PermanentActionError(f"the step's stored secrets cannot be used ({exc}); set them again") from None


async def _run_action(
    runtime: Runtime, session: RequestSession, job: ClaimedJob, info: Mapping[str, Any]
) -> StepOutcome:
    execution_id = uuid.UUID(str(info["executionId"]))
    workflow_id = uuid.UUID(str(info["workflowId"]))
    found = info.get("event")
    event: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    depth = event.get("chainDepth") if isinstance(event.get("chainDepth"), int) else 0
    context = {"executionId": str(execution_id), "workflowId": str(workflow_id), "depth": depth}
    await session.execute(sql.SET_WORKFLOW_CONTEXT, json.dumps(context))
    lead = await session.fetchrow(sql.LEAD_AS_OWNER, uuid.UUID(str(info["leadId"])))
    if lead is None:
        raise PermanentActionError("the lead is not visible to the workflow's owner (row level security)")
    workflow = await session.fetchrow(sql.WORKFLOW_AS_OWNER, workflow_id)
    if workflow is None:
        raise PermanentActionError("the workflow is not visible to its owner any more (row level security)")
    action_row = info.get("action")
    if not isinstance(action_row, Mapping):
        return StepOutcome(output={"reason": "the action was removed from the workflow"}, skipped=True)
    action_type = str(action_row["type"])
    action = runtime.registry.get(action_type)
    if action is None:
        raise PermanentActionError(f"no action of type {action_type!r} is registered")
    config = action_row.get("config")
    if action_type in SECRET_ACTION_TYPES and isinstance(config, Mapping):
        config = {**config, **await _secrets(runtime, session, uuid.UUID(str(action_row["id"])), workflow_id)}
    problems = runtime.registry.problems(action_type, config)
    if problems:
        listed = "; ".join(f"{f or 'actionConfig'}: {m}" for f, m in problems)
        raise PermanentActionError(f"invalid actionConfig ({listed})")
    assert isinstance(config, Mapping)
    step = StepInfo(
        index=int(info["stepIndex"]),
        count=int(info["stepCount"]),
        order=int(action_row.get("order") or 0),
        attempt=job.attempt,
        action_id=uuid.UUID(str(action_row["id"])),
        delay_seconds=int(action_row.get("delaySeconds") or 0),
    )
    payload = event.get("payload")
    ctx = ActionContext(
        session=session,
        lead=dict(lead),
        workflow=dict(workflow),
        execution_id=execution_id,
        step=step,
        event=EventInfo(
            id=event.get("id") if isinstance(event.get("id"), int) else None,
            type=str(event.get("type") or ""),
            payload=payload if isinstance(payload, Mapping) else {},
        ),
        clock=runtime.clock,
        settings=runtime.settings,
        effects=EffectLedger(
            runtime.pool,
            runtime.clock,
            runtime.worker_id,
            "workflow_jobs",
            job.id,
            job.attempt,
            execution_id=execution_id,
            step_index=step.index,
        ),
        company=await company_of(session, dict(lead)),
    )
    return await action.run(ctx, config)
