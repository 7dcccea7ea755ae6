"""The dashboard query costs the same number of SQL statements for 5 leads as for 50: no N+1."""

from __future__ import annotations

import asyncpg
import pytest

from db.session import Caller, begin_statement
from gql.fast_path import CompiledReads
from gql.schema import build_schema
from resolvers.context import Limits
from tests.support.api import ALICE, ApiClient

pytestmark = pytest.mark.both_read_paths  # no N+1 on the general path; one statement on the compiled one

DASHBOARD = """
query Dashboard($n: Int!) {
  leads(first: $n, orderBy: SCORE_DESC) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id firstName lastName email score status
        company { id name }
        stage { id name color }
        source { id name type }
        assignedTo { id email }
        activities(first: 5) { nodes { id activityType createdAt } }
        campaigns(first: 5) { nodes { id name status } }
      }
    }
  }
}
"""


@pytest.mark.parametrize("n", [5, 50])
async def test_dashboard_returns_rows(api: ApiClient, n: int) -> None:
    response = await api.gql(DASHBOARD, {"n": n}, as_user=ALICE)
    assert response.errors == []
    edges = response.data["leads"]["edges"]
    assert len(edges) == n
    scores = [e["node"]["score"] for e in edges]
    assert scores == sorted(scores, reverse=True)
    assert any(e["node"]["company"] for e in edges)
    assert any(e["node"]["activities"]["nodes"] for e in edges)


async def test_statement_count_does_not_depend_on_page_size(api: ApiClient) -> None:
    small = await api.gql(DASHBOARD, {"n": 5}, as_user=ALICE)
    large = await api.gql(DASHBOARD, {"n": 50}, as_user=ALICE)
    assert small.errors == [] and large.errors == []
    assert small.statements is not None and large.statements is not None
    print(f"dashboard statements: n=5 -> {small.statements}, n=50 -> {large.statements}")
    assert small.statements == large.statements
    assert large.statements <= 10


async def test_compiled_dashboard_is_planned_once_and_reused(api: ApiClient) -> None:
    """Repeated executions reuse a generic plan instead of re-planning each time (page sizes are not bound)."""
    compiled = CompiledReads(build_schema(), Limits()).compile_text(DASHBOARD, None, {"n": 25})
    assert compiled is not None
    caller = Caller("authenticated", {"sub": ALICE, "role": "authenticated", "aud": "authenticated"})
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        await conn.execute(begin_statement(caller, readonly=True))
        statement = await conn.prepare(compiled.sql)
        answers = {await statement.fetchval(*compiled.params) for _ in range(8)}
        plans = await conn.fetchrow(
            "select generic_plans, custom_plans from pg_prepared_statements where statement = $1", compiled.sql
        )
        await conn.execute("rollback")
    finally:
        await conn.close()
    assert len(answers) == 1
    assert plans is not None
    print(f"compiled dashboard over 8 executions: {dict(plans)}")
    assert plans["generic_plans"] >= 3 and plans["custom_plans"] <= 5
