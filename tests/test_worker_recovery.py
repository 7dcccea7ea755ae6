"""Real `leadgen worker` processes killed with SIGKILL in the middle of a step: another worker takes the step over
within the configured lease (not before: while the first lived, its heartbeat kept it), and an email is sent again
with the same Message-ID when the kill interrupted it, or not at all when it had gone out."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, BinaryIO

import asyncpg
import pytest

from tests.support.databases import PgCluster
from tests.support.smtp_server import smtp_server
from tests.support.workflow_actions import SENDER, activities, step_outputs
from tests.support.workflows import (
    NOTE,
    Step,
    add_lead,
    add_workflow,
    admin,
    executions,
    notes,
    personal,
    steps,
    worker_command,
    worker_environment,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures
LEASE = 2.0  # seconds: --lease-seconds of the workers here
EMAIL: Step = ("send_email", {"subject": "Hello {{lead.firstName}}", "body": "Welcome."}, 0)


class Workers:
    """`leadgen worker` processes of one test (their logs in files: a pipe nobody reads would block them)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.processes: list[tuple[asyncio.subprocess.Process, BinaryIO]] = []

    async def start(self) -> asyncio.subprocess.Process:
        log = (self.logs / f"worker-{len(self.processes)}.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            *worker_command("--lease-seconds", str(LEASE), "--poll-interval", "0.2", "--concurrency", "2"),
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        self.processes.append((process, log))
        return process

    async def stop(self) -> None:
        for process, log in self.processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), 15)
                except TimeoutError:
                    process.kill()
                    await process.wait()
            log.close()

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.logs.glob("worker-*.log")))


@asynccontextmanager
async def workers(cluster: PgCluster, database: str, tmp_path: Path, **env: str) -> AsyncIterator[Workers]:
    group = Workers({**worker_environment(cluster, database, tmp_path), **env}, tmp_path)
    try:
        yield group
    finally:
        await group.stop()


async def until(check: Callable[[], Any], what: str, seconds: float = 60.0) -> Any:
    """Poll `check` (plain or async) until it gives something truthy; generous: the machine may be busy."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def waiting_on_a_lock(admin: asyncpg.Connection) -> bool:
    return bool(
        await admin.fetchval(
            "select count(*) from pg_stat_activity where datname = current_database()"
            " and application_name = 'leadgen-worker' and wait_event_type = 'Lock'"
        )
    )


async def finished(admin: asyncpg.Connection, workflow: uuid.UUID) -> asyncpg.Record | None:
    runs = await executions(admin, workflow)
    return runs[0] if runs and runs[0]["status"] in ("completed", "failed") else None


def kill(process: asyncio.subprocess.Process) -> dt.datetime:
    process.send_signal(signal.SIGKILL)
    return dt.datetime.now(dt.UTC)


async def test_a_killed_worker_s_step_is_taken_over_within_the_configured_lease(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[NOTE])
    lead = await add_lead(admin, scope)
    blocker = await asyncpg.connect(cluster.dsn(workflow_db))
    try:
        # the note's activity updates the lead's last_activity_at: hold the lead so the step hangs right there
        await blocker.execute("begin")
        await blocker.execute("select 1 from public.leads where id = $1 for no key update", lead)
        async with workers(cluster, workflow_db, tmp_path) as group:
            first = await group.start()
            await until(lambda: waiting_on_a_lock(admin), "the first worker to reach the step")
            await group.start()  # the rescuer, looking for due work all along
            await asyncio.sleep(2.5 * LEASE)  # longer than the lease: the first worker's heartbeat keeps the step
            [run] = await executions(admin, workflow)
            assert steps(run)[0]["status"] == "running" and steps(run)[0]["attempts"] == 1, group.log_text()
            lease_end = await admin.fetchval(
                "select locked_until from private.workflow_jobs where execution_id = $1", run["id"]
            )
            killed_at = kill(first)
            await first.wait()
            await blocker.execute("rollback")
            run = await until(lambda: finished(admin, workflow), "the rescuer to finish the step")
            log = group.log_text()
    finally:
        await blocker.close()
    assert run["status"] == "completed", log
    step = steps(run)[0]
    started = dt.datetime.fromisoformat(step["startedAt"])
    assert step["attempts"] == 2
    assert started >= lease_end  # not before the dead worker's lease ran out ...
    # ... but once it had: within the lease and a poll, however busy the machine (it used to take 120 s)
    assert (started - killed_at).total_seconds() < LEASE + 20, (killed_at, lease_end, started)
    assert await notes(admin, lead) == ["Hello Ada"]


@pytest.mark.parametrize("interrupted", [True, False], ids=["killed-while-sending", "killed-after-sending"])
async def test_an_email_after_a_killed_worker_keeps_its_message_id_and_goes_out_again_only_if_unsure(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path, interrupted: bool
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[EMAIL])
    lead = await add_lead(admin, scope, email="ada@example.org")
    blocker = await asyncpg.connect(cluster.dsn(workflow_db))
    try:
        async with smtp_server(stall=1 if interrupted else 0) as smtp:
            env = {"LEADGEN_SMTP_URL": f"smtp+insecure://127.0.0.1:{smtp.port}", "LEADGEN_EMAIL_FROM": SENDER}
            if not interrupted:  # the email goes out; the `email_sent` activity then waits for the lead
                await blocker.execute("begin")
                await blocker.execute("select 1 from public.leads where id = $1 for no key update", lead)
            async with workers(cluster, workflow_db, tmp_path, **env) as group:
                first = await group.start()
                if interrupted:  # the server has the message; the worker never hears back
                    await until(smtp.stalled.is_set, "the message to reach the server")
                else:
                    await until(lambda: smtp.messages, "the message to go out")
                    await until(lambda: waiting_on_a_lock(admin), "the step to wait for the lead")
                kill(first)
                await first.wait()
                if not interrupted:
                    await blocker.execute("rollback")
                await group.start()
                run = await until(lambda: finished(admin, workflow), "the rescuer to finish the step")
                log = group.log_text()
    finally:
        await blocker.close()
    assert run["status"] == "completed", log
    sent = [m for m in smtp.messages if m["To"] == "ada@example.org"]
    key = str(sent[0]["Message-ID"])
    assert [str(m["Message-ID"]) for m in sent] == [key] * (2 if interrupted else 1)
    [output] = step_outputs(run)
    assert output["messageId"] == key and steps(run)[0]["attempts"] == 2
    idempotency = output["idempotency"]
    assert idempotency["key"] == key and idempotency["alreadyAttempted"] is True
    assert idempotency["resent"] is interrupted and idempotency["duplicateAvoided"] is not interrupted
    assert idempotency["previousOutcome"] == (
        "unknown: the attempt was interrupted (it may have gone out)" if interrupted else "sent"
    )
    assert len(await activities(admin, lead, "email_sent")) == 1
