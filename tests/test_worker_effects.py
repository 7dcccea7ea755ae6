"""Outside effects retried after a crash (a worker stopped mid-way, its lease left to run out; a controllable clock):
a webhook, an integration push and an invitation email interrupted while going out are sent again WITH THE SAME
idempotency key (X-Leadgen-Delivery and Idempotency-Key, the Message-ID), and one that went out before the crash is
not sent again; the step's output says which (real `leadgen worker` processes killed with SIGKILL:
test_worker_recovery.py)."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Mapping
from typing import Any

import asyncpg
import pytest

from db.pool import create_worker_pool
from domain.invitation_emails import InvitationEmails, InvitationEmailSettings
from domain.workflows.actions.base import ActionContext, StepOutcome
from domain.workflows.actions.registry import default_registry
from domain.workflows.actions.webhook import WebhookAction
from domain.workflows.clock import FakeClock
from domain.workflows.settings import EngineConfig
from domain.workflows.steps import Runtime
from tests.support.databases import PgCluster, with_user
from tests.support.roles import ANON_CLAIMS, acting_as, user_claims
from tests.support.smtp_server import smtp_server
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workflow_actions import action_settings, add_webhook_integration, step_outputs, worker_with
from tests.support.workflows import add_lead, add_user, add_workflow, admin, executions, personal, steps, workflow_db

__all__ = ["admin", "workflow_db"]  # fixtures
SECRET = "whsec_" + uuid.uuid4().hex
CONFIG = EngineConfig(lease_seconds=30)
INTERRUPTED = "unknown: the attempt was interrupted (it may have gone out)"


async def crash(work: Awaitable[Any], happened: asyncio.Event | Any) -> None:
    """Run `work` until `happened` (an event, or a function that turns true), then stop it dead: as a killed worker,
    it records nothing more (its step's transaction rolls back, its lease is no longer renewed)."""
    task = asyncio.ensure_future(work)
    for _ in range(600):
        if (happened.is_set() if isinstance(happened, asyncio.Event) else happened()) or task.done():
            break
        await asyncio.sleep(0.05)
    assert not task.done(), "the work ended before it could be interrupted"
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def effect_row(admin: asyncpg.Connection, key: str) -> dict[str, Any]:
    row = await admin.fetchrow(
        "select kind, state, attempts, duplicates_avoided, sent_at is not null as sent from private.outside_effects"
        " where key = $1",
        key,
    )
    assert row is not None, key
    return dict(row)


async def test_a_webhook_interrupted_while_going_out_is_sent_again_with_the_same_key(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    dsn, clock, settings = cluster.dsn(workflow_db), FakeClock(), action_settings(timeout=5.0)
    with webhook_receiver(SECRET, slow_seconds=1.0) as receiver:
        workflow = await add_workflow(
            admin, scope, "lead_created", steps=[("webhook", {"url": receiver.url("/slow"), "secret": SECRET}, 0)]
        )
        await add_lead(admin, scope)
        async with worker_with(dsn, clock, settings, config=CONFIG) as doomed:
            await crash(doomed.run_once(), lambda: receiver.received)  # killed while the receiver works on it
        clock.advance(31)  # its lease ran out
        async with worker_with(dsn, clock, settings, config=CONFIG) as rescuer:
            await rescuer.run_once()
    [run] = await executions(admin, workflow)
    assert run["status"] == "completed", run["error"]
    first, second = receiver.received
    key = first.headers["x-leadgen-delivery"]
    assert second.headers["x-leadgen-delivery"] == key and second.signature_valid
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"] == key
    [output] = step_outputs(run)
    assert output["deliveryId"] == key and output["statusCode"] == 200
    assert output["idempotency"] == {
        "key": key,
        "attempt": 2,
        "alreadyAttempted": True,
        "previousOutcome": INTERRUPTED,
        "resent": True,
        "duplicateAvoided": False,
    }
    assert steps(run)[0]["attempts"] == 2
    assert await effect_row(admin, key) == {
        "kind": "webhook",
        "state": "sent",
        "attempts": 2,
        "duplicates_avoided": 0,
        "sent": True,
    }


class DeliverThenDie(WebhookAction):
    """The real webhook action, then a worker that never gets to record the step (killed, database gone)."""

    def __init__(self) -> None:
        self.delivered = asyncio.Event()

    async def run(self, ctx: ActionContext, config: Mapping[str, Any]) -> StepOutcome:
        outcome = await super().run(ctx, config)
        self.delivered.set()
        await asyncio.sleep(3600)
        return outcome


async def test_a_webhook_that_went_out_before_the_crash_is_not_sent_again(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    dsn, clock, settings = cluster.dsn(workflow_db), FakeClock(), action_settings()
    dying = DeliverThenDie()
    registry = default_registry()
    registry.register(dying)
    with webhook_receiver(SECRET) as receiver:
        workflow = await add_workflow(
            admin, scope, "lead_created", steps=[("webhook", {"url": receiver.url("/ok"), "secret": SECRET}, 0)]
        )
        await add_lead(admin, scope)
        async with worker_with(dsn, clock, settings, config=CONFIG, registry=registry) as doomed:
            await crash(doomed.run_once(), dying.delivered)
        [run] = await executions(admin, workflow)
        assert run["status"] == "running" and steps(run)[0]["status"] == "running"  # nothing recorded
        clock.advance(31)
        async with worker_with(dsn, clock, settings, config=CONFIG) as rescuer:
            await rescuer.run_once()
    [run] = await executions(admin, workflow)
    assert run["status"] == "completed", run["error"]
    [delivered] = receiver.received  # once
    key = delivered.headers["idempotency-key"]
    [output] = step_outputs(run)
    assert output["deliveryId"] == key and output["statusCode"] == 204
    idempotency = output["idempotency"]
    assert idempotency["key"] == key and idempotency["duplicateAvoided"] is True and idempotency["resent"] is False
    assert idempotency["alreadyAttempted"] is True and idempotency["previousOutcome"] == "sent"
    assert idempotency["sentAt"] and idempotency["attempt"] == 1
    assert await effect_row(admin, key) == {
        "kind": "webhook",
        "state": "sent",
        "attempts": 1,
        "duplicates_avoided": 1,
        "sent": True,
    }


async def test_an_integration_push_interrupted_while_going_out_is_sent_again_with_the_same_key(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    dsn, clock, settings = cluster.dsn(workflow_db), FakeClock(), action_settings(timeout=5.0)
    with webhook_receiver(SECRET, slow_seconds=1.0) as receiver:
        hook = await add_webhook_integration(admin, scope, receiver.url("/slow"), SECRET)
        lead = await add_lead(admin, scope)
        async with worker_with(dsn, clock, settings, config=CONFIG) as doomed:
            await crash(doomed.run_once(), lambda: receiver.received)
        clock.advance(31)
        async with worker_with(dsn, clock, settings, config=CONFIG) as rescuer:
            await rescuer.run_once()
    first, second = receiver.received
    key = first.headers["idempotency-key"]
    assert first.headers["x-leadgen-delivery"] == second.headers["x-leadgen-delivery"] == key
    assert second.headers["idempotency-key"] == key and second.json()["deliveryId"] == key
    assert second.json()["lead"]["id"] == str(lead)
    row = await admin.fetchrow(
        "select state, attempts from private.integration_deliveries where integration_id = $1", hook
    )
    assert row is not None and (row["state"], row["attempts"]) == ("done", 2)
    assert await effect_row(admin, key) == {
        "kind": "integration_push",
        "state": "sent",
        "attempts": 2,
        "duplicates_avoided": 0,
        "sent": True,
    }
    clock.advance(days=8)  # past the retention: purged with the queues
    async with worker_with(dsn, clock, settings, config=CONFIG) as janitor:
        await janitor.engine.purge()
    assert await admin.fetchval("select count(*) from private.outside_effects where key = $1", key) == 0


@pytest.mark.parametrize("user", ["leadgen_api", "leadgen_worker"])
async def test_the_effect_records_are_out_of_reach_of_api_roles_and_of_the_worker_s_own_sql(
    cluster: PgCluster, workflow_db: str, user: str
) -> None:
    conn = await asyncpg.connect(cluster.dsn(workflow_db, user=user))
    try:
        for claims in [user_claims(uuid.uuid4()), ANON_CLAIMS] if user == "leadgen_api" else [None]:
            for statement in (
                "select * from private.outside_effects",
                "delete from private.outside_effects",
                "update private.outside_effects set state = 'sent'",
                "insert into private.outside_effects (key, kind, state, first_attempt_at, last_attempt_at)"
                " values ('k', 'email', 'sent', now(), now())",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    if claims is None:
                        await conn.execute(statement)
                    else:
                        async with acting_as(conn, claims):
                            await conn.execute(statement)
    finally:
        await conn.close()


async def test_an_invitation_email_interrupted_while_going_out_is_sent_again_with_the_same_message_id(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    owner = await add_user(admin, "owner")
    space = await admin.fetchval("insert into public.spaces (name, created_by) values ('S', $1) returning id", owner)
    invitation = await admin.fetchval(
        "insert into public.space_invitations (space_id, email, space_name) values ($1, 'new.person@example.org', 'S')"
        " returning id",
        space,
    )
    clock = FakeClock()
    pool = await create_worker_pool(with_user(cluster.dsn(workflow_db), "leadgen_worker"), min_size=1, max_size=4)
    invitations = InvitationEmailSettings(secret=b"s" * 32)
    try:
        async with smtp_server(stall=1) as smtp:
            settings = action_settings(smtp_port=smtp.port)
            doomed = InvitationEmails(Runtime(pool, "doomed", clock, CONFIG, settings), invitations)
            [claimed] = [e for e in await doomed.claim(50) if e.invitation_id == invitation]
            await crash(doomed.run(claimed), smtp.stalled)  # the server has it, the worker never heard back
            smtp.close_stalled()
            clock.advance(31)
            rescuer = InvitationEmails(Runtime(pool, "rescuer", clock, CONFIG, settings), invitations)
            while await rescuer.run_due():
                pass
    finally:
        await pool.close()
    first, second = [m for m in smtp.messages if m["X-Leadgen-Invitation"] == str(invitation)]
    key = str(first["Message-ID"])
    assert str(second["Message-ID"]) == key and second["To"] == "new.person@example.org"
    row = await admin.fetchrow(
        "select state, attempts from private.invitation_emails where invitation_id = $1", invitation
    )
    assert row is not None and (row["state"], row["attempts"]) == ("done", 2)
    assert await effect_row(admin, key) == {
        "kind": "invitation_email",
        "state": "sent",
        "attempts": 2,
        "duplicates_avoided": 0,
        "sent": True,
    }
