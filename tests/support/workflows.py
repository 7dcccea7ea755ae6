"""Workflow tests: users, scopes, workflows and leads written in SQL (as Studio would), and workers over a test
database (in this process, each with its own pool, or as real `leadgen worker` processes)."""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest_asyncio

from domain.workflows.actions.registry import ActionRegistry
from domain.workflows.clock import Clock
from domain.workflows.settings import ActionSettings, EmailSettings, EngineConfig
from server.worker import Worker, WorkerOptions, open_worker
from tests.support.databases import PgCluster, with_user

ROOT = Path(__file__).resolve().parent.parent.parent
Step = tuple[str, dict[str, Any], int]  # (action type, config, delay seconds)
NOTE: Step = ("add_note", {"note": "Hello {{first_name}}"}, 0)


@dataclass(frozen=True)
class Scope:
    """Where rows live: a user's personal scope, or a space (owned by `user`)."""

    user: uuid.UUID
    space: uuid.UUID | None = None


async def add_user(conn: asyncpg.Connection, name: str = "user") -> uuid.UUID:
    user = uuid.uuid4()
    await conn.execute(
        "insert into auth.users (id, email, aud, role, raw_app_meta_data) values ($1, $2, 'authenticated',"
        " 'authenticated', '{\"provider\": \"email\"}')",
        user,
        f"{name}.{user.hex[:8]}@example.test",
    )
    return user


async def personal(conn: asyncpg.Connection, name: str = "user") -> Scope:
    return Scope(await add_user(conn, name))


async def space_of(conn: asyncpg.Connection, owner: uuid.UUID, *members: tuple[uuid.UUID, str]) -> Scope:
    space = await conn.fetchval("insert into public.spaces (name, created_by) values ('S', $1) returning id", owner)
    for member, role in members:
        await conn.execute(
            "insert into public.space_members (space_id, user_id, role) values ($1, $2, $3)", space, member, role
        )
    return Scope(owner, space)


async def add_workflow(
    conn: asyncpg.Connection,
    scope: Scope,
    trigger: str | None,
    conditions: dict[str, Any] | None = None,
    steps: Sequence[Step] = (NOTE,),
    *,
    active: bool = True,
) -> uuid.UUID:
    workflow = await conn.fetchval(
        "insert into public.lead_workflows (user_id, space_id, name, is_active) values ($1, $2, $3, $4) returning id",
        scope.user,
        scope.space,
        f"wf {trigger}",
        active,
    )
    if trigger is not None:
        await conn.execute(
            "insert into public.lead_workflow_triggers (workflow_id, trigger_type, trigger_conditions)"
            " values ($1, $2, $3::jsonb)",
            workflow,
            trigger,
            conditions or {},
        )
    for order, (action_type, config, delay) in enumerate(steps):
        await conn.execute(
            "insert into public.lead_workflow_actions (workflow_id, action_type, action_config, action_order,"
            " delay_seconds) values ($1, $2, $3::jsonb, $4, $5)",
            workflow,
            action_type,
            config,
            order,
            delay,
        )
    assert isinstance(workflow, uuid.UUID)
    return workflow


async def add_lead(conn: asyncpg.Connection, scope: Scope, **fields: Any) -> uuid.UUID:
    values = {"user_id": scope.user, "space_id": scope.space, "first_name": "Ada", **fields}
    columns = ", ".join(values)
    params = ", ".join(f"${i}" for i in range(1, len(values) + 1))
    lead = await conn.fetchval(f"insert into public.leads ({columns}) values ({params}) returning id", *values.values())
    assert isinstance(lead, uuid.UUID)
    return lead


async def events(conn: asyncpg.Connection, lead: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "select event_type, payload, origin_workflow_id, chain_depth, state from private.workflow_events"
            " where lead_id = $1 order by id",
            lead,
        )
    )


async def event_types(conn: asyncpg.Connection, lead: uuid.UUID) -> list[str]:
    return [r["event_type"] for r in await events(conn, lead)]


async def executions(conn: asyncpg.Connection, workflow: uuid.UUID) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "select id, lead_id, event_id, status, execution_data, error, started_at, completed_at"
            " from public.lead_workflow_executions where workflow_id = $1 order by created_at, id",
            workflow,
        )
    )


async def notes(conn: asyncpg.Connection, lead: uuid.UUID) -> list[str]:
    rows = await conn.fetch(
        "select description from public.lead_activities where lead_id = $1 and activity_type = 'note'"
        " order by created_at, id",
        lead,
    )
    return [r["description"] for r in rows]


def steps(execution: asyncpg.Record) -> list[dict[str, Any]]:
    """The steps of an execution read on a connection with the JSON codec (the `admin` fixture)."""
    return list(execution["execution_data"]["steps"])


def statuses(execution: asyncpg.Record) -> list[str]:
    return [s["status"] for s in steps(execution)]


@asynccontextmanager
async def running_worker(
    dsn: str,
    clock: Clock | None = None,
    *,
    config: EngineConfig | None = None,
    registry: ActionRegistry | None = None,
    outbox: Path | None = None,
    concurrency: int = 2,
    worker_id: str | None = None,
) -> AsyncIterator[Worker]:
    """An in-process worker on its own pool, logged in as leadgen_worker (`dsn`: any user of the database)."""
    settings = ActionSettings(email=EmailSettings(outbox_dir=outbox))
    worker, pool = await open_worker(
        with_user(dsn, "leadgen_worker"),
        settings,
        options=WorkerOptions(concurrency=concurrency, poll_interval=0.2),
        clock=clock,
        config=config,
        registry=registry,
        worker_id=worker_id,
    )
    try:
        yield worker
    finally:
        await pool.close()


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "server.cli", "worker", *args]


def worker_environment(cluster: PgCluster, database: str, data_dir: Path) -> dict[str, str]:
    """What a real `leadgen worker` process needs to work on a test database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEADGEN_", "DATABASE_URL", "SUPABASE_"))}
    env.update(
        DATABASE_URL=cluster.dsn(database),
        LEADGEN_WORKER_DATABASE_URL=cluster.dsn(database, user="leadgen_worker"),
        LEADGEN_DATA_DIR=str(data_dir),
        PYTHONPATH=str(ROOT),
    )
    return env


@pytest_asyncio.fixture(scope="module")
async def workflow_db(cluster: PgCluster) -> AsyncIterator[str]:
    """A migrated database of one test module (no demo data)."""
    name = await cluster.clone("wf")
    try:
        yield name
    finally:
        await cluster.drop(name)


@pytest_asyncio.fixture(scope="module")
async def admin(cluster: PgCluster, workflow_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection to the module's database (as Studio connects); JSON arrives as Python values."""
    conn = await asyncpg.connect(cluster.dsn(workflow_db))
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    try:
        yield conn
    finally:
        await conn.close()
