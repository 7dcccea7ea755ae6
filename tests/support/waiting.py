"""Waiting in tests for what another task, process or connection does: check until true, or fail saying what."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar, overload

import asyncpg

T = TypeVar("T")


@overload
async def wait_until(
    condition: Callable[[], Awaitable[T]],
    seconds: float = ...,
    describe: Callable[[], str] | str = ...,
    *,
    interval: float = ...,
) -> T: ...


@overload
async def wait_until(
    condition: Callable[[], T],
    seconds: float = ...,
    describe: Callable[[], str] | str = ...,
    *,
    interval: float = ...,
) -> T: ...


async def wait_until(
    condition: Callable[[], Any],
    seconds: float = 15.0,
    describe: Callable[[], str] | str = "the condition",
    *,
    interval: float = 0.02,
) -> Any:
    """The first truthy value of `condition` (a function or a coroutine function), checked every `interval` seconds.

    Fails with an AssertionError naming what was awaited after `seconds`; the limits are generous because the
    machine may be busy, and a condition that holds at once costs no sleep."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while True:
        value = condition()
        result = await value if inspect.isawaitable(value) else value
        if result:
            return result
        if loop.time() > end:
            said = describe if isinstance(describe, str) else describe()
            raise AssertionError(f"still waiting after {seconds} s for {said}")
        await asyncio.sleep(interval)


LOCK_WAIT = "select wait_event_type = 'Lock' from pg_stat_activity where pid = $1"


async def wait_until_blocked(watcher: asyncpg.Connection, pid: int, what: str = "the backend") -> None:
    """Until the backend `pid` waits on a lock (seen from another connection, `watcher`)."""

    async def blocked() -> bool:
        return bool(await watcher.fetchval(LOCK_WAIT, pid))

    await wait_until(blocked, 15, f"{what} to wait on a lock")
