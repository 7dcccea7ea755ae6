"""Generated queries (hypothesis-graphql) get identical answers from the compiled and the general path."""

from __future__ import annotations

import datetime as dt

import graphql
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from gql.schema import build_schema
from tests.differential.conftest import Paths
from tests.support.api import ALICE, CAROL, ERIN


def generation_schema() -> graphql.GraphQLSchema:
    """The schema without User.invitations: the caller's own invitations are read by the general path only (matched
    by the token's email, not a key the compiled path joins on), and User is reachable from most types, so most
    generated queries would pick it and never be compiled."""
    schema = graphql.build_ast_schema(graphql.parse(graphql.print_schema(build_schema()._schema)))
    user = schema.type_map["User"]
    assert isinstance(user, graphql.GraphQLObjectType)
    del user.fields["invitations"]
    return schema


SCHEMA = generation_schema()
ROOT_FIELDS = [
    "leads",
    "companies",
    "leadStages",
    "campaigns",
    "activities",
    "spaces",
    "viewer",
    "workflows",
    "leadForms",
]
CUSTOM_SCALARS = {
    "DateTime": st.datetimes(
        min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2027, 1, 1), timezones=st.just(dt.UTC)
    ).map(lambda d: nodes.String(d.isoformat())),
    "Date": st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2027, 12, 31)).map(nodes.String),
    "Decimal": st.decimals(min_value=0, max_value=10**6, places=2).map(nodes.String),
    "JSON": st.just(graphql.ObjectValueNode(fields=())),
    "CustomFieldValue": st.one_of(
        st.sampled_from(["email", "phone", "2027-03-01", "Sam Okoro"]).map(nodes.String),
        st.integers(min_value=-5, max_value=100).map(lambda i: graphql.IntValueNode(value=str(i))),
        st.booleans().map(lambda b: graphql.BooleanValueNode(value=b)),
    ),
}
GENERATED = queries(SCHEMA, fields=ROOT_FIELDS, custom_scalars=CUSTOM_SCALARS, allow_x00=False)
USERS = st.sampled_from([ALICE, CAROL, ERIN])
compiled_count = {"compiled": 0, "total": 0}


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(query=GENERATED, user=USERS)
async def test_generated_queries_agree(paths: Paths, query: str, user: str) -> None:
    general = await paths.general.gql(query, as_user=user)
    compiled = await paths.compiled.gql(query, as_user=user)
    assert compiled.status == general.status, query
    assert compiled.body == general.body, query
    compiled_count["total"] += 1
    compiled_count["compiled"] += compiled.statements == 3 and general.statements != 3


def test_generated_queries_exercise_the_compiled_path() -> None:
    """Guards the comparison's worth: a good share of the generated queries must really be compiled."""
    print(f"\ngenerated queries: {compiled_count['compiled']} of {compiled_count['total']} took the compiled path")
    assert compiled_count["total"] >= 100
    assert compiled_count["compiled"] >= compiled_count["total"] // 5
