"""The loaders of one request, created on first use and never shared between requests (RLS!)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import asyncpg
from strawberry.dataloader import DataLoader

from dataloaders.page import Page
from dataloaders.scoring import ScoreBreakdownLoader
from dataloaders.submissions import FormSubmissionCountLoader, FormSubmissionPageLoader
from db import sql_builder as sb
from db.catalog import Table, ToMany, table
from db.related_sql import children_count_sql, children_list_sql, children_page_sql
from db.session import RequestSession


class RowsByIdLoader(DataLoader[str, asyncpg.Record | None]):
    """Rows of one table by primary key: `select ... where id = any($1)`."""

    def __init__(self, session: RequestSession, target: Table) -> None:
        self._session = session
        self._sql = sb.by_ids_sql(target)
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[asyncpg.Record | None]:
        rows = await self._session.fetch(self._sql, list(ids))
        found = {str(row["id"]): row for row in rows}
        return [found.get(str(i)) for i in ids]


class ComputedLoader(DataLoader[str, asyncpg.Record | None]):
    """Every computed value (catalog.Computed) of rows of one table by id, in one statement per batch."""

    def __init__(self, session: RequestSession, target: Table) -> None:
        self._session = session
        self._sql = sb.computed_by_ids_sql(target)
        super().__init__(load_fn=self._load)

    async def _load(self, ids: Sequence[str]) -> list[asyncpg.Record | None]:
        rows = await self._session.fetch(self._sql, list(ids))
        found = {str(row["id"]): row for row in rows}
        return [found.get(str(i)) for i in ids]


class RelatedPageLoader(DataLoader[str, Page]):
    """One page of a to-many relation for many parents: one lateral-join statement per batch."""

    def __init__(self, session: RequestSession, relation: ToMany, args: sb.PageArgs) -> None:
        self._session = session
        self._args = args
        self._sql = children_page_sql(relation, table(relation.target), args).render()
        super().__init__(load_fn=self._load)

    async def _load(self, parent_ids: Sequence[str]) -> list[Page]:
        rows = await self._session.fetch(self._sql.text, *self._sql.args(parents=list(parent_ids)))
        grouped: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            grouped[str(row["_parent"])].append(row)
        after = self._args.after is not None
        return [Page.from_rows(grouped[str(p)], self._args.first, after_given=after) for p in parent_ids]


class RelatedCountLoader(DataLoader[str, int]):
    """`totalCount` of a to-many relation for many parents in one statement."""

    def __init__(self, session: RequestSession, relation: ToMany, node: sb.FilterNode | None) -> None:
        self._session = session
        self._sql = children_count_sql(relation, table(relation.target), node).render()
        super().__init__(load_fn=self._load)

    async def _load(self, parent_ids: Sequence[str]) -> list[int]:
        rows = await self._session.fetch(self._sql.text, *self._sql.args(parents=list(parent_ids)))
        counts = {str(row["_parent"]): int(row["total"]) for row in rows}
        return [counts.get(str(p), 0) for p in parent_ids]


class RelatedListLoader(DataLoader[str, list[asyncpg.Record]]):
    """Every child of many parents (short, unpaginated lists such as form fields)."""

    def __init__(self, session: RequestSession, relation: ToMany) -> None:
        self._session = session
        self._sql = children_list_sql(relation, table(relation.target)).render()
        super().__init__(load_fn=self._load)

    async def _load(self, parent_ids: Sequence[str]) -> list[list[asyncpg.Record]]:
        rows = await self._session.fetch(self._sql.text, *self._sql.args(parents=list(parent_ids)))
        grouped: dict[str, list[asyncpg.Record]] = defaultdict(list)
        for row in rows:
            grouped[str(row["_parent"])].append(row)
        return [grouped[str(p)] for p in parent_ids]


class Loaders:
    """Get-or-create access to the request's loaders, keyed by what they load."""

    def __init__(self, session: RequestSession) -> None:
        self._session = session
        self._loaders: dict[Any, DataLoader[Any, Any]] = {}

    def rows_by_id(self, table_name: str) -> RowsByIdLoader:
        key = ("by_id", table_name)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = RowsByIdLoader(self._session, table(table_name))
        assert isinstance(loader, RowsByIdLoader)
        return loader

    def computed(self, table_name: str) -> ComputedLoader:
        key = ("computed", table_name)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = ComputedLoader(self._session, table(table_name))
        assert isinstance(loader, ComputedLoader)
        return loader

    def related_page(self, parent: str, relation_name: str, args: sb.PageArgs) -> RelatedPageLoader:
        key = ("page", parent, relation_name, args)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = RelatedPageLoader(self._session, _to_many(parent, relation_name), args)
        assert isinstance(loader, RelatedPageLoader)
        return loader

    def related_count(self, parent: str, relation_name: str, node: sb.FilterNode | None) -> RelatedCountLoader:
        key = ("count", parent, relation_name, node)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = RelatedCountLoader(self._session, _to_many(parent, relation_name), node)
        assert isinstance(loader, RelatedCountLoader)
        return loader

    def related_list(self, parent: str, relation_name: str) -> RelatedListLoader:
        key = ("list", parent, relation_name)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = RelatedListLoader(self._session, _to_many(parent, relation_name))
        assert isinstance(loader, RelatedListLoader)
        return loader

    def score_breakdown(self) -> ScoreBreakdownLoader:
        key = ("score_breakdown",)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = ScoreBreakdownLoader(self._session)
        assert isinstance(loader, ScoreBreakdownLoader)
        return loader

    def form_submissions(self, first: int, after: tuple[dt.datetime, uuid.UUID] | None) -> FormSubmissionPageLoader:
        key = ("form_submissions", first, after)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = FormSubmissionPageLoader(self._session, first, after)
        assert isinstance(loader, FormSubmissionPageLoader)
        return loader

    def form_submission_counts(self) -> FormSubmissionCountLoader:
        key = ("form_submission_counts",)
        loader = self._loaders.get(key)
        if loader is None:
            loader = self._loaders[key] = FormSubmissionCountLoader(self._session)
        assert isinstance(loader, FormSubmissionCountLoader)
        return loader

    def forget(self, table_name: str, row_id: str) -> None:
        """Drop a cached row after a mutation changed it."""
        for key in (("by_id", table_name), ("computed", table_name)):
            loader = self._loaders.get(key)
            if loader is not None:
                with contextlib.suppress(KeyError):  # Strawberry's clear raises for a key it does not hold
                    loader.clear(row_id)


def _to_many(parent: str, relation_name: str) -> ToMany:
    relation = table(parent).relations[relation_name]
    if not isinstance(relation, ToMany):
        raise TypeError(f"{parent}.{relation_name} is not a to-many relation")
    return relation
