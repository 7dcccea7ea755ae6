"""Analytics under RLS: every figure equals hand-written SQL over the demo data, for what each caller may see."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from typing import Any

import pytest

from tests.support.api import ALICE, CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_fetch, gid, ok, raw_id, refused

ANALYTICS = """
query($space: ID, $from: DateTime, $to: DateTime) {
  analytics(space: $space, from: $from, to: $to) {
    leadCount conversionCount conversionRate averageScore
    funnel { stage { id name stageOrder } leadCount reached conversionToNext }
    bySource { source { id name } leadCount conversionCount conversionRate }
    byCampaign { campaign { id name } leadCount conversionCount conversionRate }
    byWeek { weekStart leadCount conversionCount }
  }
}
"""
FROM, TO = "2026-09-01T00:00:00Z", "2026-10-15T00:00:00Z"

# Hand-written: the leads of a scope ($1 a space, else the personal leads of $2) created in [$3, $4).
LEADS = """
select l.* from public.leads l
where case when $1::uuid is null then l.space_id is null and l.user_id = $2::uuid else l.space_id = $1::uuid end
  and ($3::timestamptz is null or l.created_at >= $3) and ($4::timestamptz is null or l.created_at < $4)
"""
OF_SCOPE = "case when $1::uuid is null then x.space_id is null and x.user_id = $2::uuid else x.space_id = $1::uuid end"


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


async def expected(api: ApiClient, user: str, space: str | None, start: str | None, end: str | None) -> dict[str, Any]:
    """The analytics of a scope, computed from the tables directly (as the superuser, with the scope spelled out)."""
    args = (
        uuid.UUID(space) if space else None,
        uuid.UUID(user),
        dt.datetime.fromisoformat(start) if start else None,
        dt.datetime.fromisoformat(end) if end else None,
    )
    totals = (
        await admin_fetch(
            api,
            f"select count(*) as n, count(*) filter (where converted_to_customer) as c, avg(score)::float8 as avg"
            f" from ({LEADS}) l",
            *args,
        )
    )[0]
    stages = await admin_fetch(
        api,
        f"select x.id::text, x.name, (select count(*) from ({LEADS}) l where l.stage_id = x.id) as n"
        f" from public.lead_stages x where {OF_SCOPE} order by x.stage_order, x.id",
        *args,
    )
    funnel = []
    for i, stage in enumerate(stages):
        reached = sum(s["n"] for s in stages[i:])
        following = sum(s["n"] for s in stages[i + 1 :]) if i + 1 < len(stages) else None
        funnel.append(
            {
                "stage": stage["id"],
                "leadCount": stage["n"],
                "reached": reached,
                "conversionToNext": rate(following, reached) if following is not None else None,
            }
        )
    sources = await admin_fetch(
        api,
        f"select x.id::text as id, count(l.id) as n, count(l.id) filter (where l.converted_to_customer) as c"
        f" from public.lead_sources x left join ({LEADS}) l on l.source_id = x.id where {OF_SCOPE} group by x.id"
        f" union all select null, count(*), count(*) filter (where l.converted_to_customer) from ({LEADS}) l"
        " where l.source_id is null having count(*) > 0",
        *args,
    )
    campaigns = await admin_fetch(
        api,
        f"select x.id::text as id, count(l.id) as n, count(l.id) filter (where l.converted_to_customer) as c"
        " from public.lead_campaigns x left join public.lead_campaign_associations a on a.campaign_id = x.id"
        f" left join ({LEADS}) l on l.id = a.lead_id where {OF_SCOPE} group by x.id",
        *args,
    )
    weeks = await admin_fetch(
        api,
        "select date_trunc('week', l.created_at at time zone 'UTC')::date as week, count(*) as n,"
        f" count(*) filter (where l.converted_to_customer) as c from ({LEADS}) l group by 1",
        *args,
    )
    return {
        "leadCount": totals["n"],
        "conversionCount": totals["c"],
        "conversionRate": rate(totals["c"], totals["n"]),
        "averageScore": totals["avg"],
        "funnel": funnel,
        "bySource": {r["id"]: (r["n"], r["c"], rate(r["c"], r["n"])) for r in sources},
        "byCampaign": {r["id"]: (r["n"], r["c"], rate(r["c"], r["n"])) for r in campaigns},
        "byWeek": {r["week"].isoformat(): (r["n"], r["c"]) for r in weeks},
    }


def close(a: float | None, b: float | None) -> bool:
    return (a is None and b is None) or (a is not None and b is not None and abs(a - b) < 1e-9)


def compare(actual: dict[str, Any], wanted: dict[str, Any]) -> None:
    assert (actual["leadCount"], actual["conversionCount"]) == (wanted["leadCount"], wanted["conversionCount"])
    assert close(actual["conversionRate"], wanted["conversionRate"])
    assert close(actual["averageScore"], wanted["averageScore"])
    funnel = [
        {
            "stage": raw_id(f["stage"]["id"]),
            "leadCount": f["leadCount"],
            "reached": f["reached"],
            "conversionToNext": f["conversionToNext"],
        }
        for f in actual["funnel"]
    ]
    assert [f["stage"] for f in funnel] == [f["stage"] for f in wanted["funnel"]]
    for got, want in zip(funnel, wanted["funnel"], strict=True):
        assert (got["leadCount"], got["reached"]) == (want["leadCount"], want["reached"])
        assert close(got["conversionToNext"], want["conversionToNext"])
    by_source = {
        (raw_id(s["source"]["id"]) if s["source"] else None): (
            s["leadCount"],
            s["conversionCount"],
            s["conversionRate"],
        )
        for s in actual["bySource"]
    }
    assert by_source.keys() == wanted["bySource"].keys()
    for key, (n, c, r) in by_source.items():
        assert (n, c) == wanted["bySource"][key][:2] and close(r, wanted["bySource"][key][2])
    counts = [s["leadCount"] for s in actual["bySource"]]
    assert counts == sorted(counts, reverse=True)
    by_campaign = {
        raw_id(c["campaign"]["id"]): (c["leadCount"], c["conversionCount"], c["conversionRate"])
        for c in actual["byCampaign"]
    }
    assert by_campaign.keys() == wanted["byCampaign"].keys()
    for key, (n, c, r) in by_campaign.items():
        assert (n, c) == wanted["byCampaign"][key][:2] and close(r, wanted["byCampaign"][key][2])
    weeks = {w["weekStart"]: (w["leadCount"], w["conversionCount"]) for w in actual["byWeek"]}
    assert {k: v for k, v in weeks.items() if v != (0, 0)} == wanted["byWeek"]
    starts = [dt.date.fromisoformat(w["weekStart"]) for w in actual["byWeek"]]
    assert all(d.weekday() == 0 for d in starts)
    assert all(b - a == dt.timedelta(days=7) for a, b in itertools.pairwise(starts))


CASES = [
    pytest.param(ALICE, SPACE, None, None, id="alice-space"),
    pytest.param(ALICE, SPACE, FROM, TO, id="alice-space-range"),
    pytest.param(ALICE, None, None, None, id="alice-personal"),
    pytest.param(ERIN, None, None, None, id="erin-personal"),
    pytest.param(ERIN, None, FROM, None, id="erin-personal-from"),
    pytest.param(DAVE, SPACE, None, TO, id="dave-space-to"),
]


@pytest.mark.parametrize(("user", "space", "start", "end"), CASES)
async def test_analytics_equal_hand_written_sql(
    api: ApiClient, user: str, space: str | None, start: str | None, end: str | None
) -> None:
    variables = {"space": gid("Space", space) if space else None, "from": start, "to": end}
    response = await api.gql(ANALYTICS, variables, as_user=user)
    actual = ok(response)["analytics"]
    compare(actual, await expected(api, user, space, start, end))
    assert actual["leadCount"] > 0 and actual["funnel"] and actual["bySource"] and actual["byWeek"]
    # BEGIN, the totals, the funnel, by source, by campaign, by week, COMMIT: one statement per figure
    assert response.statements == 7


async def test_the_weeks_span_the_range(api: ApiClient) -> None:
    variables = {"space": gid("Space", SPACE), "from": "2026-10-07T00:00:00Z", "to": "2026-10-21T12:00:00Z"}
    weeks = ok(
        await api.gql(
            "query($space: ID, $from: DateTime, $to: DateTime) { analytics(space: $space,"
            " from: $from, to: $to) { byWeek { weekStart } } }",
            variables,
            as_user=CAROL,
        )
    )
    assert [w["weekStart"] for w in weeks["analytics"]["byWeek"]] == ["2026-10-05", "2026-10-12", "2026-10-19"]


async def test_rls_decides_what_counts(api: ApiClient) -> None:
    """Erin is no member of the space: its analytics are empty for her, not someone else's numbers."""
    variables = {"space": gid("Space", SPACE), "from": FROM, "to": TO}
    erin = ok(await api.gql(ANALYTICS, variables, as_user=ERIN))["analytics"]
    assert (erin["leadCount"], erin["conversionCount"], erin["averageScore"], erin["conversionRate"]) == (
        0,
        0,
        None,
        None,
    )
    assert erin["funnel"] == [] and erin["bySource"] == [] and erin["byCampaign"] == []
    assert {(w["leadCount"], w["conversionCount"]) for w in erin["byWeek"]} == {(0, 0)}
    # members of every role see the same numbers
    alice = ok(await api.gql(ANALYTICS, variables, as_user=ALICE))["analytics"]
    for user in (CAROL, DAVE):
        assert ok(await api.gql(ANALYTICS, variables, as_user=user))["analytics"] == alice


async def test_bad_arguments(api: ApiClient) -> None:
    query = (
        "query($space: ID, $from: DateTime, $to: DateTime)"
        " { analytics(space: $space, from: $from, to: $to) { leadCount } }"
    )
    refused(await api.gql(query, {"from": TO, "to": FROM}, as_user=ALICE), "BAD_USER_INPUT", "to")
    refused(await api.gql(query, {"space": gid("Lead", SPACE)}, as_user=ALICE), "BAD_USER_INPUT", "space")
    # anon may read no table at all: a clean FORBIDDEN, as for every other collection
    assert (await api.gql(query, {})).codes == ["FORBIDDEN"]
