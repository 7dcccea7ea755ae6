"""Real `leadgen worker` processes: two racing over the same events run everything exactly once, and one killed
(SIGKILL) in the middle of a step loses nothing: after its lease another worker runs the step, once."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
from pathlib import Path

import asyncpg

from domain.workflows.clock import FakeClock
from tests.support.databases import PgCluster
from tests.support.workflows import (
    NOTE,
    add_lead,
    add_workflow,
    admin,
    executions,
    notes,
    personal,
    running_worker,
    steps,
    worker_command,
    worker_environment,
    workflow_db,
)

__all__ = ["admin", "workflow_db"]  # fixtures


async def _wait(process: asyncio.subprocess.Process, seconds: float = 60) -> str:
    _, stderr = await asyncio.wait_for(process.communicate(), seconds)
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_two_worker_processes_racing_run_each_step_exactly_once(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[NOTE, NOTE])
    await admin.execute(
        "insert into public.leads (user_id, first_name) select $1, 'P' || n from generate_series(1, 20) n", scope.user
    )
    env = worker_environment(cluster, workflow_db, tmp_path)
    processes = [
        await asyncio.create_subprocess_exec(
            *worker_command("--once", "--concurrency", "3"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    logs = await asyncio.gather(*(_wait(p) for p in processes))
    assert all("worker: RunSummary" in log for log in logs)
    runs = await executions(admin, workflow)
    assert len(runs) == 20 and {r["status"] for r in runs} == {"completed"}
    assert all(s["attempts"] == 1 for r in runs for s in steps(r))
    per_lead = await admin.fetch(
        "select count(*) as n from public.lead_activities a join public.leads l on l.id = a.lead_id"
        " where l.user_id = $1 group by a.lead_id",
        scope.user,
    )
    assert [r["n"] for r in per_lead] == [2] * 20


async def test_a_worker_process_killed_mid_step_loses_nothing(
    admin: asyncpg.Connection, cluster: PgCluster, workflow_db: str, tmp_path: Path
) -> None:
    scope = await personal(admin)
    workflow = await add_workflow(admin, scope, "lead_created", steps=[NOTE])
    lead = await add_lead(admin, scope)
    blocker = await asyncpg.connect(cluster.dsn(workflow_db))
    process = None
    try:
        # the note's activity updates the lead's last_activity_at: hold the lead so the step hangs right there
        await blocker.execute("begin")
        await blocker.execute("select 1 from public.leads where id = $1 for no key update", lead)
        process = await asyncio.create_subprocess_exec(
            *worker_command("--poll-interval", "0.2"),
            env=worker_environment(cluster, workflow_db, tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(400):
            waiting = await admin.fetchval(
                "select count(*) from pg_stat_activity where datname = current_database()"
                " and application_name = 'leadgen-worker' and wait_event_type = 'Lock'"
            )
            if waiting:
                break
            await asyncio.sleep(0.05)
        assert waiting, "the worker never reached the step"
        [run] = await executions(admin, workflow)
        assert steps(run)[0]["status"] == "running"
        process.send_signal(signal.SIGKILL)
        await process.wait()
    finally:
        await blocker.execute("rollback")
        await blocker.close()
        if process is not None and process.returncode is None:
            process.kill()
            await process.wait()
    # another worker, once the lease (30 s by default; test_worker_recovery.py: within a configured one) has run out
    clock = FakeClock(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=31))
    async with running_worker(cluster.dsn(workflow_db), clock) as rescuer:
        await rescuer.run_once()
    [run] = await executions(admin, workflow)
    assert run["status"] == "completed" and steps(run)[0]["attempts"] == 2
    assert await notes(admin, lead) == ["Hello Ada"]
