"""What the tests of the workflow actions and the integration push share: a worker with chosen action settings
(outbox, SMTP, webhook policy, credentials keyring), and rows written as Studio would (custom fields, campaigns,
webhook integrations with encrypted credentials)."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg

from domain.credentials import Keyring
from domain.webhooks import WebhookPolicy
from domain.workflows.actions.registry import ActionRegistry
from domain.workflows.clock import Clock
from domain.workflows.settings import ActionSettings, EmailSettings, EngineConfig, SmtpSettings
from server.worker import Worker, WorkerOptions, open_worker
from tests.support.databases import with_user
from tests.support.workflows import Scope

KEYRING = Keyring.from_texts(secrets.token_urlsafe(48))
SENDER = "Leadgen <robot@leadgen.example>"


def action_settings(
    *,
    outbox: Path | None = None,
    smtp_port: int | None = None,
    allow_private: bool = True,
    timeout: float = 2.0,
) -> ActionSettings:
    """Emails to `outbox` (or an SMTP server on 127.0.0.1:`smtp_port`), webhooks to the test's receiver."""
    smtp = SmtpSettings("127.0.0.1", smtp_port, security="none") if smtp_port is not None else None
    return ActionSettings(
        email=EmailSettings(sender=SENDER, smtp=smtp, outbox_dir=outbox),
        webhooks=WebhookPolicy(timeout=timeout, allow_private=allow_private),
        keyring=KEYRING,
    )


@asynccontextmanager
async def worker_with(
    dsn: str,
    clock: Clock,
    settings: ActionSettings,
    *,
    config: EngineConfig | None = None,
    concurrency: int = 2,
    worker_id: str | None = None,
    registry: ActionRegistry | None = None,
) -> AsyncIterator[Worker]:
    """An in-process worker (login role leadgen_worker) with these action settings (and actions)."""
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


async def activities(conn: asyncpg.Connection, lead: uuid.UUID, activity_type: str) -> list[asyncpg.Record]:
    return list(
        await conn.fetch(
            "select user_id, description, activity_data from public.lead_activities"
            " where lead_id = $1 and activity_type = $2 order by created_at, id",
            lead,
            activity_type,
        )
    )


async def add_campaign(conn: asyncpg.Connection, scope: Scope, name: str = "Spring") -> uuid.UUID:
    campaign = await conn.fetchval(
        "insert into public.lead_campaigns (user_id, space_id, name) values ($1, $2, $3) returning id",
        scope.user,
        scope.space,
        name,
    )
    assert isinstance(campaign, uuid.UUID)
    return campaign


async def add_custom_field(
    conn: asyncpg.Connection, scope: Scope, name: str, field_type: str, options: list[str] | None = None
) -> None:
    await conn.execute(
        "insert into public.lead_custom_fields (user_id, space_id, field_name, field_label, field_type, options)"
        " values ($1, $2, $3, $3, $4, $5::jsonb)",
        scope.user,
        scope.space,
        name,
        field_type,
        options or [],
    )


async def stage_named(conn: asyncpg.Connection, scope: Scope, name: str) -> uuid.UUID:
    stage = await conn.fetchval(
        "select id from public.lead_stages where space_id is not distinct from $2"
        " and ($2 is not null or user_id = $1) and name = $3",
        scope.user,
        scope.space,
        name,
    )
    assert isinstance(stage, uuid.UUID)
    return stage


async def add_webhook_integration(
    conn: asyncpg.Connection,
    scope: Scope,
    url: str,
    secret: str | None,
    *,
    active: bool = True,
    integration_type: str = "webhook",
) -> uuid.UUID:
    """A webhook integration whose credentials (encrypted for its row and scope) hold `secret` as signingSecret."""
    integration = await conn.fetchval(
        "insert into public.lead_integrations (user_id, space_id, integration_type, integration_name, is_active,"
        " settings) values ($1, $2, $3, 'Hook', $4, $5::jsonb) returning id",
        scope.user,
        scope.space,
        integration_type,
        active,
        {"url": url},
    )
    assert isinstance(integration, uuid.UUID)
    if secret is not None:
        envelope = KEYRING.encrypt({"signingSecret": secret}, row_id=integration, owner=scope.user, space=scope.space)
        await conn.execute(
            "update public.lead_integrations set credentials = $2::jsonb where id = $1", integration, envelope
        )
    return integration


def step_outputs(execution: asyncpg.Record) -> list[Any]:
    return [s.get("output") for s in execution["execution_data"]["steps"]]
