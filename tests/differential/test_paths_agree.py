"""The compiled read path and the Strawberry + DataLoader path give identical responses, errors included."""

from __future__ import annotations

import asyncpg
import pytest

from tests.differential.conftest import Paths
from tests.differential.corpus import cases
from tests.support.api import ALICE, BOB, DAVE, ERIN, PLATFORM_ADMIN

USERS = [ALICE, BOB, DAVE, ERIN, PLATFORM_ADMIN, None]

NOT_COMPILED = [
    ("unknown-id", "query N($id: ID!) { node(id: $id) { id } }", {"id": "bm9wZQ=="}),
    ("bad-first", "{ leads(first: 1000) { nodes { id } } }", {}),
    ("bad-cursor", '{ leads(after: "garbage") { nodes { id } } }', {}),
    ("bad-filter-id", '{ leads(filter: {stage: {eq: "x"}}) { nodes { id } } }', {}),
    ("invalid-document", "{ leads { nodes { nope } } }", {}),
    ("many-nodes", "{ nodes(ids: []) { id } }", {}),
    ("typename-only", "{ __typename }", {}),  # needs no data: answered without a transaction
]


async def _lead_and_cursor(paths: Paths, user: str | None) -> tuple[str, str]:
    response = await paths.general.gql(
        "{ leads(first: 3, orderBy: SCORE_DESC) { edges { cursor node { id } } } }", as_user=user
    )
    edges = response.data["leads"]["edges"] if response.data else []
    if not edges:
        return (
            "00000000-0000-4000-8000-000000000000",
            "WyJzY29yZV9kZXNjIiwgNTAsICIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiXQ==",
        )
    from gql.ids import parse_global_id

    parsed = parse_global_id(edges[-1]["node"]["id"])
    assert parsed is not None
    return str(parsed[1]), edges[0]["cursor"]


@pytest.mark.parametrize("user", USERS, ids=lambda u: u or "anon")
async def test_corpus_agrees_and_compiles(paths: Paths, user: str | None) -> None:
    lead_id, cursor = await _lead_and_cursor(paths, user)
    for name, query, variables in cases(lead_id, cursor):
        general = await paths.general.gql(query, variables, as_user=user)
        compiled = await paths.compiled.gql(query, variables, as_user=user)
        assert compiled.body == general.body, name
        if user is None:
            continue  # anonymous callers always take the general path (they may read no table)
        assert general.errors == [], (name, general.errors)
        assert compiled.statements == 3, f"{name} did not take the compiled path ({compiled.statements} statements)"


@pytest.mark.parametrize(("name", "query", "variables"), NOT_COMPILED, ids=[c[0] for c in NOT_COMPILED])
async def test_errors_and_unsupported_operations_agree(
    paths: Paths, name: str, query: str, variables: dict[str, object]
) -> None:
    general = await paths.general.gql(query, variables, as_user=ALICE)
    compiled = await paths.compiled.gql(query, variables, as_user=ALICE)
    assert compiled.status == general.status
    assert compiled.body == general.body
    assert compiled.statements == general.statements  # the general path answered both


async def test_compiled_path_runs_under_rls(paths: Paths) -> None:
    """The same statement for two users returns each one's rows (RLS inside the one statement)."""
    query = "{ leads(first: 100) { totalCount nodes { id } } }"
    alice = await paths.compiled.gql(query, as_user=ALICE)
    erin = await paths.compiled.gql(query, as_user=ERIN)
    assert alice.statements == erin.statements == 3
    conn = await asyncpg.connect(paths.compiled.admin_dsn)
    try:
        erin_total = await conn.fetchval("select count(*) from leads where user_id = $1 and space_id is null", ERIN)
    finally:
        await conn.close()
    assert erin.data["leads"]["totalCount"] == erin_total
    assert {n["id"] for n in erin.data["leads"]["nodes"]}.isdisjoint({n["id"] for n in alice.data["leads"]["nodes"]})
