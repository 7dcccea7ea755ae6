"""Real `leadgen serve` and `leadgen worker` processes: started before their database, stopped with SIGTERM while
an operation is in flight, and the embedded PostgreSQL of `leadgen serve` stopped with them."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import psutil

from server.dev_keys import DEV_ISSUER, DevSigningKey
from tests.support.api import ALICE, EMAILS, SPACE
from tests.support.own_postgres import OwnPostgres, own_postgres
from tests.support.server_process import (
    LeadgenProcess,
    leadgen_environment,
    pool_misuse,
    start_leadgen,
    start_server,
)
from tests.support.waiting import wait_until

DEMO_SPACE_ID = "U3BhY2U6MDAwMDAwMDAtMDAwMC00MDAwLWIwMDAtMDAwMDAwMDAwMDAx"  # the global id of SPACE
assert SPACE.endswith("b000-000000000001")
READ = "{ leads(first: 3, orderBy: CREATED_AT_ASC) { nodes { id firstName } } }"
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id email } }"
API_BACKENDS = "select count(*) from pg_stat_activity where application_name = 'leadgen-graphql' and state <> 'idle'"
WAITING_API_BACKENDS = API_BACKENDS + " and wait_event_type = 'Lock'"


def alice_token(data_dir: Path) -> str:
    """A token for the demo user, signed with the development key the server created in its data folder."""
    key = DevSigningKey.load_or_create(data_dir)
    return key.mint(ALICE, email=EMAILS[ALICE], app_metadata={"provider": "email"}, issuer=DEV_ISSUER)


@contextlib.asynccontextmanager
async def stopped_at_the_end(*processes: LeadgenProcess) -> AsyncIterator[None]:
    try:
        yield
    finally:
        for process in processes:
            await process.kill()


async def test_the_server_and_the_worker_wait_for_a_database_that_starts_later(tmp_path: Path) -> None:
    async with own_postgres(running=False) as pg:
        database_url = pg.dsn(password="startup-secret")  # trust authentication: the password is not needed
        env = leadgen_environment(tmp_path / "data", DATABASE_URL=database_url, LEADGEN_DB_STARTUP_TIMEOUT="120")
        server = await start_server(env, tmp_path / "server.log")
        async with stopped_at_the_end(server):
            await server.wait_for_status("/healthz", 200)  # the HTTP server is up without its database
            assert await server.status("/readyz") == 503
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                response = await http.post("/graphql", json={"query": "{ __typename }"})
            assert response.status_code == 503, response.text
            assert response.headers["retry-after"]
            [error] = response.json()["errors"]
            assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
            # the log says which database (without its password) and which setting
            await server.wait_for_log(f"postgresql://postgres@/postgres?host={pg.socket_dir}")
            await server.wait_for_log("DATABASE_URL")

            await pg.start()
            await server.wait_for_status("/readyz", 200)
            async with httpx.AsyncClient(base_url=server.base_url) as http:
                response = await http.post("/graphql", json={"query": "{ __typename }"})
            assert response.status_code == 200 and response.json() == {"data": {"__typename": "Query"}}

            # the worker likewise (on the database the server migrated)
            await pg.stop()
            worker = await start_leadgen(env, tmp_path / "worker.log", "worker", "--once")
            async with stopped_at_the_end(worker):
                await worker.wait_for_log(f"postgresql://leadgen_worker@/postgres?host={pg.socket_dir}")
                assert worker.process.returncode is None
                await pg.start()
                assert await worker.exit_code() == 0, worker.log()
            assert "worker: RunSummary" in worker.log()
            await server.wait_for_status("/readyz", 200)  # the server found its database again by itself
            server.signal()
            assert await server.exit_code() == 0
        for log in (server.log(), worker.log()):
            assert "startup-secret" not in log
            assert pool_misuse(log) == []


async def test_a_database_that_never_comes_gives_up_after_the_startup_timeout(tmp_path: Path) -> None:
    async with own_postgres(running=False) as pg:
        env = leadgen_environment(tmp_path / "data", DATABASE_URL=pg.dsn(), LEADGEN_DB_STARTUP_TIMEOUT="1")
        server = await start_server(env, tmp_path / "server.log")
        worker = await start_leadgen(env, tmp_path / "worker.log", "worker")
        async with stopped_at_the_end(server, worker):
            assert await server.exit_code() == 1
            assert await worker.exit_code() == 1
    for process in (server, worker):
        last = process.log().strip().splitlines()[-1]
        assert last.startswith("leadgen: ") and "LEADGEN_DB_STARTUP_TIMEOUT" in last, process.log()
        assert f"host={pg.socket_dir}" in last and "DATABASE_URL" in last


async def _running_demo_server(pg: OwnPostgres, tmp_path: Path, **variables: str) -> LeadgenProcess:
    env = leadgen_environment(tmp_path / "data", DATABASE_URL=pg.dsn(), **variables)
    server = await start_server(env, tmp_path / "server.log", "--demo")
    await server.wait_for_status("/readyz", 200)
    return server


async def _count(conn: asyncpg.Connection, sql: str) -> int:
    return int(await conn.fetchval(sql))


async def test_sigterm_with_operations_in_flight_ends_them_within_the_shutdown_timeout(tmp_path: Path) -> None:
    async with own_postgres() as pg:
        server = await _running_demo_server(pg, tmp_path, LEADGEN_SHUTDOWN_TIMEOUT="1", LEADGEN_OPERATION_TIMEOUT="600")
        async with stopped_at_the_end(server):
            headers = {"authorization": f"Bearer {alice_token(tmp_path / 'data')}"}
            locker, observer = await asyncpg.connect(pg.dsn()), await asyncpg.connect(pg.dsn())
            try:
                # reads and writes of leads wait for this lock (up to the API role's lock_timeout of 8 s)
                async with locker.transaction():
                    await locker.execute("lock table public.leads in access exclusive mode")
                    async with httpx.AsyncClient(base_url=server.base_url, headers=headers, timeout=120) as http:
                        lead = {"space": DEMO_SPACE_ID, "firstName": "Late", "email": "late@example.org"}
                        in_flight = [
                            asyncio.create_task(http.post("/graphql", json={"query": READ})),
                            asyncio.create_task(
                                http.post("/graphql", json={"query": CREATE_LEAD, "variables": {"input": lead}})
                            ),
                        ]

                        async def both_waiting() -> bool:
                            return await _count(observer, WAITING_API_BACKENDS) == 2

                        await wait_until(both_waiting, 30, lambda: f"{in_flight}\n{server.log()}")
                        server.signal(signal.SIGTERM)
                        assert await server.exit_code(60) == 0
                        read, write = [await task for task in in_flight]
                    # stopped at the shutdown timeout (not finished late by the lock timeout: 504) and told so
                    assert read.status_code == write.status_code == 503, (read.text, write.text)
                    assert read.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
                    assert read.headers["retry-after"]
                    # a mutation stopped in its last moment might have committed: the client must check first
                    assert write.json()["errors"][0]["extensions"] == {"code": "UNAVAILABLE", "retryable": False}
                    assert await _count(observer, API_BACKENDS) == 0  # their statements were cancelled
                written = await observer.fetchval("select count(*) from public.leads where email = 'late@example.org'")
                assert written == 0  # the write in flight was rolled back
            finally:
                await locker.close()
                await observer.close()
        log = server.log()
        assert "graceful shutdown" in log
        assert pool_misuse(log) == []


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def test_sigterm_stops_the_embedded_postgres_of_leadgen_serve(tmp_path: Path) -> None:
    data = tmp_path / "data"
    server = await start_server(leadgen_environment(data), tmp_path / "server.log", "--demo")
    postmaster: psutil.Process | None = None
    try:
        await server.wait_for_status("/readyz", 200)
        postmaster = psutil.Process(int((data / "pgdata" / "postmaster.pid").read_text().splitlines()[0]))
        server.signal(signal.SIGTERM)
        assert await server.exit_code() == 0, server.log()
        assert not _alive(postmaster)
        assert not (data / "pgdata" / "postmaster.pid").exists()
    finally:
        await server.kill()
        if postmaster is not None and _alive(postmaster):  # orphaned: do not leave it behind
            postmaster.terminate()
            postmaster.wait(10)
