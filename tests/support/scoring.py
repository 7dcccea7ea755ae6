"""A small world for the scoring tests, and helpers to write rules and leads and read scores and breakdowns.

The world (users, a space with a member of every role, another space) is committed once per test module; each
test writes its own rules and leads inside a transaction that is rolled back. A test module uses the fixtures
below by naming them at module level (`conn = scoring.conn`, ...).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest_asyncio

from tests.support.databases import PgCluster
from tests.support.rows import add_user, insert
from tests.support.scoring_cases import Facts

BREAKDOWN = "select b.rule_id, b.points from leadgen.score_breakdown($1::uuid[]) b order by b.rule_id"


@dataclass(frozen=True)
class Scope:
    """Where rows live: a space (space set), or a user's personal rows (space None)."""

    user: uuid.UUID
    space: uuid.UUID | None = None

    @property
    def own(self) -> dict[str, Any]:
        return {"user_id": self.user, "space_id": self.space}


@dataclass(frozen=True)
class World:
    owner: uuid.UUID  # owner of `space`
    admin: uuid.UUID
    member: uuid.UUID
    viewer: uuid.UUID
    outsider: uuid.UUID  # owner of `other_space`, not in `space`
    space: uuid.UUID
    other_space: uuid.UUID

    @property
    def shared(self) -> Scope:
        return Scope(self.owner, self.space)

    @property
    def personal(self) -> Scope:
        return Scope(self.owner)

    @property
    def elsewhere(self) -> Scope:
        return Scope(self.outsider, self.other_space)


async def build_world(conn: asyncpg.Connection) -> World:
    owner, admin, member, viewer, outsider = [
        await add_user(conn, name) for name in ("owner", "admin", "member", "viewer", "outsider")
    ]
    space = await insert(conn, "spaces", name="Scored space", created_by=owner)
    other_space = await insert(conn, "spaces", name="Elsewhere", created_by=outsider)
    for user, role in ((admin, "admin"), (member, "member"), (viewer, "viewer")):
        await insert(conn, "space_members", space_id=space, user_id=user, role=role)
    return World(owner, admin, member, viewer, outsider, space, other_space)


async def add_rule(
    conn: asyncpg.Connection,
    scope: Scope,
    criteria_type: str,
    condition: str,
    value: str | None = None,
    points: int = 10,
    *,
    criteria_field: str | None = None,
    is_active: bool = True,
    name: str = "rule",
) -> uuid.UUID:
    return await insert(
        conn,
        "lead_scoring_rules",
        **scope.own,
        name=name,
        criteria_type=criteria_type,
        criteria_field=criteria_field,
        condition=condition,
        value=value,
        points=points,
        is_active=is_active,
    )


async def add_lead(conn: asyncpg.Connection, scope: Scope, **values: Any) -> uuid.UUID:
    return await insert(conn, "leads", **scope.own, **values)


async def add_activities(conn: asyncpg.Connection, lead: uuid.UUID, *types: str) -> None:
    await conn.execute(
        "insert into public.lead_activities (lead_id, activity_type) select $1, t from unnest($2::text[]) t",
        lead,
        list(types),
    )


async def score_of(conn: asyncpg.Connection, lead: uuid.UUID) -> int:
    score = await conn.fetchval("select score from public.leads where id = $1", lead)
    assert isinstance(score, int), lead
    return score


async def breakdown(conn: asyncpg.Connection, lead: uuid.UUID) -> dict[uuid.UUID, int]:
    """Rule id -> points of the rules the lead matches (as the connection's role sees them)."""
    return {r["rule_id"]: r["points"] for r in await conn.fetch(BREAKDOWN, [lead])}


def clamped(points: Mapping[Any, int]) -> int:
    return max(0, min(100, sum(points.values())))


async def lead_with(conn: asyncpg.Connection, scope: Scope, facts: Facts) -> uuid.UUID:
    """A lead of `scope` with the company, source, form and activities `facts` describe."""
    refs: dict[str, uuid.UUID] = {}
    if facts.company is not None:
        refs["company_id"] = await insert(conn, "companies", **scope.own, name="Initech", **facts.company)
    if facts.source is not None:
        refs["source_id"] = await insert(conn, "lead_sources", **scope.own, **facts.source)
    if facts.with_form:
        refs["form_id"] = await insert(conn, "lead_forms", **scope.own, name="Contact us")
    lead = await add_lead(conn, scope, **refs, **facts.lead)
    await add_activities(conn, lead, *facts.activities)
    return lead


@pytest_asyncio.fixture(scope="module")
async def world(conn: asyncpg.Connection) -> World:
    async with conn.transaction():
        return await build_world(conn)


@pytest_asyncio.fixture
async def db(conn: asyncpg.Connection, world: World) -> AsyncIterator[asyncpg.Connection]:
    """The superuser connection inside a transaction that is rolled back after the test."""
    tx = conn.transaction()
    await tx.start()
    try:
        yield conn
    finally:
        await tx.rollback()


@pytest_asyncio.fixture(scope="module")
async def api_conn(cluster: PgCluster, module_db: str, world: World) -> AsyncIterator[asyncpg.Connection]:
    """A connection of the API login role, to act as `authenticated` users (tests.support.roles.acting_as)."""
    connection = await asyncpg.connect(cluster.dsn(module_db, user="leadgen_api"))
    try:
        yield connection
    finally:
        await connection.close()
