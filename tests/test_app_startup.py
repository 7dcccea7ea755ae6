"""The app while its services open in the background (the database not reachable yet) and after that failed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
from starlette.applications import Starlette

from server.app import Services, create_app
from server.db_wait import DatabaseStartupError
from tests.support.waiting import wait_until

SECRET_ADDRESS = "postgresql://leadgen_api@db.internal:5432/leadgen"


@contextlib.asynccontextmanager
async def never_ready(opened: asyncio.Event, cancelled: asyncio.Event) -> AsyncIterator[Services]:
    opened.set()
    try:
        await asyncio.Event().wait()  # the database never answers
    except asyncio.CancelledError:
        cancelled.set()
        raise
    raise AssertionError("unreachable")
    yield


@contextlib.asynccontextmanager
async def failing() -> AsyncIterator[Services]:
    raise DatabaseStartupError(f"the database {SECRET_ADDRESS} could not be reached within 1 s")
    yield


async def _answers(app: Starlette) -> dict[str, httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return {
            "healthz": await http.get("/healthz"),
            "readyz": await http.get("/readyz"),
            "graphql": await http.post("/graphql", json={"query": "{ __typename }"}),
        }


def _assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["retry-after"]
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "UNAVAILABLE", "retryable": True}
    assert "db.internal" not in response.text  # where the database is stays in the server's log


async def test_while_the_database_is_not_reachable_yet_only_health_answers_200() -> None:
    opened, cancelled = asyncio.Event(), asyncio.Event()
    app = create_app(startup=never_ready(opened, cancelled))
    # the lifespan does not wait for the services (a start-up that did would never get past this line)
    async with asyncio.timeout(30), app.router.lifespan_context(app):
        await asyncio.wait_for(opened.wait(), 5)
        answers = await _answers(app)
    assert answers["healthz"].status_code == 200
    assert answers["readyz"].status_code == 503 and answers["readyz"].json()["status"] == "unavailable"
    _assert_unavailable(answers["graphql"])
    assert cancelled.is_set()  # stopping the app stopped the wait


async def test_after_the_start_up_failed_health_says_so_and_the_owner_is_told() -> None:
    failures: list[Exception] = []
    app = create_app(startup=failing(), on_startup_failure=failures.append)
    async with app.router.lifespan_context(app):
        await wait_until(lambda: failures, 5, "the start-up failure to be reported")
        answers = await _answers(app)
    assert [type(f) for f in failures] == [DatabaseStartupError]
    assert answers["healthz"].status_code == 503 and answers["healthz"].json()["status"] == "failed"
    assert answers["readyz"].status_code == 503
    _assert_unavailable(answers["graphql"])
    assert all("db.internal" not in a.text for a in answers.values())
