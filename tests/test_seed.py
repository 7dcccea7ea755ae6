"""supabase/seed.sql: loads on a migrated database, twice without changes, and its demo data is coherent."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest_asyncio

from db.migrations import seed
from tests.support.databases import PgCluster
from tests.support.pipeline import default_stage_id
from tests.support.roles import acting_as, user_claims

SPACE = "00000000-0000-4000-b000-000000000001"
USERS: dict[str, str] = {
    "alice@example.com": "00000000-0000-4000-a000-000000000001",
    "bob@example.com": "00000000-0000-4000-a000-000000000002",
    "carol@example.com": "00000000-0000-4000-a000-000000000003",
    "dave@example.com": "00000000-0000-4000-a000-000000000004",
    "erin@example.com": "00000000-0000-4000-a000-000000000005",
    "admin@example.com": "00000000-0000-4000-a000-000000000006",
}
ALICE, ERIN = USERS["alice@example.com"], USERS["erin@example.com"]
# The fixed instant the seed's timestamps are offsets from.
REFERENCE = datetime(2026, 11, 1, 12, tzinfo=UTC)

# The tables seed.sql writes itself, with the columns that may differ between two loads into two databases
# (stamped by triggers with the load time): updated_at everywhere, and the creator's owner membership.
SEED_TABLES: dict[str, tuple[str, ...]] = {
    "auth.users": ("updated_at",),
    "public.spaces": ("updated_at",),
    "public.space_members": ("id", "created_at", "updated_at"),
    "public.lead_stages": ("updated_at",),
    "public.lead_sources": ("updated_at",),
    "public.lead_custom_fields": ("updated_at",),
    "public.companies": ("updated_at",),
    "public.lead_forms": ("updated_at",),
    "public.lead_form_fields": ("updated_at",),
    "public.leads": ("updated_at",),
    "public.lead_activities": ("updated_at",),
    "public.customers": ("updated_at",),
    "public.lead_campaigns": ("updated_at",),
    "public.lead_campaign_associations": ("updated_at",),
    "public.lead_scoring_rules": ("updated_at",),
    "public.lead_workflows": ("updated_at",),
    "public.lead_workflow_triggers": ("updated_at",),
    "public.lead_workflow_actions": ("updated_at",),
    "public.lead_integrations": ("updated_at",),
}

ALL_TABLES = """
select format('%I.%I', n.nspname, c.relname) as name
from pg_class c join pg_namespace n on n.oid = c.relnamespace
where c.relkind in ('r', 'p') and (n.nspname = 'public' or (n.nspname = 'auth' and c.relname = 'users'))
order by 1
"""

# Row-level fingerprint of a table: how many rows, and an md5 over their JSON (minus the ignored keys).
FINGERPRINT = """
select count(*) as rows, md5(coalesce(string_agg(r, E'\\n' order by r), '')) as digest
from (select (to_jsonb(t) - $1::text[])::text as r from {table} t) as s
"""

# `x` (a row referenced by lead `l`) lives in the lead's scope: the same space, or both personal and the same owner.
SAME_SCOPE = "(x.space_id is not distinct from l.space_id and (l.space_id is not null or x.user_id = l.user_id))"


@asynccontextmanager
async def connect(dsn: str) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(dsn)
    try:
        yield conn
    finally:
        await conn.close()


async def fingerprints(conn: asyncpg.Connection, tables: dict[str, tuple[str, ...]]) -> dict[str, tuple[int, str]]:
    result: dict[str, tuple[int, str]] = {}
    for table, ignored in tables.items():
        row = await conn.fetchrow(FINGERPRINT.format(table=table), list(ignored))
        assert row is not None
        result[table] = (row["rows"], row["digest"])
    return result


async def all_tables(conn: asyncpg.Connection) -> dict[str, tuple[str, ...]]:
    return {r["name"]: () for r in await conn.fetch(ALL_TABLES)}


def as_json(value: str | None) -> Any:
    return None if value is None else json.loads(value)


@pytest_asyncio.fixture(scope="module")
async def seeded(module_db: str, cluster: PgCluster) -> str:
    """A migrated database holding the seed (its name); the tests of this module only read it."""
    async with connect(cluster.dsn(module_db)) as conn:
        await seed(conn)
    return module_db


@pytest_asyncio.fixture
async def conn(seeded: str, cluster: PgCluster) -> AsyncIterator[asyncpg.Connection]:
    async with connect(cluster.dsn(seeded)) as connection:
        yield connection


async def test_seeding_twice_changes_nothing_and_two_loads_agree(
    fresh_db: str, cluster: PgCluster, seeded: str
) -> None:
    async with connect(cluster.dsn(fresh_db)) as db:
        tables = await all_tables(db)
        assert "public.leads" in tables and "auth.users" in tables
        await seed(db)
        first = await fingerprints(db, tables)
        await seed(db)
        second = await fingerprints(db, tables)
        assert second == first  # every row of every table, byte for byte
        recorded = await db.fetchval("select count(*) from supabase_migrations.seed_files")
        assert recorded == 1
        this_load = await fingerprints(db, SEED_TABLES)
    # deterministic: an independent load into another database holds the same rows
    async with connect(cluster.dsn(seeded)) as other:
        assert await fingerprints(other, SEED_TABLES) == this_load
    assert set(SEED_TABLES) <= set(tables)


async def test_exactly_the_six_demo_users(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "select id::text, email, aud, role, raw_app_meta_data::text as app, raw_user_meta_data::text as meta,"
        " email_confirmed_at, created_at from auth.users order by email"
    )
    assert len(rows) >= 3
    assert {r["email"]: r["id"] for r in rows} == USERS
    for r in rows:
        assert r["aud"] == "authenticated" and r["role"] == "authenticated"
        assert r["email_confirmed_at"] is not None and r["created_at"] < REFERENCE
        assert as_json(r["meta"])["full_name"]
        app = as_json(r["app"])
        assert app["provider"] == "email" and app["providers"] == ["email"]
        assert (app.get("leadgen_role") == "admin") == (r["email"] == "admin@example.com")


async def test_row_counts(conn: asyncpg.Connection) -> None:
    counts = await conn.fetchrow(
        "select (select count(*) from public.companies) as companies, (select count(*) from public.leads) as leads,"
        " (select count(*) from public.lead_activities) as activities,"
        " (select count(*) from public.spaces) as spaces, (select count(*) from public.customers) as customers"
    )
    assert counts is not None
    # 1000 written by the seed, and the converted activity the database logs for each of the 3 conversions
    assert dict(counts) == {"companies": 20, "leads": 300, "activities": 1003, "spaces": 1, "customers": 3}
    per_scope = await conn.fetch(
        "select space_id::text as space, user_id::text as owner, count(*) as n from public.leads"
        " where space_id is null group by 1, 2 union all"
        " select space_id::text, null, count(*) from public.leads where space_id is not null group by 1"
    )
    leads = {(r["space"], r["owner"]): r["n"] for r in per_scope}
    assert set(leads) == {(SPACE, None), (None, ALICE), (None, ERIN)}
    assert leads[(SPACE, None)] > leads[(None, ALICE)] > 0 and leads[(None, ERIN)] > 0


async def test_the_space_has_a_member_of_every_role(conn: asyncpg.Connection) -> None:
    name = await conn.fetchval("select name from public.spaces where id = $1", SPACE)
    assert name == "Acme Agency"
    rows = await conn.fetch(
        "select u.email, m.role from public.space_members m join auth.users u on u.id = m.user_id"
        " where m.space_id = $1",
        SPACE,
    )
    assert {r["email"]: r["role"] for r in rows} == {
        "alice@example.com": "owner",
        "bob@example.com": "admin",
        "carol@example.com": "member",
        "dave@example.com": "viewer",
    }


async def test_default_stages_for_every_scope(conn: asyncpg.Connection) -> None:
    """Every user has a personal board and the space a board, the default stages made by the database."""
    rows = await conn.fetch(
        "select coalesce(space_id, user_id)::text as scope, array_agg(name order by stage_order) as names,"
        " array_agg(stage_order order by stage_order) as orders, bool_and(is_default) as defaults,"
        " count(distinct color) as colors, array_agg(id::text order by stage_order) as ids"
        " from public.lead_stages group by 1"
    )
    assert {r["scope"] for r in rows} == {SPACE, *USERS.values()}
    for r in rows:
        assert list(r["names"]) == ["New", "Contacted", "Qualified", "Proposal", "Won", "Lost"]
        assert list(r["orders"]) == [0, 1, 2, 3, 4, 5] and r["defaults"] and r["colors"] == 6
        assert list(r["ids"]) == [default_stage_id(r["scope"], name) for name in r["names"]]
    # the demo's leads use the boards of their own scope (also checked scope by scope below)
    boards = await conn.fetch(
        "select distinct coalesce(s.space_id, s.user_id)::text as scope from public.leads l"
        " join public.lead_stages s on s.id = l.stage_id"
    )
    assert {r["scope"] for r in boards} == {SPACE, ALICE, ERIN}


async def test_sources_carry_utm_parameters(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch("select type, utm_source, utm_medium from public.lead_sources where space_id = $1", SPACE)
    by_type = {r["type"]: (r["utm_source"], r["utm_medium"]) for r in rows}
    assert by_type["linkedin"] == ("linkedin", "social")
    assert by_type["paid_search"] == ("google", "cpc")
    assert {"website", "referral", "event"} <= set(by_type)
    personal = await conn.fetchval("select count(distinct user_id) from public.lead_sources where space_id is null")
    assert personal == 2


async def test_a_published_form_with_its_fields(conn: asyncpg.Connection) -> None:
    form = await conn.fetchrow(
        "select id, is_published, published_at from public.lead_forms where space_id = $1 and is_published", SPACE
    )
    assert form is not None and form["published_at"] is not None
    fields = await conn.fetch(
        "select field_name, field_type, is_required, field_order, options::text as options"
        " from public.lead_form_fields where form_id = $1 order by field_order",
        form["id"],
    )
    assert [(f["field_name"], f["field_type"]) for f in fields] == [
        ("first_name", "text"),
        ("last_name", "text"),
        ("email", "email"),
        ("company", "text"),
        ("job_title", "text"),
        ("phone", "phone"),
        ("budget", "number"),
        ("interest", "select"),
        ("message", "textarea"),
        ("website_hp", "hidden"),
    ]
    assert [f["field_order"] for f in fields] == list(range(len(fields)))
    assert {f["field_name"] for f in fields if f["is_required"]} == {"first_name", "email"}
    interest = next(f for f in fields if f["field_name"] == "interest")
    assert len(as_json(interest["options"])) >= 3
    # leads captured by the form carry a submission keyed by its field names
    keys = await conn.fetch(
        "select distinct jsonb_object_keys(form_submission_data) as k from public.leads where form_id = $1",
        form["id"],
    )
    assert {"first_name", "email"} <= {k["k"] for k in keys}


async def test_an_active_workflow_with_a_trigger_and_ordered_actions(conn: asyncpg.Connection) -> None:
    workflow = await conn.fetchval("select id from public.lead_workflows where space_id = $1 and is_active", SPACE)
    assert workflow is not None
    triggers = await conn.fetch(
        "select trigger_type from public.lead_workflow_triggers where workflow_id = $1", workflow
    )
    assert [t["trigger_type"] for t in triggers] == ["form_submit"]
    actions = await conn.fetch(
        "select action_order, action_type, delay_seconds, action_config::text as config"
        " from public.lead_workflow_actions where workflow_id = $1 order by action_order",
        workflow,
    )
    assert [(a["action_order"], a["action_type"]) for a in actions] == [
        (0, "wait"),
        (1, "assign_lead"),
        (2, "send_email"),
        (3, "webhook"),
    ]
    assert actions[0]["delay_seconds"] == 3600
    assert as_json(actions[1]["config"])["strategy"] == "round_robin"
    assert as_json(actions[2]["config"])["template"]
    assert as_json(actions[3]["config"])["url"].startswith("https://")


async def test_campaigns_and_their_associations(conn: asyncpg.Connection) -> None:
    campaigns = await conn.fetch(
        "select coalesce(space_id, user_id)::text as scope, status, campaign_type, start_date, end_date, budget,"
        " spent from public.lead_campaigns"
    )
    assert {c["scope"] for c in campaigns} == {SPACE, ALICE, ERIN}
    assert len({c["status"] for c in campaigns}) >= 4 and len({c["campaign_type"] for c in campaigns}) >= 4
    for c in campaigns:
        assert c["start_date"] is None or c["end_date"] is None or c["start_date"] <= c["end_date"]
        assert (c["budget"] is None or c["budget"] >= 0) and c["spent"] >= 0
    stats = await conn.fetchrow(
        "select count(*) as n, count(distinct a.campaign_id) as campaigns,"
        f" count(*) filter (where not {SAME_SCOPE}) as cross_scope"
        " from public.lead_campaign_associations a join public.leads l on l.id = a.lead_id"
        " join public.lead_campaigns x on x.id = a.campaign_id"
    )
    assert stats is not None
    assert stats["n"] >= 50 and stats["campaigns"] >= 3 and stats["cross_scope"] == 0


async def test_scoring_rules(conn: asyncpg.Connection) -> None:
    rules = await conn.fetch(
        "select criteria_type, condition, points, is_active, space_id from public.lead_scoring_rules"
    )
    assert len(rules) >= 5
    assert len({r["criteria_type"] for r in rules}) >= 5 and len({r["condition"] for r in rules}) >= 4
    assert all(-100 <= r["points"] <= 100 for r in rules)
    assert any(r["points"] < 0 for r in rules) and any(not r["is_active"] for r in rules)


async def test_every_lead_references_rows_of_its_own_scope(conn: asyncpg.Connection) -> None:
    for column, table in [
        ("company_id", "companies"),
        ("stage_id", "lead_stages"),
        ("source_id", "lead_sources"),
        ("form_id", "lead_forms"),
        ("customer_id", "customers"),
    ]:
        stats = await conn.fetchrow(
            f"select count(l.{column}) as refs, count(*) filter (where l.{column} is not null and not {SAME_SCOPE})"
            f" as outside from public.leads l left join public.{table} x on x.id = l.{column}"
        )
        assert stats is not None
        assert stats["refs"] > 0, column
        assert stats["outside"] == 0, column
    # assignees belong to the scope; creators of space leads may write there; activities are by people of the scope
    outside = await conn.fetchval(
        "select count(*) from public.leads l where l.assigned_to is not null and case"
        " when l.space_id is null then l.assigned_to <> l.user_id"
        " else not exists (select 1 from public.space_members m where m.space_id = l.space_id"
        " and m.user_id = l.assigned_to) end"
    )
    assert outside == 0
    readers = await conn.fetchval(
        "select count(*) from public.leads l where l.space_id is not null and not exists (select 1"
        " from public.space_members m where m.space_id = l.space_id and m.user_id = l.user_id"
        " and m.role in ('owner', 'admin', 'member'))"
    )
    assert readers == 0
    strangers = await conn.fetchval(
        "select count(*) from public.lead_activities a join public.leads l on l.id = a.lead_id"
        " where a.user_id is not null and a.user_id <> l.user_id and not exists (select 1"
        " from public.space_members m where m.space_id = l.space_id and m.user_id = a.user_id)"
    )
    assert strangers == 0
    # companies are spread over the scopes too: most in the space, a few personal ones
    companies = await conn.fetch(
        "select coalesce(space_id, user_id)::text as scope, count(*) as n from public.companies group by 1"
    )
    per_scope = {r["scope"]: r["n"] for r in companies}
    assert set(per_scope) == {SPACE, ALICE, ERIN} and per_scope[SPACE] > per_scope[ALICE] + per_scope[ERIN]


async def test_converted_leads_point_at_their_customers(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "select c.id, c.lead_id, l.customer_id, l.converted_to_customer, c.company_id, l.company_id as lead_company"
        " from public.customers c left join public.leads l on l.id = c.lead_id"
    )
    assert len(rows) >= 2
    for r in rows:
        assert r["customer_id"] == r["id"] and r["converted_to_customer"]
        assert r["company_id"] == r["lead_company"]
    flagged = await conn.fetchval("select count(*) from public.leads where converted_to_customer")
    assert flagged == len(rows)


async def test_last_activity_at_is_the_latest_activity(conn: asyncpg.Connection) -> None:
    stats = await conn.fetchrow(
        "select count(*) filter (where a.latest is not null) as active,"
        " count(*) filter (where a.latest is null) as quiet,"
        " count(*) filter (where l.last_activity_at is distinct from a.latest) as wrong"
        " from public.leads l left join (select lead_id, max(created_at) as latest from public.lead_activities"
        " group by lead_id) a on a.lead_id = l.id"
    )
    assert stats is not None
    assert stats["wrong"] == 0
    assert stats["active"] > 0 and stats["quiet"] > 0


async def test_timestamps_are_fixed_in_the_past_90_days(conn: asyncpg.Connection) -> None:
    bounds = await conn.fetchrow(
        "select min(a.created_at) as first, max(a.created_at) as last,"
        " count(*) filter (where a.created_at < l.created_at) as before_lead,"
        " count(distinct a.activity_type) as types"
        " from public.lead_activities a join public.leads l on l.id = a.lead_id"
    )
    assert bounds is not None
    assert REFERENCE - timedelta(days=90) <= bounds["first"] <= bounds["last"] <= REFERENCE
    assert bounds["before_lead"] == 0 and bounds["types"] >= 8
    latest_lead = await conn.fetchval("select max(created_at) from public.leads")
    assert latest_lead <= REFERENCE


async def test_custom_field_values_match_their_scope_definitions(conn: asyncpg.Connection) -> None:
    stray = await conn.fetch(
        "select distinct k.key from public.leads l cross join lateral jsonb_object_keys(l.custom_fields) as k(key)"
        " where not exists (select 1 from public.lead_custom_fields x where x.field_name = k.key"
        f" and {SAME_SCOPE})"
    )
    assert [r["key"] for r in stray] == []
    scopes = await conn.fetchval(
        "select count(distinct coalesce(space_id, user_id)) from public.leads where custom_fields <> '{}'"
    )
    assert scopes == 3


async def test_integrations_hold_no_credentials(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch("select credentials, has_credentials from public.lead_integrations")
    assert rows and all(r["credentials"] is None and not r["has_credentials"] for r in rows)


async def test_each_demo_user_sees_their_scopes_through_rls(cluster: PgCluster, seeded: str) -> None:
    expected = {
        "alice@example.com": 300 - 25,  # the space and her own
        "bob@example.com": 240,
        "carol@example.com": 240,
        "dave@example.com": 240,  # viewers read
        "erin@example.com": 25,
        "admin@example.com": 300,  # platform admins read everything
    }
    async with connect(cluster.dsn(seeded, user="leadgen_api")) as api:
        for email, leads in expected.items():
            claims = user_claims(USERS[email], email=email, platform_admin=email == "admin@example.com")
            async with acting_as(api, claims) as db:
                assert await db.fetchval("select count(*) from public.leads") == leads, email
