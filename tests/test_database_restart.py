"""A PostgreSQL restart under load, through a real `leadgen serve` process: clients on keep-alive connections get
only JSON answers with a known code (data, or UNAVAILABLE), never a plain 500 nor a broken connection, and every
write acknowledged with data is in the database afterwards."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from tests.support.own_postgres import own_postgres
from tests.support.server_process import leadgen_environment, pool_misuse, start_server
from tests.support.waiting import wait_until
from tests.test_startup_shutdown import DEMO_SPACE_ID, alice_token

CLIENTS = 4
JSON_TYPES = ("application/json", "application/graphql-response+json")
# authenticated reads take the compiled path (one statement); writes take the general path
READ = "{ leads(first: 5, orderBy: CREATED_AT_DESC) { totalCount nodes { id firstName company { name } } } }"
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id email } }"


@dataclass(frozen=True)
class Answer:
    kind: str  # "read" | "write"
    client: int
    status: int | None  # None: a transport error
    content_type: str = ""
    body: Any = None
    retry_after: str | None = None
    email: str | None = None
    error: str = ""

    @property
    def codes(self) -> list[str]:
        errors = self.body.get("errors") or [] if isinstance(self.body, dict) else []
        return [e.get("extensions", {}).get("code", "") for e in errors]

    @property
    def ok(self) -> bool:
        return self.status == 200 and isinstance(self.body, dict) and not self.codes and bool(self.body.get("data"))


async def _ask(http: httpx.AsyncClient, client: int, kind: str, payload: dict[str, Any], email: str | None) -> Answer:
    try:
        response = await http.post("/graphql", json=payload)
    except httpx.TransportError as exc:
        return Answer(kind, client, None, email=email, error=repr(exc))
    try:
        body = response.json()
    except json.JSONDecodeError:
        body = response.text
    content_type = response.headers.get("content-type", "")
    return Answer(kind, client, response.status_code, content_type, body, response.headers.get("retry-after"), email)


async def _client(base_url: str, token: str, client: int, stop: asyncio.Event, answers: list[Answer]) -> None:
    """One keep-alive connection: a read, then a write, again and again until `stop`."""
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    headers = {"authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=30) as http:
        n = 0
        while not stop.is_set():
            n += 1
            answers.append(await _ask(http, client, "read", {"query": READ}, None))
            email = f"load-{client}-{n}@example.org"
            variables = {"input": {"space": DEMO_SPACE_ID, "firstName": f"Load {n}", "email": email}}
            answers.append(await _ask(http, client, "write", {"query": CREATE_LEAD, "variables": variables}, email))


def _problems(answers: list[Answer]) -> list[Answer]:
    """Answers other than data, or UNAVAILABLE as JSON with HTTP 503 (retryable, with Retry-After, unless a
    commit's outcome is unknown)."""
    wrong = []
    for a in answers:
        if a.ok and a.content_type.startswith(JSON_TYPES):
            continue
        unavailable = (
            a.status == 503
            and a.content_type.startswith(JSON_TYPES)
            and a.codes == ["UNAVAILABLE"]
            and isinstance(a.body, dict)
        )
        if unavailable:
            [error] = a.body["errors"]
            if error["extensions"]["retryable"] is True and a.retry_after:
                continue
            if error["extensions"]["retryable"] is False and a.kind == "write":  # lost while committing
                continue
        wrong.append(a)
    return wrong


async def _load_until(answers: list[Answer], count: int) -> None:
    """Until `count` more answers with data have come (the load goes on meanwhile)."""
    start = len(answers)

    async def enough() -> bool:
        return sum(a.ok for a in answers[start:]) >= count

    await wait_until(enough, 60, lambda: f"{answers[start:][-5:]}")


async def test_a_postgres_restart_under_load_answers_only_json_and_loses_no_acknowledged_write(
    tmp_path: Path,
) -> None:
    async with own_postgres() as pg:
        env = leadgen_environment(tmp_path / "data", DATABASE_URL=pg.dsn(), LEADGEN_POOL_MAX="4")
        server = await start_server(env, tmp_path / "server.log", "--demo")
        try:
            await server.wait_for_status("/readyz", 200)
            token = alice_token(tmp_path / "data")
            answers: list[Answer] = []
            stop = asyncio.Event()
            clients = [asyncio.create_task(_client(server.base_url, token, n, stop, answers)) for n in range(CLIENTS)]
            try:
                await _load_until(answers, 4 * CLIENTS)
                restarted_at = len(answers)
                # down for a second (new connections are refused), then at once (pg_ctl restart)
                for down_seconds in (1.0, 0.0):
                    await pg.restart(down_seconds)
                    await _load_until(answers, 4 * CLIENTS)  # and the load goes on after the restart
            finally:
                stop.set()
                await asyncio.gather(*clients)
            log = server.log()
            assert await server.status("/readyz") == 200
        finally:
            server.signal()
            await server.exit_code()

        assert _problems(answers) == [], log
        during = answers[restarted_at:]
        assert any(a.codes == ["UNAVAILABLE"] for a in during), "the restart went unnoticed: the test proves nothing"
        assert sum(a.ok for a in during) >= 4 * CLIENTS
        acknowledged = {a.email for a in answers if a.kind == "write" and a.ok}
        conn = await asyncpg.connect(pg.dsn())
        try:
            stored = {r["email"] for r in await conn.fetch("select email from public.leads where email like 'load-%'")}
        finally:
            await conn.close()
        assert acknowledged - stored == set()
        assert pool_misuse(log) == []
