"""Pages and counts of forms' public submissions, for many forms in one statement each (editors only: SQL decides)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence

import asyncpg
from strawberry.dataloader import DataLoader

from dataloaders.page import Page
from db import forms as sql
from db.session import RequestSession


class FormSubmissionPageLoader(DataLoader[str, Page]):
    """Form id -> a page of its submissions, newest first, after a keyset (created_at, id) when given."""

    def __init__(self, session: RequestSession, first: int, after: tuple[dt.datetime, uuid.UUID] | None) -> None:
        self._session = session
        self._first = first
        self._after = after
        super().__init__(load_fn=self._load)

    async def _load(self, form_ids: Sequence[str]) -> list[Page]:
        after_at, after_id = self._after if self._after is not None else (None, None)
        rows = await self._session.fetch(
            sql.FORM_SUBMISSIONS, list(dict.fromkeys(form_ids)), self._first + 1, after_at, after_id
        )
        grouped: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            grouped[str(row["form_id"])].append(row)
        given = self._after is not None
        return [Page.from_rows(grouped[str(f)], self._first, after_given=given) for f in form_ids]


class FormSubmissionCountLoader(DataLoader[str, int]):
    """Form id -> how many submissions it has (0 for a form the caller does not manage)."""

    def __init__(self, session: RequestSession) -> None:
        self._session = session
        super().__init__(load_fn=self._load)

    async def _load(self, form_ids: Sequence[str]) -> list[int]:
        rows = await self._session.fetch(sql.FORM_SUBMISSION_COUNTS, list(dict.fromkeys(form_ids)))
        totals = {str(row["form_id"]): int(row["total"]) for row in rows}
        return [totals.get(str(f), 0) for f in form_ids]
