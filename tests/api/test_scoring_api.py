"""Lead scoring over HTTP: Lead.scoreBreakdown (one statement for any number of leads, under RLS), scores that
follow rule, lead and activity changes made through GraphQL or Studio, and previewScoringRules (right numbers,
nothing written, only the caller's visible leads)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from db.catalog import table
from gql.ids import global_id
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, SPACE, ApiClient, api_client
from tests.support.databases import with_user
from tests.support.http_app import custom_app
from tests.support.mutations import admin_fetch, admin_val, gid, ok, raw_id

SPACE_ID = gid("Space", SPACE)
BUCKETS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))

LEADS = """
query($n: Int!, $after: String) {
  leads(first: $n, after: $after, orderBy: CREATED_AT_ASC) {
    pageInfo { hasNextPage endCursor }
    nodes { id score jobTitle scoreBreakdown { points rule { id name points isActive criteriaType space { id } } } }
  }
}
"""
LEAD = "query($id: ID!) { lead(id: $id) { id score scoreBreakdown { points rule { id name } } } }"
PREVIEW = """
query($rules: [ScoringRuleInput!]!, $space: ID) {
  previewScoringRules(rules: $rules, space: $space) {
    changedCount
    current { count average buckets { min max count } }
    proposed { count average buckets { min max count } }
  }
}
"""
CREATE_RULE = "mutation($input: CreateScoringRuleInput!) { createScoringRule(input: $input) { id } }"
UPDATE_RULE = "mutation($id: ID!, $patch: ScoringRulePatch!) { updateScoringRule(id: $id, patch: $patch) { id } }"
DELETE_RULE = "mutation($id: ID!) { deleteScoringRule(id: $id) { deletedId } }"
PROPOSED = [
    {"criteriaType": "JOB_TITLE", "condition": "CONTAINS", "value": "director", "points": 45},
    {"criteriaType": "ACTIVITY_COUNT", "criteriaField": "*", "condition": "GREATER_THAN", "value": "3", "points": 20},
    {"criteriaType": "FREE_EMAIL", "condition": "EQUALS", "value": "true", "points": -30},
    {"criteriaType": "BUDGET", "condition": "IS_NOT_EMPTY", "points": 15, "isActive": False},
]


async def all_leads(api: ApiClient, user: str) -> list[dict[str, Any]]:
    leads: list[dict[str, Any]] = []
    after = None
    while True:
        page = ok(await api.gql(LEADS, {"n": 100, "after": after}, as_user=user))["leads"]
        leads += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return leads
        after = page["pageInfo"]["endCursor"]


async def scores_by_id(api: ApiClient, user: str = ALICE) -> dict[str, int]:
    return {lead["id"]: lead["score"] for lead in await all_leads(api, user)}


def clamped(contributions: list[dict[str, Any]]) -> int:
    return max(0, min(100, sum(int(c["points"]) for c in contributions)))


def assert_consistent(leads: list[dict[str, Any]]) -> None:
    """Every lead's score is the clamped sum of its breakdown (every demo scope has active rules)."""
    for lead in leads:
        assert lead["score"] == clamped(lead["scoreBreakdown"]), lead
        for contribution in lead["scoreBreakdown"]:
            assert contribution["points"] == contribution["rule"]["points"] and contribution["rule"]["isActive"]


# --------------------------------------------------------------------------------------------------------------
# Lead.scoreBreakdown
# --------------------------------------------------------------------------------------------------------------


async def test_every_demo_score_is_the_sum_of_its_breakdown(api: ApiClient) -> None:
    leads = await all_leads(api, ALICE)
    assert len(leads) == 275  # the space's and Alice's own
    assert_consistent(leads)
    assert sum(1 for lead in leads if lead["scoreBreakdown"]) > 200
    assert len({c["rule"]["id"] for lead in leads for c in lead["scoreBreakdown"]}) >= 9


async def test_breakdowns_cost_one_statement_for_any_number_of_leads(api: ApiClient) -> None:
    small = await api.gql(LEADS, {"n": 5}, as_user=ALICE)
    large = await api.gql(LEADS, {"n": 100}, as_user=ALICE)
    assert small.errors == [] and large.errors == []
    assert small.statements is not None and small.statements == large.statements
    plain = "query($n: Int!) { leads(first: $n) { nodes { id score %s } } }"
    async with custom_app(api, compiled_reads=False) as general:  # both counts on the DataLoader path
        counts = [
            (await general.client.gql(plain % extra, {"n": n}, as_user=ALICE)).statements or 0
            for extra in ("", "scoreBreakdown { points }")
            for n in (5, 100)
        ]
    assert counts[0] == counts[1] and counts[2] == counts[3] == counts[0] + 1  # one statement for all breakdowns


async def test_breakdowns_follow_row_level_security(api: ApiClient) -> None:
    erins = await all_leads(api, ERIN)
    assert len(erins) == 25
    assert_consistent(erins)
    erin_lead = erins[0]["id"]
    space_lead = (await all_leads(api, DAVE))[0]
    assert space_lead["scoreBreakdown"]  # a viewer sees the space's breakdowns ...
    assert ok(await api.gql(LEAD, {"id": erin_lead}, as_user=DAVE))["lead"] is None  # ... not another scope's
    assert ok(await api.gql(LEAD, {"id": space_lead["id"]}, as_user=ERIN))["lead"] is None
    seen = ok(await api.gql(LEAD, {"id": erin_lead}, as_user=PLATFORM_ADMIN))["lead"]
    assert seen["scoreBreakdown"] == [
        {"points": c["points"], "rule": {"id": c["rule"]["id"], "name": c["rule"]["name"]}}
        for c in erins[0]["scoreBreakdown"]
    ]


# --------------------------------------------------------------------------------------------------------------
# Scores follow what changes: rules, leads, activities; through GraphQL and through Studio
# --------------------------------------------------------------------------------------------------------------


async def test_rule_changes_rescore_existing_leads(api: ApiClient) -> None:
    before = await scores_by_id(api)
    input = {"space": SPACE_ID, "name": "Has a job title", "criteriaType": "JOB_TITLE", "condition": "IS_NOT_EMPTY"}
    rule = ok(await api.gql(CREATE_RULE, {"input": {**input, "points": 7}}, as_user=BOB))["createScoringRule"]["id"]
    try:
        after = await all_leads(api, ALICE)
        assert_consistent(after)
        raised = [lead for lead in after if any(c["rule"]["id"] == rule for c in lead["scoreBreakdown"])]
        assert len(raised) > 100 and all(lead["score"] >= before[lead["id"]] for lead in raised)
        assert any(lead["score"] > before[lead["id"]] for lead in raised)
        ok(await api.gql(UPDATE_RULE, {"id": rule, "patch": {"points": -100}}, as_user=BOB))
        assert all(s == 0 for lead, s in (await scores_by_id(api)).items() if lead in {r["id"] for r in raised})
        ok(await api.gql(UPDATE_RULE, {"id": rule, "patch": {"isActive": False}}, as_user=BOB))
        assert await scores_by_id(api) == before
        ok(await api.gql(UPDATE_RULE, {"id": rule, "patch": {"isActive": True, "points": 7}}, as_user=BOB))
        assert await scores_by_id(api) != before
    finally:
        ok(await api.gql(DELETE_RULE, {"id": rule}, as_user=BOB))
    assert await scores_by_id(api) == before


async def test_lead_writes_are_scored_and_a_written_score_is_replaced(api: ApiClient) -> None:
    create = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id score } }"
    update = "mutation($id: ID!, $patch: LeadPatch!) { updateLead(id: $id, patch: $patch) { id score jobTitle } }"
    input = {"space": SPACE_ID, "firstName": "Ada", "email": "ada@gmail.com", "score": 99}
    created = ok(await api.gql(create, {"input": input}, as_user=CAROL))["createLead"]
    lead = created["id"]
    try:
        assert created["score"] == 0  # the space's free-mail rule (-10) and nothing else: clamped to 0
        patched = ok(await api.gql(update, {"id": lead, "patch": {"jobTitle": "Founder & CEO"}}, as_user=CAROL))
        assert patched["updateLead"]["score"] == 15  # executive buyer +25, free mail -10
        patched = ok(await api.gql(update, {"id": lead, "patch": {"score": 80}}, as_user=CAROL))
        assert patched["updateLead"]["score"] == 15
        # Studio: a superuser edit, no GraphQL in between
        await admin_val(api, "update public.leads set email = 'ada@initech.com' where id = $1", uuid.UUID(raw_id(lead)))
        assert ok(await api.gql(LEAD, {"id": lead}, as_user=DAVE))["lead"]["score"] == 25
    finally:
        await admin_val(api, "delete from public.leads where id = $1", uuid.UUID(raw_id(lead)))


async def test_logging_an_activity_rescores_the_lead(api: ApiClient) -> None:
    # the space rewards leads that replied to an email (+10)
    row = (
        await admin_fetch(
            api,
            "select l.id, l.score from public.leads l where l.space_id = $1 and l.score between 1 and 90 and not exists"
            " (select 1 from public.lead_activities a where a.lead_id = l.id and a.activity_type = 'email_replied')"
            " order by l.id limit 1",
            uuid.UUID(SPACE),
        )
    )[0]
    lead = global_id("Lead", row["id"])
    log = "mutation($input: LogActivityInput!) { logActivity(input: $input) { id } }"
    ok(await api.gql(log, {"input": {"lead": lead, "activityType": "EMAIL_REPLIED"}}, as_user=CAROL))
    assert ok(await api.gql(LEAD, {"id": lead}, as_user=CAROL))["lead"]["score"] == row["score"] + 10


# --------------------------------------------------------------------------------------------------------------
# previewScoringRules
# --------------------------------------------------------------------------------------------------------------


def distribution(scores: list[int]) -> dict[str, Any]:
    return {
        "count": len(scores),
        "average": round(sum(scores) / len(scores), 2) if scores else None,
        "buckets": [
            {"min": low, "max": high, "count": sum(1 for s in scores if low <= s <= high)} for low, high in BUCKETS
        ],
    }


async def fingerprint(api: ApiClient) -> list[str]:
    return [
        await admin_val(api, f"select md5(coalesce(string_agg(t::text, ',' order by t.id), '')) from public.{name} t")
        for name in ("leads", "lead_scoring_rules", "lead_activities")
    ]


async def really(api: ApiClient, rules: list[dict[str, Any]]) -> list[int]:
    """The space's scores if `rules` replaced its rules: applied for real as a superuser, then rolled back."""
    conn = await asyncpg.connect(api.admin_dsn)
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute("delete from public.lead_scoring_rules where space_id = $1", uuid.UUID(SPACE))
        for rule in rules:
            await conn.execute(
                "insert into public.lead_scoring_rules (user_id, space_id, name, criteria_type, criteria_field,"
                " condition, value, points, is_active) values ($1, $2, 'proposed', $3, $4, $5, $6, $7, $8)",
                uuid.UUID(ALICE),
                uuid.UUID(SPACE),
                rule["criteriaType"].lower(),
                rule.get("criteriaField"),
                rule["condition"].lower(),
                rule.get("value"),
                rule["points"],
                rule.get("isActive", True),
            )
        return [
            r["score"] for r in await conn.fetch("select score from public.leads where space_id = $1", uuid.UUID(SPACE))
        ]
    finally:
        await tx.rollback()
        await conn.close()


async def test_the_preview_is_right_and_writes_nothing(api: ApiClient) -> None:
    before = await fingerprint(api)
    current = [lead["score"] for lead in await all_leads(api, DAVE)]
    preview = ok(await api.gql(PREVIEW, {"rules": PROPOSED, "space": SPACE_ID}, as_user=DAVE))["previewScoringRules"]
    assert await fingerprint(api) == before
    assert preview["current"] == distribution(current)
    proposed = await really(api, PROPOSED)
    assert preview["proposed"] == distribution(proposed)
    changed = await admin_val(api, "select count(*) from public.leads where space_id = $1", uuid.UUID(SPACE))
    assert 0 < preview["changedCount"] <= changed
    assert preview["current"]["count"] == 240


@pytest.mark.parametrize(
    ("user", "space", "count"),
    [(DAVE, SPACE_ID, 240), (PLATFORM_ADMIN, SPACE_ID, 240), (ERIN, None, 25), (ALICE, None, 35), (DAVE, None, 0)],
)
async def test_the_preview_covers_the_callers_visible_leads(
    api: ApiClient, user: str, space: str | None, count: int
) -> None:
    preview = ok(await api.gql(PREVIEW, {"rules": PROPOSED, "space": space}, as_user=user))["previewScoringRules"]
    assert preview["current"]["count"] == preview["proposed"]["count"] == count
    if count == 0:
        assert preview["current"]["average"] is None and preview["changedCount"] == 0


async def test_the_preview_of_a_space_one_cannot_see_is_not_found(api: ApiClient) -> None:
    response = await api.gql(PREVIEW, {"rules": PROPOSED, "space": SPACE_ID}, as_user=ERIN)
    assert response.codes == ["NOT_FOUND"] and response.data == {"previewScoringRules": None}
    assert (await api.gql(PREVIEW, {"rules": []})).codes == ["FORBIDDEN"]  # anonymous


@pytest.mark.parametrize(
    ("rules", "space", "field"),
    [
        ([{**PROPOSED[0], "points": 101}], None, "rules[0].points"),
        (
            [PROPOSED[0], {"criteriaType": "CUSTOM_FIELD", "condition": "EQUALS", "points": 5}],
            None,
            "rules[1].criteriaField",
        ),
        ([{**PROPOSED[0], "value": "x" * 2001}], None, "rules[0].value"),
        ([PROPOSED[0]] * 101, None, "rules"),
        (PROPOSED, gid("Lead", uuid.uuid4()), "space"),
    ],
)
async def test_the_preview_refuses_bad_input(
    api: ApiClient, rules: list[dict[str, Any]], space: str | None, field: str
) -> None:
    response = await api.gql(PREVIEW, {"rules": rules, "space": space}, as_user=ALICE)
    assert response.codes == ["BAD_USER_INPUT"], response.errors
    assert response.errors[0]["extensions"]["field"] == field


async def test_both_read_paths_agree_on_breakdowns(api: ApiClient, tmp_path: Path) -> None:
    """scoreBreakdown is a resolver, not a catalog relation: the compiled read path leaves such queries to the
    general path, and the answers are the same either way."""
    assert "score_breakdown" not in table("leads").relations
    dsn = with_user(api.admin_dsn, "leadgen_api")
    async with (
        api_client(dsn, tmp_path, compiled_reads=True) as compiled,
        api_client(dsn, tmp_path, compiled_reads=False) as general,
    ):
        for user in (ALICE, DAVE, ERIN):
            answers = [await client.gql(LEADS, {"n": 30}, as_user=user) for client in (compiled, general)]
            assert answers[0].body == answers[1].body
            assert answers[0].errors == []
