"""The integration push: a new lead goes to every ACTIVE webhook integration of its scope (queued in the lead's own
transaction, delivered by the worker as the integration's owner, signed with the integration's secret), and the
integration's sync_status / sync_error / last_sync_at follow: syncing -> success | error, with retries."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import asyncpg

from domain.workflows.clock import FakeClock
from domain.workflows.settings import EngineConfig
from tests.support.databases import PgCluster
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workflow_actions import action_settings, add_webhook_integration, worker_with
from tests.support.workflows import Scope, add_lead, add_user, admin, personal, space_of, workflow_db

__all__ = ["admin", "workflow_db"]  # fixtures
SECRET = "whsec_" + uuid.uuid4().hex
CONFIG = EngineConfig(max_attempts=2, retry_base_seconds=60)


async def sync_state(conn: asyncpg.Connection, integration: uuid.UUID) -> dict[str, Any]:
    row = await conn.fetchrow(
        "select sync_status, sync_error, last_sync_at from public.lead_integrations where id = $1", integration
    )
    assert row is not None
    return dict(row)


async def deliveries(conn: asyncpg.Connection, integration: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "select lead_id, state, attempts, last_error, status_code, run_at from private.integration_deliveries"
        " where integration_id = $1 order by id",
        integration,
    )
    return [dict(r) for r in rows]


async def test_a_new_lead_goes_to_each_active_webhook_integration_of_its_scope(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    owner = await add_user(admin, "owner")
    space, elsewhere = await space_of(admin, owner), await personal(admin)
    with webhook_receiver(SECRET) as receiver:
        url = receiver.url("/ok")
        hook = await add_webhook_integration(admin, space, url, SECRET)
        off = await add_webhook_integration(admin, space, url, SECRET, active=False)
        crm = await add_webhook_integration(admin, space, url, SECRET, integration_type="crm")
        other = await add_webhook_integration(admin, elsewhere, url, SECRET)
        lead = await add_lead(admin, space, email="ada@example.org")
        assert [d["lead_id"] for d in await deliveries(admin, hook)] == [lead]
        assert (await sync_state(admin, hook))["sync_status"] == "never"
        clock = FakeClock()
        async with worker_with(cluster.dsn(workflow_db), clock, action_settings()) as worker:
            summary = await worker.run_once()
    assert summary.pushes == 1
    [got] = receiver.received
    assert got.signature_valid and got.headers["x-leadgen-event"] == "lead.created"
    body = got.json()
    assert body["event"] == "lead.created" and body["integration"] == {"id": str(hook), "name": "Hook"}
    assert body["lead"]["id"] == str(lead) and body["lead"]["email"] == "ada@example.org"
    assert body["lead"]["spaceId"] == str(space.space) and body["deliveryId"] == got.headers["x-leadgen-delivery"]
    assert await sync_state(admin, hook) == {"sync_status": "success", "sync_error": None, "last_sync_at": clock.now()}
    [delivery] = await deliveries(admin, hook)
    assert (delivery["state"], delivery["attempts"], delivery["status_code"]) == ("done", 1, 204)
    for quiet in (off, crm, other):
        assert await deliveries(admin, quiet) == [] and (await sync_state(admin, quiet))["sync_status"] == "never"


async def test_a_rolled_back_lead_pushes_nothing(admin: asyncpg.Connection) -> None:
    scope = await personal(admin)
    hook = await add_webhook_integration(admin, scope, "https://hooks.example.com/x", SECRET)
    transaction = admin.transaction()
    await transaction.start()
    await add_lead(admin, scope)
    assert len(await deliveries(admin, hook)) == 1  # queued in the same transaction ...
    await transaction.rollback()
    assert await deliveries(admin, hook) == []  # ... and gone with it


async def test_failed_pushes_are_retried_then_recorded_as_errors(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    dsn, clock = cluster.dsn(workflow_db), FakeClock()
    with webhook_receiver(SECRET) as receiver:
        failing = await add_webhook_integration(admin, scope, receiver.url("/fail"), SECRET)
        missing = await add_webhook_integration(admin, scope, receiver.url("/missing"), SECRET)
        unsigned = await add_webhook_integration(admin, scope, receiver.url("/ok"), None)
        await add_lead(admin, scope)
        async with worker_with(dsn, clock, action_settings(), config=CONFIG) as worker:
            await worker.run_once()
            state = await sync_state(admin, failing)
            assert state["sync_status"] == "error" and state["last_sync_at"] == clock.now()
            assert state["sync_error"] == "the receiver answered HTTP 500 (will retry)"
            [delivery] = await deliveries(admin, failing)
            assert delivery["state"] == "pending" and delivery["run_at"] == clock.now() + dt.timedelta(seconds=60)
            clock.advance(60)
            await worker.run_once()
    gave_up = "the receiver answered HTTP 500 (gave up after 2 attempts)"
    assert (await sync_state(admin, failing))["sync_error"] == gave_up
    [delivery] = await deliveries(admin, failing)
    assert (delivery["state"], delivery["attempts"], delivery["status_code"]) == ("failed", 2, 500)
    tries = [r.headers["x-leadgen-delivery"] for r in receiver.received if r.path == "/fail"]
    assert len(tries) == 2 and len(set(tries)) == 1  # the same delivery, tried twice
    [delivery] = await deliveries(admin, missing)  # a 4xx is not retried
    assert (delivery["state"], delivery["attempts"], delivery["status_code"]) == ("failed", 1, 404)
    assert (await sync_state(admin, missing))["sync_status"] == "error"
    [delivery] = await deliveries(admin, unsigned)
    assert delivery["state"] == "failed"
    assert delivery["last_error"] == "the integration has no signingSecret in its credentials"
    assert not [r for r in receiver.received if r.path == "/ok"]
    errors = json.dumps([await deliveries(admin, i) for i in (failing, missing, unsigned)], default=str)
    assert SECRET not in errors


async def test_pushes_stop_when_the_integration_is_switched_off_or_its_owner_may_not_manage_it(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    owner, manager = await add_user(admin, "owner"), await add_user(admin, "manager")
    space = await space_of(admin, owner, (manager, "admin"))
    with webhook_receiver(SECRET) as receiver:
        switched_off = await add_webhook_integration(admin, space, receiver.url("/ok"), SECRET)
        theirs = Scope(manager, space.space)  # owned by the admin, who is demoted below
        demoted = await add_webhook_integration(admin, theirs, receiver.url("/ok"), SECRET)
        await add_lead(admin, space)
        await admin.execute("update public.lead_integrations set is_active = false where id = $1", switched_off)
        await admin.execute("update public.space_members set role = 'member' where user_id = $1", manager)
        async with worker_with(cluster.dsn(workflow_db), FakeClock(), action_settings()) as worker:
            await worker.run_once()
    assert receiver.received == []
    [delivery] = await deliveries(admin, switched_off)
    assert delivery["state"] == "cancelled" and (await sync_state(admin, switched_off))["sync_status"] == "never"
    [delivery] = await deliveries(admin, demoted)  # the owner's RLS: it may not read the credentials any more
    assert delivery["state"] == "failed" and "not allowed" in delivery["last_error"]
