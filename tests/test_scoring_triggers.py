"""Scores stay current (migration 20261125140000_lead_scoring): the triggers that rescore leads when their
activities, company, source or their scope's rules change, as Studio and as API users under RLS; and rescoring
a big space fast.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid

import asyncpg

from tests.support import scoring
from tests.support.roles import SET_CALLER, acting_as, user_claims
from tests.support.rows import insert
from tests.support.scoring import Scope, World, add_activities, add_lead, add_rule, breakdown, score_of

# the module's fixtures: a committed world, and each test in a transaction rolled back afterwards
world, db, api_conn = scoring.world, scoring.db, scoring.api_conn

LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


async def become(conn: asyncpg.Connection, user: uuid.UUID) -> None:
    """Switch the acting user inside an acting_as transaction."""
    await conn.execute(SET_CALLER, "authenticated", json.dumps(user_claims(user)))


async def scores(conn: asyncpg.Connection, *leads: uuid.UUID) -> list[int]:
    return [await score_of(conn, lead) for lead in leads]


async def age(conn: asyncpg.Connection, *leads: uuid.UUID) -> None:
    """Backdate updated_at behind the triggers' back, to see which leads a later statement writes."""
    await conn.execute("set local session_replication_role = replica")
    await conn.execute("update public.leads set updated_at = $2 where id = any($1)", list(leads), LONG_AGO)
    await conn.execute("set local session_replication_role = origin")


async def untouched(conn: asyncpg.Connection, lead: uuid.UUID) -> bool:
    return bool(await conn.fetchval("select updated_at from public.leads where id = $1", lead) == LONG_AGO)


# --------------------------------------------------------------------------------------------------------------
# Activities
# --------------------------------------------------------------------------------------------------------------


async def test_activities_added_changed_moved_and_removed_rescore_their_leads(
    db: asyncpg.Connection, world: World
) -> None:
    replied = await add_rule(
        db, world.shared, "activity_count", "greater_than", "1", 20, criteria_field="email_replied"
    )
    busy = await add_rule(db, world.shared, "activity_count", "greater_than", "2", 5, criteria_field="*")
    lead, other = await add_lead(db, world.shared), await add_lead(db, world.shared)
    await add_activities(db, lead, "email_replied", "note")
    assert await breakdown(db, lead) == {}
    await add_activities(db, lead, "email_replied")
    assert await breakdown(db, lead) == {replied: 20, busy: 5}
    assert await score_of(db, lead) == 25
    one_reply = "select id from public.lead_activities where lead_id = $1 and activity_type = 'email_replied' limit 1"
    await db.execute(f"update public.lead_activities set activity_type = 'call_made' where id = ({one_reply})", lead)
    assert await score_of(db, lead) == 5
    await add_activities(db, other, "email_replied", "email_replied")
    assert await score_of(db, other) == 20
    await db.execute("update public.lead_activities set lead_id = $2 where lead_id = $1", other, lead)
    assert await scores(db, lead, other) == [25, 0]
    await db.execute("delete from public.lead_activities where lead_id = $1 and activity_type = 'email_replied'", lead)
    assert await score_of(db, lead) == 0  # a note and a call are left


async def test_a_bulk_insert_of_activities_rescores_each_lead_once(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "activity_count", "greater_than", "2", 40, criteria_field="meeting")
    leads = [await add_lead(db, world.shared) for _ in range(3)]
    await db.execute(
        "insert into public.lead_activities (lead_id, activity_type)"
        " select l, 'meeting' from unnest($1::uuid[]) l"
        " cross join lateral generate_series(1, case when l = $2 then 1 else 3 end) g",
        leads,
        leads[0],
    )
    assert await scores(db, *leads) == [0, 40, 40]


async def test_a_member_logging_an_activity_rescores_the_lead(api_conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(api_conn, user_claims(world.admin)) as conn:
        rule = await add_rule(
            conn, Scope(world.admin, world.space), "activity_count", "greater_than", "0", 30, criteria_field="call_made"
        )
        await become(conn, world.member)
        lead = await insert(conn, "leads", user_id=world.member, space_id=world.space, first_name="Ada")
        assert await score_of(conn, lead) == 0
        # (a member may not log system types such as form_submitted: tests/test_activity_rules.py)
        await insert(conn, "lead_activities", lead_id=lead, user_id=world.member, activity_type="call_made")
        assert await score_of(conn, lead) == 30
        # alongside the other trigger of activities, which keeps last_activity_at
        assert await conn.fetchval("select last_activity_at is not null from public.leads where id = $1", lead)
        await become(conn, world.viewer)  # the viewer sees the same score and why
        assert await score_of(conn, lead) == 30
        assert await breakdown(conn, lead) == {rule: 30}


# --------------------------------------------------------------------------------------------------------------
# Companies and sources
# --------------------------------------------------------------------------------------------------------------


async def test_a_company_change_rescores_its_leads(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "company_size", "greater_than", "200", 15)
    await add_rule(db, world.shared, "industry", "equals", "software", 10)
    company = await insert(db, "companies", **world.shared.own, name="Initech", company_size="51-200")
    leads = [await add_lead(db, world.shared, company_id=company) for _ in range(2)]
    bystander = await add_lead(db, world.shared)
    assert await scores(db, *leads) == [0, 0]
    await db.execute(
        "update public.companies set company_size = '201-500', industry = 'Software' where id = $1", company
    )
    assert await scores(db, *leads, bystander) == [25, 25, 0]
    await age(db, *leads)
    await db.execute("update public.companies set name = 'Initech Inc' where id = $1", company)
    assert all([await untouched(db, lead) for lead in leads])  # a rename changes no score: no lead is written
    await db.execute("delete from public.companies where id = $1", company)  # leads lose it (on delete set null)
    assert await scores(db, *leads) == [0, 0]


async def test_a_source_change_rescores_its_leads(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "source", "equals", "referral", 20)
    await add_rule(db, world.shared, "utm_campaign", "contains", "spring", 5)
    src = await insert(db, "lead_sources", **world.shared.own, name="Ads", type="advertising")
    lead = await add_lead(db, world.shared, source_id=src)
    assert await score_of(db, lead) == 0
    await db.execute("update public.lead_sources set type = 'referral' where id = $1", src)
    assert await score_of(db, lead) == 20
    await db.execute("update public.lead_sources set utm_campaign = 'spring_sale' where id = $1", src)
    assert await score_of(db, lead) == 25
    await db.execute("update public.leads set source_id = null where id = $1", lead)
    assert await score_of(db, lead) == 0


# --------------------------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------------------------


async def test_rule_changes_rescore_the_scope_s_existing_leads(api_conn: asyncpg.Connection, world: World) -> None:
    """As an admin through RLS (and members' leads included): create, change, deactivate, delete."""
    async with acting_as(api_conn, user_claims(world.member)) as conn:
        ceo = await insert(conn, "leads", user_id=world.member, space_id=world.space, job_title="CEO")
        dev = await insert(conn, "leads", user_id=world.member, space_id=world.space, job_title="Developer")
        await become(conn, world.admin)
        admins = Scope(world.admin, world.space)
        rule = await add_rule(conn, admins, "job_title", "in", "ceo,cto", 30)
        assert await scores(conn, ceo, dev) == [30, 0]
        await conn.execute("update public.lead_scoring_rules set points = 45 where id = $1", rule)
        assert await scores(conn, ceo, dev) == [45, 0]
        await conn.execute("update public.lead_scoring_rules set value = 'developer' where id = $1", rule)
        assert await scores(conn, ceo, dev) == [0, 45]
        other = await add_rule(conn, admins, "job_title", "is_not_empty", None, 5)
        assert await scores(conn, ceo, dev) == [5, 50]
        await conn.execute("update public.lead_scoring_rules set is_active = false where id = $1", rule)
        assert await scores(conn, ceo, dev) == [5, 5]
        await conn.execute("update public.lead_scoring_rules set is_active = true where id = $1", rule)
        assert await scores(conn, ceo, dev) == [5, 50]
        await conn.execute("delete from public.lead_scoring_rules where id = $1", rule)
        assert await scores(conn, ceo, dev) == [5, 5]
        # the last active rule goes: the scores stay what they were (manual from now on)
        await conn.execute("delete from public.lead_scoring_rules where id = $1", other)
        assert await scores(conn, ceo, dev) == [5, 5]
        await conn.execute("update public.leads set score = 80 where id = $1", ceo)
        assert await score_of(conn, ceo) == 80


async def test_only_leads_whose_score_changes_are_written(db: asyncpg.Connection, world: World) -> None:
    ceo = await add_lead(db, world.shared, job_title="CEO")
    dev = await add_lead(db, world.shared, job_title="Developer")
    elsewhere = await add_lead(db, world.elsewhere, job_title="CEO")
    await age(db, ceo, dev, elsewhere)
    rule = await add_rule(db, world.shared, "job_title", "equals", "ceo", 10)
    assert [await untouched(db, lead) for lead in (ceo, dev, elsewhere)] == [False, True, True]
    await age(db, ceo)
    await db.execute("update public.lead_scoring_rules set name = 'C-level', description = 'x' where id = $1", rule)
    assert await untouched(db, ceo)  # renaming a rule rescores nothing
    await db.execute("update public.lead_scoring_rules set user_id = $2 where id = $1", rule, world.admin)
    assert await untouched(db, ceo)  # nor does handing a space's rule to another member (as deleting a user does)


async def test_a_rule_moving_to_another_scope_rescores_both(db: asyncpg.Connection, world: World) -> None:
    rule = await add_rule(db, world.personal, "job_title", "is_not_empty", None, 25)
    await add_rule(db, world.personal, "need", "is_not_empty", None, 5)
    personal = await add_lead(db, world.personal, job_title="CEO", need="CRM")
    shared = await add_lead(db, world.shared, job_title="CEO")
    assert await scores(db, personal, shared) == [30, 0]
    await db.execute("update public.lead_scoring_rules set space_id = $2 where id = $1", rule, world.space)
    assert await scores(db, personal, shared) == [5, 25]


async def test_inactive_rules_change_nothing(db: asyncpg.Connection, world: World) -> None:
    lead = await add_lead(db, world.shared, job_title="CEO", score=42)
    await age(db, lead)
    rule = await add_rule(db, world.shared, "job_title", "is_not_empty", None, 25, is_active=False)
    await db.execute("update public.lead_scoring_rules set points = 30 where id = $1", rule)
    await db.execute("delete from public.lead_scoring_rules where id = $1", rule)
    assert await score_of(db, lead) == 42 and await untouched(db, lead)


async def test_breakdowns_are_the_components_of_the_scores(db: asyncpg.Connection, world: World) -> None:
    scope = world.shared
    await add_rule(db, scope, "job_title", "contains", "chief", 40)
    await add_rule(db, scope, "free_email", "equals", "true", -15)
    await add_rule(db, scope, "budget", "greater_than", "20000", 35)
    await add_rule(db, scope, "activity_count", "greater_than", "0", 10, criteria_field="meeting")
    await add_rule(db, scope, "email_domain", "ends_with", ".io", 20)
    leads = [
        await add_lead(
            db,
            scope,
            job_title=["Chief Executive", "Engineer", None][n % 3],
            email=[f"a{n}@gmail.com", f"b{n}@acme.io", None, f"c{n}@initech.com"][n % 4],
            budget=n * 4000,
        )
        for n in range(12)
    ] + [await add_lead(db, scope)]
    await db.execute(
        "insert into public.lead_activities (lead_id, activity_type) select l, 'meeting' from unnest($1::uuid[]) l",
        leads[:12:2],
    )
    rows = await db.fetch(
        "select l.id, l.score, coalesce(sum(b.points), 0) as total, count(b.rule_id) as n from public.leads l"
        " left join leadgen.score_breakdown($1::uuid[]) b on b.lead_id = l.id where l.id = any($1) group by l.id",
        leads,
    )
    assert len(rows) == 13
    assert all(r["score"] == max(0, min(100, r["total"])) for r in rows), [dict(r) for r in rows]
    assert {r["n"] for r in rows} >= {0, 1, 2, 3}  # the data gives a spread of matches


# --------------------------------------------------------------------------------------------------------------
# At scale: one UPDATE ... FROM a set-returning computation
# --------------------------------------------------------------------------------------------------------------


async def test_a_rule_change_rescores_5000_leads_well_under_a_second(db: asyncpg.Connection, world: World) -> None:
    owner, space = world.owner, world.space
    await db.execute("set local session_replication_role = replica")  # load fast, as the bench loader does
    await db.execute(
        "insert into public.leads (id, user_id, space_id, email, job_title, budget, custom_fields)"
        " select md5('perf' || i)::uuid, $1, $2, 'p' || i || (array['@gmail.com', '@acme.io'])[1 + i % 2],"
        " (array['CEO', 'Director', 'Engineer'])[1 + i % 3], i * 10, jsonb_build_object('tier', i % 4)"
        " from generate_series(1, 5001) i",  # one more than a batch of private.rescore_leads
        owner,
        space,
    )
    await db.execute(
        "insert into public.lead_activities (lead_id, lead_owner_id, space_id, activity_type)"
        " select md5('perf' || i)::uuid, $1, $2, (array['note', 'meeting', 'email_replied'])[1 + (i + g) % 3]"
        " from generate_series(1, 5001) i, generate_series(1, 8) g",
        owner,
        space,
    )
    await db.execute("set local session_replication_role = origin")
    for n, (criteria, condition, value, field) in enumerate(
        [
            ("job_title", "in", "ceo,cto", None),
            ("free_email", "equals", "true", None),
            ("budget", "greater_than", "25000", None),
            ("custom_field", "equals", "2", "tier"),
            ("activity_count", "greater_than", "2", "meeting"),
            ("email_domain", "ends_with", ".io", None),
        ]
    ):
        await add_rule(db, world.shared, criteria, condition, value, 5 + n, criteria_field=field)
    rule = await add_rule(db, world.shared, "job_title", "contains", "direct", 20)
    started = time.perf_counter()
    await db.execute("update public.lead_scoring_rules set points = 30 where id = $1", rule)
    elapsed = time.perf_counter() - started
    directors = await db.fetchval(
        "select count(*) from public.leads where space_id = $1 and job_title = 'Director' and score >= 30", space
    )
    assert directors == 1667  # every one of them rescored (+10)
    print(f"\nrescoring a 5000-lead space after a rule change: {elapsed * 1000:.0f} ms")
    assert elapsed < 1.0
    wrong = await db.fetchval(
        "select count(*) from public.leads l left join (select b.lead_id, sum(b.points) as points"
        " from leadgen.score_breakdown(array(select id from public.leads where space_id = $1)) b group by b.lead_id) b"
        " on b.lead_id = l.id where l.space_id = $1 and l.score <> greatest(0, least(100, coalesce(b.points, 0)))",
        space,
    )
    assert wrong == 0


async def test_rescore_all_leads_fixes_what_a_trigger_less_load_left(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "job_title", "is_not_empty", None, 10)
    await add_rule(db, Scope(world.outsider), "job_title", "is_not_empty", None, 20)
    await db.execute("set local session_replication_role = replica")
    shared = await add_lead(db, world.shared, job_title="CEO", score=3)
    personal = await add_lead(db, Scope(world.outsider), job_title="CEO", score=3)
    manual = await add_lead(db, world.personal, job_title="CEO", score=3)  # no rules in this scope
    await db.execute("set local session_replication_role = origin")
    assert await db.fetchval("select private.rescore_all_leads()") == 2
    assert await scores(db, shared, personal, manual) == [10, 20, 3]
