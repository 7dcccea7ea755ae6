"""The worker's notion of "now": a Clock passed in, so that tests can move time instead of waiting.

Every time the engine compares or computes (is a job due, when does a lease run out, when is the next attempt,
when does a delayed step run) comes from `clock.now()` and is sent to Postgres as a parameter; the database's
own now() never decides due-ness. `SystemClock` is real time; `FakeClock` only moves when told to.
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class SystemClock:
    """Real time."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)


class FakeClock:
    """A clock that stands still until `advance` or `set` moves it (tests)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start if start is not None else dt.datetime.now(dt.UTC)
        if self._now.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")

    def now(self) -> dt.datetime:
        return self._now

    def advance(self, seconds: float = 0.0, **delta: float) -> dt.datetime:
        """Move forward by `seconds` (and/or timedelta keywords: minutes=, hours=, days=); returns the new time."""
        self._now += dt.timedelta(seconds=seconds, **delta)
        return self._now

    def set(self, when: dt.datetime) -> None:
        if when.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware time")
        self._now = when
