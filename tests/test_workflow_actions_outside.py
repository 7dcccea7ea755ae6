"""The workflow actions with outside effects, run by a real engine: send_email (to the outbox folder and to an SMTP
server: templates with lead fields, the `email_sent` activity, leads without an address skipped, 5xx permanent,
unreachable servers retried) and webhook (signatures verified by a receiver in the test, integration secrets,
private addresses refused, retries with back-off, secrets never recorded)."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import socket
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg

from domain.workflows.clock import FakeClock
from domain.workflows.settings import ActionSettings, EngineConfig
from tests.support.databases import PgCluster
from tests.support.smtp_server import smtp_server
from tests.support.webhook_receiver import webhook_receiver
from tests.support.workflow_actions import (
    SENDER,
    action_settings,
    activities,
    add_webhook_integration,
    step_outputs,
    worker_with,
)
from tests.support.workflows import (
    NOTE,
    Scope,
    Step,
    add_lead,
    add_workflow,
    admin,
    executions,
    personal,
    statuses,
    steps,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures
SECRET = "whsec_" + uuid.uuid4().hex
EMAIL: Step = (
    "send_email",
    {
        "subject": "Welcome {{lead.firstName}} from {{lead.company.name}}",
        "body": "Hi {{lead.firstName}} {{lead.lastName}},\nyour plan: {{customFields.plan}}; phone {{phone}}.\n",
        "replyTo": "sales@leadgen.example",
    },
    0,
)


async def run(
    admin: asyncpg.Connection,
    dsn: str,
    steps_: Sequence[Step],
    settings: ActionSettings,
    *,
    scope: Scope | None = None,
    clock: FakeClock | None = None,
    config: EngineConfig | None = None,
    **lead: Any,
) -> tuple[uuid.UUID, uuid.UUID, asyncpg.Record]:
    """A lead_created workflow with these steps, one new lead, a worker run: (workflow, lead, execution)."""
    scope = scope or await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=steps_)
    lead_id = await add_lead(admin, scope, **lead)
    async with worker_with(dsn, clock or FakeClock(), settings, config=config) as worker:
        await worker.run_once()
    await admin.execute("update public.lead_workflows set is_active = false where id = $1", workflow)
    [execution] = await executions(admin, workflow)
    return workflow, lead_id, execution


async def test_send_email_to_the_outbox_renders_the_lead_and_records_the_activity(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    scope = await personal(admin)
    company = await admin.fetchval(
        "insert into public.companies (user_id, name) values ($1, 'Engines Ltd') returning id", scope.user
    )
    settings = action_settings(outbox=tmp_path)
    workflow, lead, run_ = await run(
        admin,
        cluster.dsn(workflow_db),
        [EMAIL],
        settings,
        scope=scope,
        email="ada@example.org",
        company_id=company,
        custom_fields={"plan": "pro"},
    )
    assert run_["status"] == "completed", run_["error"]
    [file] = list(tmp_path.glob("*.eml"))
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["To"] == "ada@example.org" and message["From"] == SENDER
    assert message["Subject"] == "Welcome Ada from Engines Ltd" and message["Reply-To"] == "sales@leadgen.example"
    assert message["X-Leadgen-Workflow"] == str(workflow)
    body = message.get_body(("plain",))
    text = body.get_content().replace("\r\n", "\n") if body is not None else None  # the file has CRLF lines
    assert text == "Hi Ada ,\nyour plan: pro; phone .\n"  # a missing value renders empty
    output = step_outputs(run_)[0]
    assert output["messageId"] == message["Message-ID"] and output["backend"] == "outbox"
    assert str(run_["id"]) in output["messageId"] and output["messageId"].endswith("@leadgen.example>")
    [sent] = await activities(admin, lead, "email_sent")
    assert sent["user_id"] == scope.user and sent["description"] == "Email sent: Welcome Ada from Engines Ltd"
    data = sent["activity_data"]
    assert data["message_id"] == output["messageId"] and data["to"] == "ada@example.org"
    assert data["subject"] == "Welcome Ada from Engines Ltd" and data["workflow_id"] == str(workflow)
    assert str(output["activityId"]) and not list(tmp_path.glob(".*.tmp"))  # written atomically: no leftovers


async def test_send_email_skips_a_lead_without_an_address_and_goes_on(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    _, lead, run_ = await run(admin, cluster.dsn(workflow_db), [EMAIL, NOTE], action_settings(outbox=tmp_path))
    assert run_["status"] == "completed" and statuses(run_) == ["skipped", "completed"]
    assert step_outputs(run_)[0] == {"reason": "the lead has no email address"}
    assert list(tmp_path.iterdir()) == [] and await activities(admin, lead, "email_sent") == []
    fixed: Step = ("send_email", {"to": "team@leadgen.example", "subject": "New lead {{email}}", "body": "-"}, 0)
    _, _, run_ = await run(admin, cluster.dsn(workflow_db), [fixed], action_settings(outbox=tmp_path))
    assert run_["status"] == "completed" and step_outputs(run_)[0]["to"] == "team@leadgen.example"
    assert step_outputs(run_)[0]["subject"] == "New lead"


async def test_send_email_through_smtp_retries_unreachable_servers_and_fails_on_5xx(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    dsn = cluster.dsn(workflow_db)
    async with smtp_server() as server:
        _, lead, run_ = await run(admin, dsn, [EMAIL], action_settings(smtp_port=server.port), email="ada@example.org")
    assert run_["status"] == "completed", run_["error"]
    [message] = server.messages
    assert server.envelopes[0][1] == ["<ada@example.org>"] and message["Subject"] == "Welcome Ada from"
    assert step_outputs(run_)[0]["backend"] == "smtp" and len(await activities(admin, lead, "email_sent")) == 1
    async with smtp_server(refuse_recipients="550 5.1.1 no such mailbox") as server:
        _, lead, run_ = await run(admin, dsn, [EMAIL], action_settings(smtp_port=server.port), email="x@example.org")
    assert run_["status"] == "failed" and "refused the recipient (550)" in run_["error"]
    assert await activities(admin, lead, "email_sent") == []
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    _, lead, run_ = await run(admin, dsn, [EMAIL], action_settings(smtp_port=port), email="y@example.org")
    assert run_["status"] == "running" and statuses(run_) == ["retrying"]
    assert "could not reach the SMTP server" in steps(run_)[0]["error"]


async def test_webhook_posts_the_signed_lead_and_event(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    hook: dict[str, Any] = {"secret": SECRET, "headers": {"Authorization": "Bearer t0ken", "X-Custom": "1"}}
    with webhook_receiver(SECRET) as receiver:
        step: Step = ("webhook", {**hook, "url": receiver.url("/ok")}, 0)
        workflow, lead, run_ = await run(
            admin, cluster.dsn(workflow_db), [step], action_settings(), email="ada@example.org", budget=10
        )
    assert run_["status"] == "completed", run_["error"]
    [got] = receiver.received
    assert got.signature_valid and got.headers["x-leadgen-event"] == "workflow.webhook"
    assert got.headers["authorization"] == "Bearer t0ken" and got.headers["x-custom"] == "1"
    body = got.json()
    assert body["event"] == "workflow.webhook" and body["workflow"]["id"] == str(workflow)
    assert body["execution"] == {"id": str(run_["id"]), "step": 0}
    assert body["trigger"]["type"] == "lead_created"
    assert body["lead"]["id"] == str(lead) and body["lead"]["email"] == "ada@example.org"
    assert body["lead"]["firstName"] == "Ada" and body["lead"]["budget"] == "10.00"
    output = step_outputs(run_)[0]
    assert output["statusCode"] == 204 and output["deliveryId"] == got.headers["x-leadgen-delivery"]
    recorded = json.dumps(run_["execution_data"])
    assert SECRET not in recorded and "t0ken" not in recorded


async def test_webhook_signed_with_an_integration_s_secret(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    with webhook_receiver(SECRET) as receiver:
        integration = await add_webhook_integration(admin, scope, receiver.url("/ok"), SECRET, active=False)
        step: Step = ("webhook", {"integration": str(integration)}, 0)  # its settings.url, its signingSecret
        _, _, run_ = await run(admin, cluster.dsn(workflow_db), [step], action_settings(), scope=scope)
        other = await personal(admin)  # an integration of another scope cannot be used
        foreign = await add_webhook_integration(admin, other, receiver.url("/ok"), SECRET, active=False)
        step = ("webhook", {"integration": str(foreign), "url": receiver.url("/ok")}, 0)
        _, _, refused = await run(admin, cluster.dsn(workflow_db), [step], action_settings(), scope=scope)
    assert run_["status"] == "completed", run_["error"]
    assert [r.signature_valid for r in receiver.received] == [True]
    assert refused["status"] == "failed" and "not visible or not of the lead's scope" in refused["error"]
    assert SECRET not in json.dumps(run_["execution_data"]) + str(refused["error"])


async def test_webhook_refuses_private_addresses_unless_allowed(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    with webhook_receiver(SECRET) as receiver:
        step: Step = ("webhook", {"url": receiver.url("/ok"), "secret": SECRET}, 0)
        _, _, run_ = await run(admin, cluster.dsn(workflow_db), [step], action_settings(allow_private=False))
    assert run_["status"] == "failed" and "resolves to a loopback address" in run_["error"]
    assert receiver.received == [] and steps(run_)[0]["attempts"] == 1  # refused: never retried


async def test_webhook_retries_5xx_and_timeouts_with_back_off_and_fails_on_4xx(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    dsn, clock = cluster.dsn(workflow_db), FakeClock()
    config = EngineConfig(max_attempts=2, retry_base_seconds=30)
    with webhook_receiver(SECRET, slow_seconds=1.0) as receiver:
        failing: Step = ("webhook", {"url": receiver.url("/fail"), "secret": SECRET}, 0)
        workflow, _, run_ = await run(admin, dsn, [failing], action_settings(), clock=clock, config=config)
        step = steps(run_)[0]
        assert run_["status"] == "running" and step["status"] == "retrying"
        assert step["error"] == "the receiver answered HTTP 500"
        assert dt.datetime.fromisoformat(step["nextAttemptAt"]) == clock.now() + dt.timedelta(seconds=30)
        clock.advance(30)
        async with worker_with(dsn, clock, action_settings(), config=config) as worker:
            await worker.run_once()
        [run_] = await executions(admin, workflow)
        assert run_["status"] == "failed" and "gave up after 2 attempts" in run_["error"]
        first, second = receiver.received
        assert first.headers["x-leadgen-delivery"] == second.headers["x-leadgen-delivery"]  # one delivery, twice
        missing: Step = ("webhook", {"url": receiver.url("/missing"), "secret": SECRET}, 0)
        _, _, run_ = await run(admin, dsn, [missing], action_settings(), config=config)
        assert run_["status"] == "failed" and run_["error"].endswith("the receiver answered HTTP 404")
        slow: Step = ("webhook", {"url": receiver.url("/slow"), "secret": SECRET}, 0)
        _, _, run_ = await run(admin, dsn, [slow], action_settings(timeout=0.3), config=config)
        assert statuses(run_) == ["retrying"] and steps(run_)[0]["error"] == "timed out after 0.3s"
