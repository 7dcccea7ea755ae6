"""Lead scoring in the database (migration 20261125140000_lead_scoring), in SQL, as Studio and the API roles.

Every criterion and condition (table-driven, tests/support/scoring_cases.py); the sum of matching active rules
of the lead's own scope, clamped to 0..100; manual scores in scopes without active rules; and the triggers that
keep scores current: a lead's own writes, its activities, its company and source, and rule changes.
"""

from __future__ import annotations

import json
import re
import uuid

import asyncpg
import pytest

from domain.free_email import FREE_EMAIL_DOMAINS, is_free_email_domain
from tests.support import scoring
from tests.support.roles import ANON_CLAIMS, SET_CALLER, acting_as, user_claims
from tests.support.scoring import Scope, World, add_lead, add_rule, breakdown, clamped, lead_with, score_of
from tests.support.scoring_cases import CASES, MatchCase

# the module's fixtures: a committed world, and each test in a transaction rolled back afterwards
world, db, api_conn = scoring.world, scoring.db, scoring.api_conn


# --------------------------------------------------------------------------------------------------------------
# What matches
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_criterion_and_condition(db: asyncpg.Connection, world: World, case: MatchCase) -> None:
    rule = await add_rule(
        db, world.shared, case.criteria_type, case.condition, case.value, 7, criteria_field=case.criteria_field
    )
    lead = await lead_with(db, world.shared, case.facts)
    assert await breakdown(db, lead) == ({rule: 7} if case.matches else {})
    assert await score_of(db, lead) == (7 if case.matches else 0)


async def test_the_table_covers_every_criterion_and_condition(db: asyncpg.Connection) -> None:
    def allowed(constraint: str) -> set[str]:
        return set(re.findall(r"'([^']*)'::text", definitions[constraint]))

    definitions = {
        r["conname"]: r["def"]
        for r in await db.fetch(
            "select conname, pg_get_constraintdef(oid) as def from pg_constraint"
            " where conrelid = 'public.lead_scoring_rules'::regclass"
        )
    }
    types = allowed("lead_scoring_rules_criteria_type_check")
    conditions = allowed("lead_scoring_rules_condition_check")
    assert len(types) == 16 and len(conditions) == 11
    assert {c.criteria_type for c in CASES} == types
    assert {c.condition for c in CASES if c.matches} == conditions  # each condition seen matching
    assert {c.condition for c in CASES if not c.matches} == conditions  # ... and not matching


async def test_free_email_providers(db: asyncpg.Connection) -> None:
    free = "select leadgen.is_free_email($1)"
    for email in ("a@gmail.com", "A@GMAIL.COM", "b@outlook.com", "c@yahoo.co.uk", "d@proton.me", "e@icloud.com"):
        assert await db.fetchval(free, email) is True, email
    for email in ("a@acme.io", "b@gmail.com.evil.example", "c@mail.google.com"):
        assert await db.fetchval(free, email) is False, email
    assert await db.fetchval(free, None) is None


async def test_the_score_is_the_clamped_sum_of_matching_active_rules(db: asyncpg.Connection, world: World) -> None:
    scope = world.shared
    await add_rule(db, scope, "job_title", "contains", "vp", 60)
    await add_rule(db, scope, "timeline", "is_not_empty", None, 30)
    await add_rule(db, scope, "budget", "greater_than", "1000", 40)
    await add_rule(db, scope, "free_email", "equals", "true", -100)
    await add_rule(db, scope, "need", "is_not_empty", None, 100, is_active=False)
    top = await add_lead(db, scope, job_title="VP Sales", timeline="Q1", budget=5000, need="CRM")
    assert await score_of(db, top) == 100  # 130, clamped
    assert sorted((await breakdown(db, top)).values()) == [30, 40, 60]  # the inactive rule plays no part
    bottom = await add_lead(db, scope, job_title="VP Sales", email="vp@gmail.com")
    assert await score_of(db, bottom) == 0  # -40, clamped
    assert sorted((await breakdown(db, bottom)).values()) == [-100, 60]
    middle = await add_lead(db, scope, job_title="VP Sales", timeline="Q1", email="vp@gmail.com", budget=2000)
    assert await score_of(db, middle) == 30
    assert clamped(await breakdown(db, middle)) == 30


async def test_rules_score_only_the_leads_of_their_own_scope(db: asyncpg.Connection, world: World) -> None:
    shared = await add_rule(db, world.shared, "job_title", "is_not_empty", None, 10)
    personal = await add_rule(db, world.personal, "job_title", "is_not_empty", None, 20)
    elsewhere = await add_rule(db, world.elsewhere, "job_title", "is_not_empty", None, 40)
    colleague = await add_rule(db, Scope(world.admin), "job_title", "is_not_empty", None, 50)
    in_space = await add_lead(db, world.shared, job_title="CEO")
    own = await add_lead(db, world.personal, job_title="CEO")
    other = await add_lead(db, world.elsewhere, job_title="CEO")
    admins = await add_lead(db, Scope(world.admin), job_title="CEO")
    assert await breakdown(db, in_space) == {shared: 10}  # neither the owner's personal rules nor another space's
    assert await breakdown(db, own) == {personal: 20}  # nor, for a personal lead, its owner's spaces' rules
    assert await breakdown(db, other) == {elsewhere: 40}
    assert await breakdown(db, admins) == {colleague: 50}
    assert [await score_of(db, lead) for lead in (in_space, own, other, admins)] == [10, 20, 40, 50]


# --------------------------------------------------------------------------------------------------------------
# Manual scores: a scope without active rules keeps what it is given; with rules, the computed score wins
# --------------------------------------------------------------------------------------------------------------


async def test_without_active_rules_a_written_score_stays(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "job_title", "is_not_empty", None, 10, is_active=False)
    lead = await add_lead(db, world.shared, score=42, job_title="CEO")
    assert await score_of(db, lead) == 42
    await db.execute("update public.leads set score = 57 where id = $1", lead)
    assert await score_of(db, lead) == 57
    assert await breakdown(db, lead) == {}


async def test_with_active_rules_the_computed_score_replaces_a_written_one(
    db: asyncpg.Connection, world: World
) -> None:
    await add_rule(db, world.shared, "job_title", "contains", "ceo", 35)
    lead = await add_lead(db, world.shared, score=90, job_title="CEO")
    assert await score_of(db, lead) == 35
    # a Studio edit of the score alone (superuser, no RLS, no GraphQL): replaced as well
    await db.execute("update public.leads set score = 99 where id = $1", lead)
    assert await score_of(db, lead) == 35
    await db.execute("update public.leads set score = null where id = $1", lead)  # even a null
    assert await score_of(db, lead) == 35


async def test_a_studio_edit_of_a_lead_rescores_it(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "job_title", "contains", "director", 25)
    await add_rule(db, world.shared, "custom_field", "equals", "gold", 15, criteria_field="tier")
    lead = await add_lead(db, world.shared, job_title="Engineer")
    assert await score_of(db, lead) == 0
    await db.execute("update public.leads set job_title = 'Director of IT' where id = $1", lead)
    assert await score_of(db, lead) == 25
    await db.execute('update public.leads set custom_fields = \'{"tier": "gold"}\' where id = $1', lead)
    assert await score_of(db, lead) == 40
    # and as service_role, which bypasses RLS like the server-side keys do
    await db.execute("set local role service_role")
    await db.execute("update public.leads set job_title = 'Engineer' where id = $1", lead)
    assert await score_of(db, lead) == 15


async def test_a_lead_moving_to_another_scope_takes_its_rules(db: asyncpg.Connection, world: World) -> None:
    await add_rule(db, world.shared, "job_title", "is_not_empty", None, 10)
    await add_rule(db, world.personal, "job_title", "is_not_empty", None, 60)
    lead = await add_lead(db, world.personal, job_title="CEO")
    assert await score_of(db, lead) == 60
    await db.execute("update public.leads set space_id = $2 where id = $1", lead, world.space)
    assert await score_of(db, lead) == 10


async def test_a_change_the_score_does_not_depend_on_leaves_the_lead_alone(
    db: asyncpg.Connection, world: World
) -> None:
    await add_rule(db, world.shared, "job_title", "is_not_empty", None, 10)
    lead = await add_lead(db, world.shared, job_title="CEO")
    # a stale score (as a load with triggers off leaves it) is not fixed by unrelated changes ...
    await db.execute("set local session_replication_role = replica")
    await db.execute("update public.leads set score = 77 where id = $1", lead)
    await db.execute("set local session_replication_role = origin")
    await db.execute("update public.leads set status = 'contacted' where id = $1", lead)
    assert await score_of(db, lead) == 77
    # ... but by private.rescore_all_leads(), meant for after such loads
    assert await db.fetchval("select private.rescore_all_leads()") == 1
    assert await score_of(db, lead) == 10


# --------------------------------------------------------------------------------------------------------------
# Breakdown and preview under RLS
# --------------------------------------------------------------------------------------------------------------

PREVIEW = "select * from leadgen.preview_scoring($1::jsonb, $2::uuid)"
BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))
WRITES = """
select coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) from pg_stat_xact_user_tables
where relname in ('leads', 'lead_scoring_rules', 'lead_activities')
"""


def proposal(*rules: tuple[str, str, str | None, int]) -> str:
    return json.dumps([{"criteria_type": t, "condition": c, "value": v, "points": p} for t, c, v, p in rules])


async def become(conn: asyncpg.Connection, user: uuid.UUID, *, platform_admin: bool = False) -> None:
    """Switch the acting user inside an acting_as transaction."""
    await conn.execute(SET_CALLER, "authenticated", json.dumps(user_claims(user, platform_admin=platform_admin)))


async def test_breakdowns_follow_row_level_security(api_conn: asyncpg.Connection, world: World) -> None:
    async with acting_as(api_conn, user_claims(world.owner)) as conn:
        shared_rule = await add_rule(conn, world.shared, "job_title", "is_not_empty", None, 10)
        personal_rule = await add_rule(conn, world.personal, "job_title", "is_not_empty", None, 20)
        shared = await add_lead(conn, world.shared, job_title="CEO")
        personal = await add_lead(conn, world.personal, job_title="CEO")
        await become(conn, world.outsider)
        elsewhere_rule = await add_rule(conn, world.elsewhere, "job_title", "is_not_empty", None, 40)
        elsewhere = await add_lead(conn, world.elsewhere, job_title="CEO")
        leads = [shared, personal, elsewhere]

        async def seen() -> dict[uuid.UUID, dict[uuid.UUID, int]]:
            rows = await conn.fetch("select * from leadgen.score_breakdown($1::uuid[])", leads)
            return {lead: {r["rule_id"]: r["points"] for r in rows if r["lead_id"] == lead} for lead in leads}

        assert await seen() == {shared: {}, personal: {}, elsewhere: {elsewhere_rule: 40}}
        await become(conn, world.viewer)  # a viewer of the space: its leads only, not the owner's personal ones
        assert await seen() == {shared: {shared_rule: 10}, personal: {}, elsewhere: {}}
        await become(conn, world.owner)
        assert await seen() == {shared: {shared_rule: 10}, personal: {personal_rule: 20}, elsewhere: {}}
        await become(conn, world.admin, platform_admin=True)  # platform admins read everything
        assert await seen() == {
            shared: {shared_rule: 10},
            personal: {personal_rule: 20},
            elsewhere: {elsewhere_rule: 40},
        }


async def test_anon_can_call_neither_breakdown_nor_preview(api_conn: asyncpg.Connection) -> None:
    for sql, args in (
        ("select * from leadgen.score_breakdown($1::uuid[])", ([uuid.uuid4()],)),
        (PREVIEW, ("[]", None)),
    ):
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            async with acting_as(api_conn, ANON_CLAIMS) as conn:
                await conn.fetch(sql, *args)


async def test_the_preview_writes_nothing_and_predicts_what_the_rules_would_do(
    db: asyncpg.Connection, world: World
) -> None:
    scope = world.shared
    await add_rule(db, scope, "job_title", "contains", "chief", 50)
    await add_rule(db, scope, "timeline", "is_not_empty", None, 10, is_active=False)
    titles = ["Chief Executive", "Engineer", "Chief of Staff", None, "Intern"]
    for n in range(25):
        await add_lead(db, scope, job_title=titles[n % 5], timeline="Q1" if n % 2 else None, budget=n * 1000)
    await add_lead(db, world.personal, job_title="Chief Executive")  # another scope: not counted
    proposed = proposal(
        ("timeline", "is_not_empty", None, 45),
        ("budget", "greater_than", "12000", 30),
        ("job_title", "in", "intern,engineer", -20),
    )
    before = await db.fetchval("select md5(string_agg(l::text, ',' order by l.id)) from public.leads l")
    writes = await db.fetchval(WRITES)
    preview = await db.fetchrow(PREVIEW, proposed, world.space)
    assert preview is not None
    assert await db.fetchval(WRITES) == writes  # not a row inserted, updated or deleted
    assert await db.fetchval("select md5(string_agg(l::text, ',' order by l.id)) from public.leads l") == before

    async def space_scores() -> dict[uuid.UUID, int]:
        rows = await db.fetch("select id, score from public.leads where space_id = $1", world.space)
        return {r["id"]: r["score"] for r in rows}

    async def distribution() -> tuple[int, float, list[int]]:
        scores = list((await space_scores()).values())
        buckets = [sum(1 for s in scores if low <= s <= high) for low, high in BUCKETS]
        return len(scores), round(sum(scores) / len(scores), 2), buckets

    current = await distribution()
    assert current == (25, 20.0, [15, 0, 10, 0, 0])
    assert (preview["lead_count"], float(preview["current_average"]), preview["current_buckets"]) == current
    old = await space_scores()
    # now for real: the proposed rules replace the scope's rules
    await db.execute("delete from public.lead_scoring_rules where space_id = $1", world.space)
    for rule in json.loads(proposed):
        await add_rule(db, scope, rule["criteria_type"], rule["condition"], rule["value"], rule["points"])
    real = await distribution()
    assert (preview["lead_count"], float(preview["proposed_average"]), preview["proposed_buckets"]) == real
    new = await space_scores()
    assert preview["changed"] == sum(1 for lead, score in new.items() if old[lead] != score) > 0


async def test_without_an_active_proposed_rule_the_preview_changes_nothing(
    db: asyncpg.Connection, world: World
) -> None:
    await add_lead(db, world.shared, score=30)
    await add_lead(db, world.shared, score=90)
    for proposed in (
        "[]",
        json.dumps([{"criteria_type": "need", "condition": "is_empty", "points": 5, "is_active": False}]),
    ):
        preview = await db.fetchrow(PREVIEW, proposed, world.space)
        assert preview is not None
        assert preview["proposed_buckets"] == preview["current_buckets"] == [0, 1, 0, 0, 1]
        assert (preview["changed"], preview["proposed_average"]) == (0, 60)


async def test_the_preview_counts_only_the_callers_visible_leads(api_conn: asyncpg.Connection, world: World) -> None:
    proposed = proposal(("job_title", "is_not_empty", None, 50))
    async with acting_as(api_conn, user_claims(world.owner)) as conn:
        for _ in range(3):
            await add_lead(conn, world.shared, job_title="CEO")
        await add_lead(conn, world.personal, job_title="CEO")
        await become(conn, world.outsider)
        await add_lead(conn, Scope(world.outsider), job_title="CEO")
        for user, space, count in (
            (world.viewer, world.space, 3),  # a viewer previews the space's leads
            (world.outsider, world.space, 0),  # a non-member sees none of them
            (world.owner, None, 1),  # personal: the caller's own personal leads
            (world.outsider, None, 1),
            (world.viewer, None, 0),
        ):
            await become(conn, user)
            preview = await conn.fetchrow(PREVIEW, proposed, space)
            assert preview is not None
            assert preview["lead_count"] == count, (user, space)
            assert preview["proposed_buckets"][2] == count  # 50 points each


@pytest.mark.parametrize(
    ("rules", "problem"),
    [
        ('{"criteria_type": "need"}', "must be a JSON array"),
        ("[1]", "rule 0: not a JSON object"),
        ('[{"criteria_type": "shoe_size", "condition": "equals", "points": 1}]', "unknown criteria_type"),
        ('[{"criteria_type": "need", "condition": "like", "points": 1}]', "unknown condition"),
        ('[{"criteria_type": "need", "condition": "equals", "points": 101}]', "points must be"),
        ('[{"criteria_type": "need", "condition": "equals", "points": 1.5}]', "points must be"),
        ('[{"criteria_type": "need", "condition": "equals"}]', "points must be"),
        ('[{"criteria_type": "custom_field", "condition": "equals", "points": 1}]', "criteria_field is required"),
        ('[{"criteria_type": "need", "condition": "equals", "points": 1, "is_active": "yes"}]', "is_active"),
    ],
)
async def test_the_preview_refuses_malformed_rules(db: asyncpg.Connection, rules: str, problem: str) -> None:
    with pytest.raises(asyncpg.InvalidParameterValueError, match=problem):
        await db.fetch(PREVIEW, rules, None)


async def test_forms_and_scoring_agree_on_free_mail(db: asyncpg.Connection) -> None:
    """The Python list (forms' blockFreeEmail) and the SQL function (scoring) name the same providers."""
    source = await db.fetchval("select prosrc from pg_proc where oid = 'leadgen.is_free_email(text)'::regprocedure")
    in_sql = set(re.findall(r"'([a-z0-9.-]+\.[a-z]+)'", source))
    assert in_sql == set(FREE_EMAIL_DOMAINS)
    for domain in sorted(in_sql):
        assert await db.fetchval("select leadgen.is_free_email($1)", f"someone@{domain}") is True, domain
        assert is_free_email_domain(domain.upper()), domain
