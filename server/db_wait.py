"""Reach the database at start-up: retry with back-off for a bounded time, saying which URL and which setting.

A server or worker started together with its database (a compose file, a rolling restart, a laptop waking up)
must not exit because the database is not up yet; nor wait for ever when the address is wrong. Only failures
that later attempts can cure are retried (refused, reset, "the database system is starting up", too many
connections); a wrong password or a missing database fails at once, naming the URL and its setting too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from db.failures import is_unavailable
from db.pool import UnsafeLoginRoleError
from server.database_target import DatabaseAddress

log = logging.getLogger("leadgen.startup")
T = TypeVar("T")

SETTING = "LEADGEN_DB_STARTUP_TIMEOUT"
FIRST_DELAY = 0.25  # seconds before the second attempt; doubled after each failure
MAX_DELAY = 5.0


# what the database (or its address) answered that no retry cures: a wrong password, no such database or role
REFUSALS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, UnsafeLoginRoleError)


class DatabaseStartupError(RuntimeError):
    """The database could not be used at start-up; the message names its URL (without password) and setting."""


def _retryable(exc: BaseException) -> bool:
    return is_unavailable(exc) or isinstance(exc, TimeoutError)


def _reason(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


async def wait_for_database(connect: Callable[[], Awaitable[T]], address: DatabaseAddress, seconds: float) -> T:
    """`connect()`'s result, retried while the database at `address` cannot be reached, for `seconds`."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    delay = FIRST_DELAY
    attempts = 0
    while True:
        attempts += 1
        try:
            async with asyncio.timeout(max(0.0, end - loop.time())):
                result = await connect()
        except Exception as exc:
            if not _retryable(exc):
                if isinstance(exc, REFUSALS):
                    raise DatabaseStartupError(f"cannot use the database {address.describe()}: {_reason(exc)}") from exc
                raise
            left = end - loop.time()
            if left <= 0:
                raise DatabaseStartupError(
                    f"the database {address.describe()} could not be reached within {seconds:g} s "
                    f"({SETTING}): {_reason(exc)}"
                ) from exc
            wait = min(delay, left)
            log.warning(
                "waiting for the database %s: %s; next try in %.2g s (giving up in %.0f s, %s)",
                address.describe(),
                _reason(exc),
                wait,
                left,
                SETTING,
            )
            await asyncio.sleep(wait)
            delay = min(delay * 2, MAX_DELAY)
            continue
        if attempts > 1:
            log.info("the database %s is reachable", address.describe())
        return result
