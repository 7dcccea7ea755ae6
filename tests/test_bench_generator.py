"""The benchmark data generator (`leadgen bench seed`): deterministic, exact, in scope, and loadable.

Everything runs on shrunken scale units (`Scale.units(n, fraction=0.001)`: 100 leads a unit), so the tests
are fast; the full scale-1 load is the same code with bigger numbers.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import asyncpg
import pytest

from bench.generator import TABLES, UnitData, expected_counts, fingerprint, generate_unit
from bench.leads import MAX_ACTIVITIES, allocate
from bench.load import BenchError, reset_bench, row_counts, seed_scale
from bench.scale import REFERENCE_TIME, Scale, Table, bench_id, id_range
from bench.validate import validate_unit
from db.migrations import seed
from server.cli import main as leadgen
from tests.support.databases import PgCluster
from tests.support.roles import acting_as, user_claims

TINY = Scale.units(1, fraction=0.001)
TWO_TINY = Scale.units(2, fraction=0.001)
# The digest of every row of TINY's unit 0. It changes only with the generator: then bump GENERATOR_VERSION
# (loaded databases record it) and update this value.
TINY_FINGERPRINT = "784402baeffd2fe7bd06e8572ba9c9abf827cc8dddd3265acfc2229c92322daf"


def quiet(_: str) -> None:
    pass


def all_rows(data: UnitData) -> dict[str, list[tuple[Any, ...]]]:
    return {t.qualified: list(t.rows(data)) for t in TABLES}


def test_scale_defaults_and_shrinking() -> None:
    full = Scale.units(1)
    assert (full.users, full.spaces, full.companies, full.leads) == (100, 20, 10_000, 100_000)
    assert (full.activities, full.campaigns, full.campaign_associations) == (500_000, 200, 300_000)
    assert TINY.leads == 100 and TINY.activities == 500 and TINY.campaign_associations == 300
    assert TINY.users >= 12 and TINY.spaces >= 3
    assert Scale.units(3).unit_range == range(3)
    with pytest.raises(ValueError):
        Scale(unit_count=1, leads=10, activities=500)


def test_ids_are_deterministic_disjoint_and_ranged() -> None:
    lead = bench_id(Table.LEADS, 1, 42)
    assert lead == bench_id(Table.LEADS, 1, 42) and lead.version == 4
    assert str(lead) == "be4c4000-0008-4001-8000-00000000002a"
    first, end = id_range(Table.LEADS, 1)
    assert first <= lead < end
    assert not first <= bench_id(Table.LEADS, 0, 42) < end
    assert not first <= bench_id(Table.ACTIVITIES, 1, 42) < end


def test_allocate_is_exact_and_capped() -> None:
    import random

    rng = random.Random(7)
    for total in (0, 5, 20, 79, 80, 200):
        parts = allocate(rng, total, [MAX_ACTIVITIES] * 4)
        assert sum(parts) == min(total, 80) and all(0 <= p <= MAX_ACTIVITIES for p in parts)
    assert allocate(rng, 10, [1, 0, 2]) == [1, 0, 2]


def test_generation_is_deterministic_and_units_are_disjoint() -> None:
    first, again = all_rows(generate_unit(TWO_TINY, 0)), all_rows(generate_unit(TWO_TINY, 0))
    assert first == again
    other = all_rows(generate_unit(TWO_TINY, 1))
    for table in TABLES:
        ids = {row[table.columns.index("id")] for row in first[table.qualified]}
        assert ids.isdisjoint(row[table.columns.index("id")] for row in other[table.qualified]), table.qualified


def test_fingerprint_is_pinned() -> None:
    assert fingerprint(generate_unit(TINY, 0)) == TINY_FINGERPRINT


def test_generated_counts_are_exact() -> None:
    data = generate_unit(Scale.units(1, fraction=0.01), 0)
    counts = expected_counts(data)
    assert counts["public.leads"] == 1_000
    assert counts["public.lead_activities"] == 5_000
    assert counts["public.lead_campaign_associations"] <= 3_000
    assert counts["public.lead_stages"] == 6 * len(data.world.scopes)
    for table in TABLES:
        assert sum(1 for _ in table.rows(data)) == counts[table.qualified], table.qualified


def test_unit_shape() -> None:
    data = generate_unit(Scale.units(1), 0)
    world, plans = data.world, data.plans
    spaces_of = Counter(m.user for m in world.members)
    assert all(1 <= n <= 3 for n in spaces_of.values())
    assert len(spaces_of) < len(world.users)  # some users belong to no space
    for space in world.spaces:
        roles = [m.role for m in world.members if m.space == space.index]
        assert roles.count("owner") == 1 and len(roles) >= 2
    assert {m.role for m in world.members} == {"owner", "admin", "member", "viewer"}
    in_spaces = sum(1 for s in plans.scope if world.scopes[s].space is not None)
    assert 0.75 < in_spaces / len(plans.scope) < 0.85
    for i, s in enumerate(plans.scope):
        writers = world.scopes[s].writers
        assert plans.creator[i] in writers and (plans.assignee[i] == -1 or plans.assignee[i] in writers)
    per_lead = Counter(plans.activity_start[i + 1] - plans.activity_start[i] for i in range(len(plans.scope)))
    assert max(per_lead) == MAX_ACTIVITIES and per_lead[0] > 0 and plans.activities == 5 * len(plans.scope)


async def test_load_is_valid_in_scope_and_idempotent(cluster: PgCluster, fresh_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        report = await seed_scale(conn, TWO_TINY, out=quiet)
        assert report.loaded == [0, 1]
        units = [generate_unit(TWO_TINY, unit) for unit in (0, 1)]
        expected = Counter[str]()
        for data in units:
            expected.update(expected_counts(data))
        assert await row_counts(conn) == dict(expected)

        again = await seed_scale(conn, TWO_TINY, out=quiet)
        assert (again.loaded, again.skipped) == ([], [0, 1])
        assert await row_counts(conn) == dict(expected)
        with pytest.raises(BenchError, match="other parameters"):
            await seed_scale(conn, Scale.units(1, fraction=0.002), out=quiet)

        assert await validate_unit(conn, 0) == [] and await validate_unit(conn, 1) == []
        # the database's own scope rules (what the triggers and policies would have checked on insert)
        assert not await conn.fetchval(
            "select count(*) from public.leads where not private.lead_refs_in_scope("
            "user_id, space_id, company_id, stage_id, source_id, form_id, customer_id, assigned_to)"
        )
        assert not await conn.fetchval(
            "select count(*) from public.lead_campaign_associations "
            "where not private.campaign_and_lead_share_scope(campaign_id, lead_id)"
        )
        assert await conn.fetchval(
            "select count(*) = count(distinct (lead_id, campaign_id)) from public.lead_campaign_associations"
        )
        assert not await conn.fetchval(
            "select count(*) from public.leads l where l.last_activity_at is distinct from "
            "(select max(a.created_at) from public.lead_activities a where a.lead_id = l.id)"
        )
        assert await conn.fetchval("select max(created_at) <= $1 from public.leads", REFERENCE_TIME)
        assert await conn.fetchval("select count(*) from bench.loaded_units") == 2
    finally:
        await conn.close()
    await _check_rls_counts(cluster, fresh_db, units[1])


async def _check_rls_counts(cluster: PgCluster, database: str, data: UnitData) -> None:
    """What users see through RLS (as `authenticated`, via the API login role) is what the generator planned."""
    world, plans = data.world, data.plans
    loner = next(u.index for u in world.users if all(m.user != u.index for m in world.members))
    viewers = [m.user for m in world.members if m.role == "viewer"]
    users = {world.spaces[0].created_by, loner, *viewers[:1]}
    assert world.readable_scopes(loner)  # a user in no space has personal data
    api = await asyncpg.connect(cluster.dsn(database, user="leadgen_api"))
    try:
        for user in sorted(users):
            scopes = set(world.readable_scopes(user))
            leads = sum(1 for s in plans.scope if s in scopes)
            activities = sum(
                plans.activity_start[i + 1] - plans.activity_start[i] for i, s in enumerate(plans.scope) if s in scopes
            )
            companies = sum(1 for s in world.company_scope if s in scopes)
            uid = bench_id(Table.USERS, data.unit, user)
            async with acting_as(api, user_claims(uid)) as conn:
                seen = await conn.fetchrow(
                    "select (select count(*) from public.leads) as leads, "
                    "(select count(*) from public.lead_activities) as activities, "
                    "(select count(*) from public.companies) as companies"
                )
            assert seen is not None
            assert dict(seen) == {"leads": leads, "activities": activities, "companies": companies}, user
    finally:
        await api.close()


async def test_validation_catches_what_replica_mode_lets_through(cluster: PgCluster, fresh_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        await seed_scale(conn, TINY, out=quiet)
        data = generate_unit(TINY, 0)
        stranger = next(i for i, s in enumerate(data.world.company_scope) if s != data.plans.scope[0])
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.execute("set local session_replication_role = replica")
            await conn.execute(
                "update public.leads set company_id = $1, last_activity_at = null, assigned_to = $3 where id = $2",
                bench_id(Table.COMPANIES, 0, stranger), bench_id(Table.LEADS, 0, 0), uuid.UUID(int=1),
            )  # fmt: skip
            found = {v.check for v in await validate_unit(conn, 0)}
            assert any("outside the lead's scope" in c for c in found)
            assert any("last_activity_at" in c for c in found)
            assert "foreign key leads_assigned_to_fkey" in found
            # CHECK constraints are no triggers: replica mode still enforces them while copying
            with pytest.raises(asyncpg.CheckViolationError):
                await conn.copy_records_to_table(
                    "lead_stages", columns=["id", "user_id", "name", "color"],
                    records=[(uuid.uuid4(), bench_id(Table.USERS, 0, 0), "Bad", "red")],
                )  # fmt: skip
        finally:
            await tx.rollback()
        assert await validate_unit(conn, 0) == []
    finally:
        await conn.close()


async def test_reset_truncates_bench_only_or_deletes_beside_other_data(cluster: PgCluster, fresh_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        await seed_scale(conn, TINY, out=quiet)
        await reset_bench(conn, quiet)
        assert set((await row_counts(conn)).values()) == {0}
        await seed(conn)  # the demo data, then bench data beside it
        demo = await row_counts(conn)
        await seed_scale(conn, TINY, out=quiet)
        await reset_bench(conn, quiet)
        assert await row_counts(conn) == demo
        assert await conn.fetchval("select count(*) from bench.loaded_units") == 0
        report = await seed_scale(conn, TINY, out=quiet)
        assert report.loaded == [0]
    finally:
        await conn.close()


def test_cli_seeds_through_leadgen_bench(
    cluster: PgCluster, fresh_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", cluster.dsn(fresh_db))
    assert leadgen(["bench", "seed", "--fraction", "0.001"]) == 0
    assert "public.leads" in capsys.readouterr().out
    assert leadgen(["bench", "seed", "--fraction", "0.001"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert leadgen(["bench", "seed", "--fraction", "0.002"]) == 1
    assert "--reset" in capsys.readouterr().err
