"""A page of rows as connections need it."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True)
class Page:
    rows: list[asyncpg.Record]  # at most `first` rows, each with its `_cursor`
    has_next: bool
    has_previous: bool

    @classmethod
    def from_rows(cls, rows: list[asyncpg.Record], first: int, *, after_given: bool) -> Page:
        # Forward pagination: a cursor in `after` means rows came before it.
        return cls(rows=rows[:first], has_next=len(rows) > first, has_previous=after_given)
