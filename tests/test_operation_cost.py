"""The cost of an operation, computed before it runs: page sizes multiply along nesting, aliases add up."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse

from gql.cost import CostLimits, operation_cost
from gql.schema import build_schema

SCHEMA = build_schema()._schema
LIMITS = CostLimits(max_cost=50_000, default_page_size=20, max_page_size=100, list_estimate=20)

# The report's "cost bomb": ~400 bytes that pass the depth and alias limits.
BOMB_ALIAS = (
    "leadStages(first:100){nodes{leads(first:100){nodes{stage{leads(first:100){nodes{stage{"
    "leads(first:100){nodes{id}}}}}}}}}}"
)
BOMB = "{ a0: " + BOMB_ALIAS + " a1: " + BOMB_ALIAS + " }"


def cost(query: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    document = parse(query)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(o for o in operations if name is None or (o.name and o.name.value == name))
    return operation_cost(SCHEMA, document, operation, variables or {}, LIMITS)


def test_the_report_bomb_costs_what_its_page_sizes_multiply_to() -> None:
    # per alias: the stages' connection and its 100 stages; per stage a leads connection and 100 leads; per lead
    # a stage, its leads connection and 100 leads; per such lead a stage, a connection and the last 100 leads
    one = 1 + 100 + (100 + 100**2) + (100**2 + 100**2 + 100**3) + (100**3 + 100**3 + 100**4)
    assert cost("{ a0: " + BOMB_ALIAS + " }") == one
    assert cost(BOMB) == 2 * one


def test_scalars_cost_nothing_and_to_one_fields_cost_one_per_parent() -> None:
    assert cost("{ viewer { id email } }") == 1
    assert cost("{ leads(first: 10) { totalCount nodes { id } } }") == 1 + 10
    assert cost("{ leads(first: 10) { nodes { id company { id } stage { id } } } }") == 1 + 10 + 10 + 10


def test_nodes_and_edges_both_count() -> None:
    assert cost("{ leads(first: 5) { nodes { id } edges { cursor node { id } } pageInfo { hasNextPage } } }") == (
        1 + 5 + 5 + 5 + 1
    )


def test_default_page_size_and_variables() -> None:
    assert cost("{ leads { nodes { id } } }") == 1 + 20
    assert cost("query($n: Int) { leads(first: $n) { nodes { id } } }", {"n": 7}) == 1 + 7
    assert cost("query($n: Int) { leads(first: $n) { nodes { id } } }", {}) == 1 + 20


def test_a_first_over_the_maximum_counts_as_the_maximum() -> None:
    # the field refuses it by name (BAD_USER_INPUT naming `first`): the cost does not hide that answer
    assert cost("{ leads(first: 1000000) { nodes { id } } }") == 1 + 100


def test_aliases_add_up_and_fields_merged_by_graphql_count_once() -> None:
    assert cost("{ a: leads(first: 10) { nodes { id } } b: leads(first: 10) { nodes { id } } }") == 2 * 11
    assert cost("{ leads(first: 10) { nodes { id } } leads(first: 10) { nodes { email } } }") == 11


def test_fragments_count_where_they_are_spread() -> None:
    query = """
    fragment L on Lead { company { id } activities(first: 3) { nodes { id } } }
    query { leads(first: 10) { nodes { ...L ... on Lead { stage { id } } } } }
    """
    assert cost(query) == 1 + 10 + 10 + 10 + 10 * 3 + 10


def test_skip_and_include_are_honoured() -> None:
    query = "query($x: Boolean!) { leads(first: 10) { nodes { company @include(if: $x) { id } } } }"
    assert cost(query, {"x": True}) == 21
    assert cost(query, {"x": False}) == 11


def test_plain_lists_count_their_ids_or_the_estimate() -> None:
    assert cost('{ nodes(ids: ["a", "b", "c"]) { id } }') == 3
    assert cost("{ leadForms(first: 2) { nodes { fields { id } } } }") == 1 + 2 + 2 * 20


def test_abstract_types_cost_their_most_expensive_member() -> None:
    query = '{ node(id: "x") { ... on Lead { activities(first: 4) { nodes { id } } } ... on Company { id } } }'
    assert cost(query) == 1 + 1 + 4


def test_mutations_are_costed_too() -> None:
    query = (
        "mutation { updateLeads(filter: {}, patch: {status: NEW}) "
        "{ leads { activities(first: 10) { nodes { id } } } } }"
    )
    assert cost(query) == 1 + 20 + 20 + 20 * 10


def test_the_operation_named_is_the_one_costed() -> None:
    query = "query A { leads(first: 1) { nodes { id } } } query B { leads(first: 9) { nodes { id } } }"
    assert cost(query, name="A") == 2
    assert cost(query, name="B") == 10


@pytest.mark.parametrize("query", ["{ __schema { types { fields { name } } } }", "{ __typename }"])
def test_introspection_is_not_counted(query: str) -> None:
    assert cost(query) == 0
