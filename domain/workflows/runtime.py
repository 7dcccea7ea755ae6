"""What the worker's kinds of work share: its pool, identity, clock and settings (Runtime), and the lease it holds on
each claimed row while working on it (Lease: a heartbeat).

A claim leases a row for EngineConfig.lease_seconds of the worker's clock. While the work runs, the lease is renewed
every third of that (db.leased_queue.renew_sql, on a connection of its own, committed at once), so work may take
longer than the lease, and a worker that dies (killed, disconnected) leaves its rows to others within one lease of
its last renewal. A renewal that finds the row no longer ours (re-claimed after the lease ran out, cancelled,
settled) or that cannot reach the database before the lease would run out marks the lease lost: `Lease.guard` then
stops the work (LeaseLost), before another worker may start it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Coroutine
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, TypeVar

import asyncpg

from domain.workflows.actions.registry import ActionRegistry, default_registry
from domain.workflows.clock import Clock, SystemClock
from domain.workflows.settings import ActionSettings, EngineConfig

T = TypeVar("T")
CONNECTION_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError)


class LeaseLost(Exception):
    """Another worker holds the row now (our lease ran out, or the execution was cancelled)."""


@dataclass
class Runtime:
    """What running steps needs: the worker's pool (its login role), identity, clock, settings and actions."""

    pool: asyncpg.Pool
    worker_id: str
    clock: Clock = field(default_factory=SystemClock)
    config: EngineConfig = field(default_factory=EngineConfig)
    settings: ActionSettings = field(default_factory=ActionSettings)
    registry: ActionRegistry = field(default_factory=default_registry)
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("leadgen.workflows"))

    async def claim(self, statement: str, limit: int, lease_seconds: float | None) -> list[asyncpg.Record]:
        """Rows of a leased queue claimed by this worker (`statement` from db.leased_queue.claim_sql)."""
        lease = self.config.lease_seconds if lease_seconds is None else lease_seconds
        async with self.pool.acquire() as conn:
            return list(await conn.fetch(statement, self.worker_id, self.clock.now(), lease, limit))

    def lease(self, renew: str, row_id: int, attempt: int, what: str) -> Lease:
        """The lease of a row this worker claimed (`renew` from db.leased_queue.renew_sql), kept alive while in use."""
        return Lease(self, renew, row_id, attempt, what)


class Lease:
    """`async with runtime.lease(...) as lease:` renews the lease until the block ends; `lease.guard(work)` runs work
    that is stopped when the lease is lost (LeaseLost) or after `timeout` seconds (TimeoutError)."""

    def __init__(self, runtime: Runtime, renew: str, row_id: int, attempt: int, what: str) -> None:
        self.runtime = runtime
        self.renew = renew
        self.row_id = row_id
        self.attempt = attempt
        self.what = what
        self.lost = asyncio.Event()
        self.renewals = 0
        self._expires = runtime.clock.now() + dt.timedelta(seconds=runtime.config.lease_seconds)
        self._beat: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Lease:
        self._beat = asyncio.create_task(self._heartbeat(), name=f"heartbeat of {self.what}")
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._beat is not None:
            self._beat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._beat

    async def _heartbeat(self) -> None:
        rt = self.runtime
        interval = rt.config.heartbeat_seconds
        while True:
            await asyncio.sleep(interval)
            try:
                async with asyncio.timeout(interval), rt.pool.acquire() as conn:
                    until = await conn.fetchval(
                        self.renew, self.row_id, rt.worker_id, self.attempt, rt.clock.now(), rt.config.lease_seconds
                    )
            except CONNECTION_ERRORS as exc:
                # not renewed: stop before the lease may run out, so that nobody else runs it alongside
                if rt.clock.now() + dt.timedelta(seconds=interval) >= self._expires:
                    rt.log.warning("%s: the lease could not be renewed (%s); stopping", self.what, type(exc).__name__)
                    self.lost.set()
                    return
                rt.log.info("%s: the lease could not be renewed (will try again): %s", self.what, type(exc).__name__)
                continue
            if not isinstance(until, dt.datetime):
                rt.log.info("%s: the lease is no longer ours (re-claimed, cancelled or settled)", self.what)
                self.lost.set()
                return
            self._expires = until
            self.renewals += 1
            rt.log.debug("%s: lease renewed until %s", self.what, until.isoformat())

    async def guard(self, work: Coroutine[Any, Any, T], timeout: float | None = None) -> T:  # noqa: ASYNC109
        """The result of `work`, unless the lease is lost first (LeaseLost) or `timeout` seconds pass (TimeoutError):
        the work is then cancelled (its transaction rolls back)."""
        task = asyncio.ensure_future(work)
        lost = asyncio.ensure_future(self.lost.wait())
        try:
            done, _ = await asyncio.wait({task, lost}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        except BaseException:  # cancelled from outside: the work stops with us
            lost.cancel()
            await _cancel(task)
            raise
        lost.cancel()
        if task in done:
            return task.result()
        await _cancel(task)
        if self.lost.is_set():
            raise LeaseLost(self.what)
        raise TimeoutError(f"{self.what} took longer than {timeout:g} s")


async def _cancel(task: asyncio.Future[Any]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await task
