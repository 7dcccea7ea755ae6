"""Up to N pieces of leased work in flight at once: the worker's `--concurrency`.

The kinds of work (sources: events to fan out, steps, integration pushes, invitation emails, in that order of
preference) are claimed for the free slots only, so nothing is claimed that cannot start at once (its lease would
run while it waits). Every finished piece frees its slot and `fill` claims again: with N due steps that each take
a while, N run at the same time, however they arrive. `drain` works until nothing is due (`leadgen worker
--once`, tests); the long-running worker calls `fill` whenever it wakes up (server/worker.py).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import asyncpg

CONNECTION_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


@dataclass
class RunSummary:
    """What a run of the engine did (tests and logs)."""

    events: int = 0  # events fanned out (or given up)
    executions: int = 0  # executions those events started
    jobs: int = 0  # steps run (any outcome)
    completed: int = 0  # executions that completed during the run
    failed: int = 0  # executions that failed during the run
    lost: int = 0  # jobs whose lease was lost, or whose execution had stopped
    pushes: int = 0  # integration pushes of new leads run (integration_push.py; any outcome)
    emails: int = 0  # invitation emails handled (domain/invitation_emails.py; any outcome)

    def add(self, other: RunSummary) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))

    def happened(self) -> bool:
        return any(getattr(self, item.name) for item in fields(self))


@dataclass(frozen=True)
class Source:
    """A kind of leased work: `claim(n)` claims up to n due items, `run(item)` works on one."""

    name: str
    claim: Callable[[int], Awaitable[Sequence[Any]]]
    run: Callable[[Any], Awaitable[RunSummary]]


class Dispatcher:
    def __init__(self, sources: Sequence[Source], concurrency: int, log: logging.Logger | None = None) -> None:
        self.sources = list(sources)
        self.concurrency = max(1, concurrency)
        self.log = log or logging.getLogger("leadgen.workflows")
        self.in_flight: set[asyncio.Task[RunSummary]] = set()
        self._done = RunSummary()

    @property
    def free(self) -> int:
        return self.concurrency - len(self.in_flight)

    async def fill(self) -> int:
        """Claim work for the free slots (sources in order) and start it; how many pieces were started."""
        started = 0
        for source in self.sources:
            if self.free <= 0:
                break
            for item in await source.claim(self.free):
                name = f"{source.name} {getattr(item, 'id', '?')} attempt {getattr(item, 'attempt', '?')}"
                self.log.debug("claimed %s", name)
                self.in_flight.add(asyncio.create_task(self._run(source, item, name), name=name))
                started += 1
        return started

    async def _run(self, source: Source, item: Any, name: str) -> RunSummary:
        try:
            summary = await source.run(item)
        except CONNECTION_ERRORS as exc:  # its lease runs out and another try claims it again
            self.log.warning("%s failed (will be tried again): %s", name, exc)
        except Exception:
            self.log.exception("%s failed unexpectedly (will be tried again)", name)
        else:
            self.log.debug("%s done: %s", name, summary)
            return summary
        return RunSummary()

    def collect(self) -> RunSummary:
        """What finished since the last collect (finished pieces leave their slots)."""
        for task in [t for t in self.in_flight if t.done()]:
            self.in_flight.discard(task)
            if not task.cancelled():
                self._done.add(task.result())
        summary, self._done = self._done, RunSummary()
        return summary

    async def wait(self, *others: asyncio.Future[Any], timeout: float | None = None) -> None:  # noqa: ASYNC109
        """Until a piece finishes, one of `others` is done, or `timeout` seconds pass."""
        waits: set[asyncio.Future[Any]] = {*self.in_flight, *others}
        if waits:
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        elif timeout is not None:
            await asyncio.sleep(timeout)

    async def drain(self, stop: asyncio.Event | None = None) -> RunSummary:
        """Work until nothing is due and nothing is in flight (or `stop` is set and what is in flight finished)."""
        summary = RunSummary()
        try:
            while True:
                if stop is None or not stop.is_set():
                    try:
                        await self.fill()
                    except Exception:  # the database went away: what is under way still ends cleanly
                        await self.finish()
                        raise
                if not self.in_flight:
                    break
                await self.wait()
                summary.add(self.collect())
        except asyncio.CancelledError:
            await self.cancel()
            raise
        summary.add(self.collect())
        return summary

    async def cancel(self) -> None:
        """Stop what is in flight (its transactions roll back, its leases run out)."""
        for task in self.in_flight:
            task.cancel()
        if self.in_flight:
            await asyncio.wait(self.in_flight)
        self.in_flight.clear()

    async def finish(self) -> RunSummary:
        """Let what is in flight finish (a stopping worker)."""
        if self.in_flight:
            await asyncio.wait(self.in_flight)
        return self.collect()
