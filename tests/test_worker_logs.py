"""No secret in any line the worker logs, at DEBUG: integration pushes signed with an integration's signingSecret, and
webhook steps with step secrets (a signing secret and an Authorization header, written past the API and sealed by
the worker) or an integration's secret, delivered, retried and failed - as the API's logs are checked
(tests/api/test_integrations.py)."""

from __future__ import annotations

import logging
import secrets

import asyncpg
import pytest

from domain.workflows.clock import FakeClock
from domain.workflows.settings import EngineConfig
from tests.support.databases import PgCluster
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workflow_actions import action_settings, add_webhook_integration, worker_with
from tests.support.workflows import add_lead, add_workflow, admin, executions, personal, workflow_db

__all__ = ["admin", "workflow_db"]  # fixtures


def new_secret() -> str:
    return "whsec_" + secrets.token_hex(24)


def fragments(secret: str, size: int = 12) -> list[str]:
    """Every run of `size` characters of the secret's random part: a log may cut or wrap it."""
    random_part = secret.split("_", 1)[-1]
    return [random_part[i : i + size] for i in range(len(random_part) - size + 1)]


def leaked(secret: str, text: str) -> bool:
    return any(fragment in text for fragment in fragments(secret))


async def test_no_secret_in_any_worker_log_line(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, caplog: pytest.LogCaptureFixture
) -> None:
    step_secret, token, pushed, failing = new_secret(), "tok_" + secrets.token_hex(24), new_secret(), new_secret()
    caplog.set_level(logging.DEBUG)
    scope = await personal(admin)
    clock, config = FakeClock(), EngineConfig(max_attempts=2, retry_base_seconds=60)
    with webhook_receiver(step_secret) as receiver:
        hook = await add_webhook_integration(admin, scope, receiver.url("/ok"), pushed)
        broken = await add_webhook_integration(admin, scope, receiver.url("/fail"), failing)
        headers = {"Authorization": f"Bearer {token}"}
        workflow = await add_workflow(
            admin,
            scope,
            "lead_created",
            steps=[
                ("webhook", {"url": receiver.url("/ok"), "secret": step_secret, "headers": headers}, 0),
                ("webhook", {"integration": str(hook)}, 0),
                ("webhook", {"integration": str(broken), "headers": headers}, 0),  # 500: retried, then failed
            ],
        )
        await add_lead(admin, scope, email="ada@example.org")
        async with worker_with(cluster.dsn(workflow_db), clock, action_settings(), config=config) as worker:
            await worker.run_once()  # seals the step secrets, pushes the lead to both integrations, runs the steps
            clock.advance(120)
            await worker.run_once()  # the retries
    [run] = await executions(admin, workflow)
    assert run["status"] == "failed" and "HTTP 500" in run["error"]
    paths = sorted(r.path for r in receiver.received)
    assert paths == ["/fail"] * 4 + ["/ok"] * 3, paths  # 2 pushes + 2 steps to /fail, 1 push + 2 steps to /ok
    sealed = await admin.fetchval(
        "select count(*) from public.lead_workflow_actions"
        " where workflow_id = $1 and secrets::text like '%ciphertext%'",
        workflow,
    )
    assert sealed == 2
    assert [r for r in caplog.records if r.levelno == logging.DEBUG], "nothing logged at DEBUG: the test sees nothing"
    ours = [r for r in caplog.records if r.name.startswith("leadgen.") and r.levelno == logging.DEBUG]
    assert ours, "nothing of the worker's own logged at DEBUG: the test would not see a leak there"
    for record in caplog.records:
        text = record.getMessage() + (record.exc_text or "")
        for secret in (step_secret, token, pushed, failing):
            assert not leaked(secret, text), (record.name, text)
    for secret in (step_secret, token, pushed, failing):
        assert not leaked(secret, caplog.text), caplog.text
