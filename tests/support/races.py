"""Two API requests made to meet on a row lock: the second waits on the first's lock, then re-reads the row."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Sequence
from typing import Any

import asyncpg

from tests.support.api import ApiClient, GraphQLResponse
from tests.support.http_app import admin_connection
from tests.support.waiting import wait_until

WAITING_API_BACKENDS = """
select pid, pg_blocking_pids(pid) as blockers from pg_stat_activity
where datname = current_database() and application_name = 'leadgen-graphql' and wait_event_type = 'Lock'
order by pid
"""


async def _waiters(watcher: asyncpg.Connection, count: int) -> list[asyncpg.Record]:
    """The API backends waiting on a lock, once there are `count` of them."""

    async def waiting() -> list[asyncpg.Record]:
        rows = list(await watcher.fetch(WAITING_API_BACKENDS))
        return rows if len(rows) == count else []

    return await wait_until(waiting, 10, f"{count} API statements waiting on a lock")


async def one_after_the_other(
    api: ApiClient,
    lock_sql: str,
    lock_args: Sequence[Any],
    first: Coroutine[Any, Any, GraphQLResponse],
    second: Coroutine[Any, Any, GraphQLResponse],
) -> tuple[GraphQLResponse, GraphQLResponse]:
    """Run `first` and `second` so that both statements start before either commits, and the second waits on the
    first's row lock: a superuser transaction holds the rows `lock_sql` locks (FOR UPDATE) until `first` waits on
    it and `second` waits on `first`; then it lets go without changing anything. So `second` meets the rows as
    `first` left them, after its statement snapshot was taken: the race of two clients sending the same write."""
    async with admin_connection(api) as gate, admin_connection(api) as watcher:
        transaction = gate.transaction()
        await transaction.start()
        tasks: list[asyncio.Task[GraphQLResponse]] = []
        try:
            assert await gate.fetch(lock_sql, *lock_args), "the gate locked no row"
            tasks.append(asyncio.create_task(first))
            [waiting] = await _waiters(watcher, 1)
            tasks.append(asyncio.create_task(second))
            both = await _waiters(watcher, 2)
            [later] = [row for row in both if row["pid"] != waiting["pid"]]
            assert waiting["pid"] in later["blockers"], "the second request does not wait on the first one's lock"
        finally:
            await transaction.rollback()
            for unstarted in (first, second)[len(tasks) :]:
                unstarted.close()
            responses = await asyncio.gather(*tasks)
    return responses[0], responses[1]
