"""The workflow engine's hardening, against a real database and a controllable clock: a workflow starts only on
events that happen while it is active; every action speaks one template language; workflow emails keep odd line
separators of lead names out of their headers; definitions written past the API (Studio, as the superuser) are
refused by the worker with a clear error recorded on the execution; the migrations move existing step secrets and
bad integration URLs out."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import shutil
import uuid
from pathlib import Path

import asyncpg
import pytest

from db.migrations import SUPABASE_DIR, discover_migrations, migrate
from domain.workflows.actions.registry import default_registry
from domain.workflows.clock import FakeClock
from tests.support.databases import PgCluster
from tests.support.workflow_actions import action_settings, worker_with
from tests.support.workflows import (
    add_lead,
    add_workflow,
    admin,
    executions,
    notes,
    personal,
    statuses,
    steps,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures
TEMPLATE = "Call {{lead.firstName}} at {{lead.company.name}} ({{customFields.plan}}; {{first_name}} {{lastName}})"


async def run_worker(cluster: PgCluster, workflow_db: str, clock: FakeClock, outbox: Path | None = None) -> None:
    async with worker_with(cluster.dsn(workflow_db), clock, action_settings(outbox=outbox)) as worker:
        await worker.run_once()


async def switch(admin: asyncpg.Connection, workflow: uuid.UUID, active: bool) -> None:
    await admin.execute("update public.lead_workflows set is_active = $2 where id = $1", workflow, active)


async def test_a_workflow_starts_only_on_events_from_while_it_is_active(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    clock = FakeClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    listening = await add_workflow(admin, scope, "lead_created", steps=[("add_note", {"note": "A"}, 0)])
    late = await add_workflow(admin, scope, "lead_created", steps=[("add_note", {"note": "B"}, 0)], active=False)
    before = await add_lead(admin, scope)  # queued: the first workflow listens to lead_created
    await switch(admin, late, True)  # switched on after the lead was created ("02:20" after "02:19")
    assert await admin.fetchval("select active_since from public.lead_workflows where id = $1", late) is not None
    clock.advance(minutes=1)
    await run_worker(cluster, workflow_db, clock)
    assert await notes(admin, before) == ["A"]
    after = await add_lead(admin, scope)
    clock.advance(minutes=1)
    await run_worker(cluster, workflow_db, clock)
    await switch(admin, late, False)
    while_off = await add_lead(admin, scope)  # queued again for the first workflow
    await switch(admin, late, True)
    clock.advance(minutes=1)
    await run_worker(cluster, workflow_db, clock)
    assert sorted(await notes(admin, after)) == ["A", "B"]
    assert await notes(admin, while_off) == ["A"]
    assert {e["lead_id"] for e in await executions(admin, late)} == {after}
    assert {e["lead_id"] for e in await executions(admin, listening)} == {before, after, while_off}
    await switch(admin, listening, False)
    await switch(admin, late, False)
    assert await admin.fetchval("select active_since from public.lead_workflows where id = $1", late) is None


def test_add_note_accepts_the_variables_send_email_accepts() -> None:
    registry = default_registry()
    assert registry.problems("add_note", {"note": TEMPLATE}) == []
    assert registry.problems("send_email", {"subject": TEMPLATE, "body": TEMPLATE}) == []
    for action, key in (("add_note", "note"), ("send_email", "subject")):
        config = (
            {"note": "{{lead.shoeSize}}"} if action == "add_note" else {"subject": "{{lead.company.ceo}}", "body": "x"}
        )
        assert [field for field, _ in registry.problems(action, config)] == [key]


async def test_add_note_renders_lead_company_and_custom_field_variables(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    company = await admin.fetchval(
        "insert into public.companies (user_id, name) values ($1, 'Engines Ltd') returning id", scope.user
    )
    workflow = await add_workflow(admin, scope, "lead_created", steps=[("add_note", {"note": TEMPLATE}, 0)])
    lead = await add_lead(admin, scope, company_id=company, last_name="Lovelace", custom_fields={"plan": "pro"})
    bare = await add_lead(admin, scope)  # no company, no custom field: rendered empty
    await run_worker(cluster, workflow_db, FakeClock())
    await switch(admin, workflow, False)
    assert await notes(admin, lead) == ["Call Ada at Engines Ltd (pro; Ada Lovelace)"]
    assert await notes(admin, bare) == ["Call Ada at  (; Ada )"]


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\u0085", "\u001c", "\r\n", "\x0b"])
async def test_workflow_emails_keep_line_separators_of_lead_names_out_of_headers(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path, separator: str
) -> None:
    scope = await personal(admin)
    step = ("send_email", {"subject": "Welcome {{lead.firstName}}", "body": "Hi {{lead.firstName}}"}, 0)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[step])
    name = f"Ada{separator}Bcc: victim@example.com"
    await add_lead(admin, scope, first_name=name, email="ada@example.org")
    await run_worker(cluster, workflow_db, FakeClock(), outbox=tmp_path)
    await switch(admin, workflow, False)
    [run] = await executions(admin, workflow)
    assert run["status"] == "completed", run["error"]
    assert steps(run)[0]["attempts"] == 1
    [file] = list(tmp_path.glob("*.eml"))
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Welcome Ada Bcc: victim@example.com" and message["Bcc"] is None
    assert message["To"] == "ada@example.org"


async def test_an_action_config_written_in_studio_fails_its_execution_with_a_clear_error(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    scope = await personal(admin)
    bad = ("send_email", {"to": 42, "subject": "Hi", "body": "{{lead.shoeSize}}"}, 0)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[bad, ("add_note", {"note": "after"}, 0)])
    lead = await add_lead(admin, scope, email="ada@example.org")
    await run_worker(cluster, workflow_db, FakeClock(), outbox=tmp_path)
    await switch(admin, workflow, False)
    [run] = await executions(admin, workflow)
    assert run["status"] == "failed" and statuses(run) == ["failed", "pending"]
    assert steps(run)[0]["attempts"] == 1  # refused at once, not retried
    assert run["error"].startswith("step 1 (send_email): invalid actionConfig (to: ")
    assert "body: unknown variable {{lead.shoeSize}}" in run["error"]
    assert await notes(admin, lead) == [] and list(tmp_path.glob("*.eml")) == []


async def test_trigger_conditions_written_in_studio_record_a_failed_execution_saying_why(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str
) -> None:
    scope = await personal(admin)
    broken = await add_workflow(admin, scope, "lead_created", {"status": 42, "formId": "nope"})
    legacy = await add_workflow(admin, scope, "lead_created", {"shoe": 1})  # unknown keys are ignored, as before
    lead = await add_lead(admin, scope)
    await run_worker(cluster, workflow_db, FakeClock())
    await switch(admin, broken, False)
    await switch(admin, legacy, False)
    [refused] = await executions(admin, broken)
    assert refused["lead_id"] == lead and refused["status"] == "failed" and steps(refused) == []
    assert refused["error"].startswith("not started: the lead_created trigger's conditions are invalid (status: ")
    assert "formId: " in refused["error"] and "updateWorkflowTrigger" in refused["error"]
    assert refused["execution_data"]["event"]["type"] == "lead_created"
    [ran] = await executions(admin, legacy)
    assert ran["status"] == "completed" and await notes(admin, lead) == ["Hello Ada"]


async def test_the_migrations_move_existing_step_secrets_and_bad_integration_urls_out(
    cluster: PgCluster, tmp_path: Path
) -> None:
    """Rows from before: a webhook step with its secret and headers in action_config, an integration with a file://
    URL and an active workflow. After the migrations the secrets are write-only entries (plain until a worker seals
    them), the URL is gone and its integration switched off, and the workflow is active since its creation."""
    supabase = tmp_path / "supabase"
    shutil.copytree(SUPABASE_DIR / "local", supabase / "local")
    shutil.copy(SUPABASE_DIR / "roles.sql", supabase / "roles.sql")
    (supabase / "migrations").mkdir()
    for migration in discover_migrations():
        if migration.version < "20261206130000":
            shutil.copy(migration.path, supabase / "migrations" / migration.path.name)
    name = f"leadgen_before_{uuid.uuid4().hex[:8]}"
    server = await asyncpg.connect(cluster.admin_dsn)
    await server.execute(f'create database "{name}"')
    await server.close()
    try:
        conn = await asyncpg.connect(cluster.dsn(name))
        try:
            await migrate(conn, supabase)
            await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
            scope = await personal(conn)
            hook = {"url": "https://hooks.example.com/x", "secret": "s" * 20, "headers": {"Authorization": "Bearer t"}}
            workflow = await add_workflow(conn, scope, "lead_created", steps=[("webhook", hook, 0)])
            integration = await conn.fetchval(
                "insert into public.lead_integrations (user_id, integration_type, integration_name, is_active,"
                """ settings) values ($1, 'webhook', 'Old', true, '{"url": "file:///etc/passwd", "portal": "p"}')"""
                " returning id",
                scope.user,
            )
            await migrate(conn)  # the rest, this branch's included
            step = await conn.fetchrow(
                "select action_config, secrets, secrets_hint from public.lead_workflow_actions where workflow_id = $1",
                workflow,
            )
            assert step is not None and step["action_config"] == {"url": "https://hooks.example.com/x"}
            assert step["secrets"] == {"secret": {"plain": "s" * 20}, "headers": {"plain": hook["headers"]}}
            assert step["secrets_hint"] == {"secret": "••••ssss", "headers": {"Authorization": "••••"}}
            row = await conn.fetchrow(
                "select settings, is_active, sync_status, sync_error from public.lead_integrations where id = $1",
                integration,
            )
            assert row is not None and row["settings"] == {"portal": "p"} and not row["is_active"]
            assert row["sync_status"] == "error" and "url was not an http(s) URL" in row["sync_error"]
            since = await conn.fetchval(
                "select active_since = created_at from public.lead_workflows where id = $1", workflow
            )
            assert since is True
        finally:
            await conn.close()
    finally:
        await cluster.drop(name)
