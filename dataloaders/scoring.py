"""Score breakdowns of many leads in one statement (the rules each lead matches, with their points)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import asyncpg
from strawberry.dataloader import DataLoader

from db import scoring
from db.session import RequestSession


class ScoreBreakdownLoader(DataLoader[str, list[asyncpg.Record]]):
    """Lead id -> rows of lead_scoring_rules it matches (with `_points`), by points descending, then name.

    Cached only in read-only operations: in a mutation, a later root field may change what an earlier one read.
    """

    def __init__(self, session: RequestSession) -> None:
        self._session = session
        super().__init__(load_fn=self._load, cache=session.readonly)

    async def _load(self, lead_ids: Sequence[str]) -> list[list[asyncpg.Record]]:
        rows = await self._session.fetch(scoring.SCORE_BREAKDOWN, list(dict.fromkeys(lead_ids)))
        grouped: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            grouped[str(row["_lead_id"])].append(row)
        return [grouped[str(lead_id)] for lead_id in lead_ids]
