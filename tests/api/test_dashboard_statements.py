"""The dashboard query costs the same number of SQL statements for 5 leads as for 50: no N+1."""

from __future__ import annotations

import pytest

from tests.support.api import ALICE, ApiClient

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
