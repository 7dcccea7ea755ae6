"""One operation = one transaction as the caller: all-or-nothing mutations, read-only queries, role and claims.

Most tests go through the real schema. A small probe schema, served by the same endpoint class over the same
database, looks inside the transaction a request runs in (current_user, the claims, read-only or not), which
the real schema rightly never exposes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
import strawberry

from gql.ids import global_id
from gql.schema import LeadgenSchema
from resolvers.context import Context
from server.graphql_endpoint import STATEMENTS_HEADER
from tests.support.api import ALICE, BOB, CAROL, ERIN, PLATFORM_ADMIN, SPACE, ApiClient
from tests.support.http_app import (
    admin_connection,
    admin_val,
    custom_app,
    lead_gid,
    lead_row,
    seed_lead_id,
)

ProbeInfo = strawberry.Info[Context, None]


async def leads_with_email_like(api: ApiClient, pattern: str) -> int:
    return int(await admin_val(api, "select count(*) from public.leads where email like $1", pattern))


# ---------------------------------------------------------------------------------------------------------
# All or nothing
# ---------------------------------------------------------------------------------------------------------


async def test_a_failing_second_field_undoes_the_first(api: ApiClient) -> None:
    response = await api.gql(
        """
        mutation Two($id: ID!) {
          created: createLead(input: {email: "tx-first@example.com"}) { id }
          updated: updateLead(id: $id, patch: {email: "not an email"}) { id }
        }
        """,
        {"id": lead_gid(241)},
        as_user=ALICE,
    )
    assert response.status == 200
    assert response.data is None
    assert response.codes == ["BAD_USER_INPUT"]
    assert response.errors[0]["path"] == ["updated"]
    assert response.errors[0]["extensions"]["field"] == "patch.email"
    assert await leads_with_email_like(api, "tx-first@%") == 0


async def test_a_refused_foreign_delete_undoes_the_create_before_it(api: ApiClient) -> None:
    before = await lead_row(api, seed_lead_id(1))
    response = await api.gql(
        """
        mutation Two($id: ID!) {
          createLead(input: {email: "tx-erin@example.com"}) { id }
          deleteLead(id: $id) { deletedId }
        }
        """,
        {"id": lead_gid(1)},
        as_user=ERIN,
    )
    assert response.data is None
    assert response.codes == ["NOT_FOUND"]
    assert await leads_with_email_like(api, "tx-erin@%") == 0
    assert await lead_row(api, seed_lead_id(1)) == before


async def test_two_successful_fields_commit_both(api: ApiClient) -> None:
    response = await api.gql(
        """
        mutation Both($space: ID!) {
          a: createLead(input: {email: "tx-both-a@example.com"}) { id email }
          b: createLead(input: {email: "tx-both-b@example.com", space: $space}) { id email }
        }
        """,
        {"space": global_id("Space", SPACE)},
        as_user=CAROL,
    )
    assert response.errors == []
    assert response.data["a"]["email"] == "tx-both-a@example.com"
    assert response.data["b"]["email"] == "tx-both-b@example.com"
    assert await leads_with_email_like(api, "tx-both-%") == 2
    assert (
        await admin_val(api, "select count(*) from public.leads where email like 'tx-both-%' and user_id = $1", CAROL)
        == 2
    )


async def test_after_a_failed_statement_nothing_else_runs_and_only_the_cause_is_reported(api: ApiClient) -> None:
    # The first insert is refused by RLS inside Postgres, which aborts the transaction: the second field is
    # not run, and only the first error (the cause) is reported.
    response = await api.gql(
        """
        mutation Abort($space: ID!) {
          a: createLead(input: {email: "tx-abort-a@example.com", space: $space}) { id }
          b: createLead(input: {email: "tx-abort-b@example.com"}) { id }
        }
        """,
        {"space": global_id("Space", SPACE)},
        as_user=ERIN,
    )
    assert response.data is None
    assert response.codes == ["FORBIDDEN"]
    assert response.errors[0]["path"] == ["a"]
    assert await leads_with_email_like(api, "tx-abort-%") == 0


async def test_a_failed_mutation_returns_its_connection_in_a_clean_state(api: ApiClient) -> None:
    # Many failed mutations in a row, on a pool of 4: each one rolled back, none leaks a broken connection.
    for _ in range(10):
        failed = await api.gql(
            'mutation($space: ID!) { createLead(input: {email: "tx-pool@example.com", space: $space}) { id } }',
            {"space": global_id("Space", SPACE)},
            as_user=ERIN,
        )
        assert failed.codes == ["FORBIDDEN"]
    ok = await api.gql("{ viewer { id } leads { totalCount } }", as_user=ERIN)
    assert ok.errors == []
    assert ok.data["leads"]["totalCount"] == 25


# A deferred constraint fails at COMMIT, after every field succeeded (the workflow actions' order key is one,
# in the real schema). The test adds such a constraint on leads to its own copy of the database.
DEFERRED_CHECK = """
create or replace function public.test_refuse_at_commit() returns trigger language plpgsql as $$
begin
  if new.first_name = 'refused-at-commit' then
    raise exception 'duplicate at commit' using errcode = '23505', constraint = 'leads_test_deferred_key';
  end if;
  return null;
end $$;
drop trigger if exists leads_test_deferred on public.leads;
create constraint trigger leads_test_deferred after insert on public.leads
  deferrable initially deferred for each row execute function public.test_refuse_at_commit();
"""


@pytest_asyncio.fixture
async def deferred_constraint(api: ApiClient) -> AsyncIterator[None]:
    async with admin_connection(api) as conn:
        await conn.execute(DEFERRED_CHECK)
    try:
        yield
    finally:
        async with admin_connection(api) as conn:
            await conn.execute(
                "drop trigger leads_test_deferred on public.leads; drop function public.test_refuse_at_commit()"
            )


@pytest.mark.usefixtures("deferred_constraint")
async def test_a_commit_that_fails_is_a_clean_error_with_no_data(api: ApiClient) -> None:
    response = await api.gql(
        'mutation { createLead(input: {firstName: "refused-at-commit", email: "tx-commit@example.com"}) { id } }',
        as_user=ALICE,
    )
    assert response.status == 200
    assert response.data is None
    assert response.codes == ["CONFLICT"]
    assert await leads_with_email_like(api, "tx-commit@%") == 0
    # the app is still healthy: the next operations run normally
    ok = await api.gql(
        'mutation { createLead(input: {firstName: "fine", email: "tx-commit-ok@example.com"}) { id } }',
        as_user=ALICE,
    )
    assert ok.errors == []
    assert await leads_with_email_like(api, "tx-commit-ok@%") == 1


# ---------------------------------------------------------------------------------------------------------
# Statements: BEGIN + role and claims in one round trip, the reads, COMMIT
# ---------------------------------------------------------------------------------------------------------


async def test_a_trivial_query_costs_three_statements(api: ApiClient) -> None:
    response = await api.gql("{ viewer { id } }", as_user=ALICE)
    assert response.errors == []
    assert response.statements == 3  # BEGIN + set_config(role, claims); the SELECT; COMMIT


async def test_an_operation_that_needs_no_data_opens_no_transaction(api: ApiClient) -> None:
    response = await api.gql("{ __typename }", as_user=ALICE)
    assert response.body == {"data": {"__typename": "Query"}}
    assert response.statements == 0


async def test_statement_header_on_a_failed_mutation(api: ApiClient) -> None:
    response = await api.gql(
        "mutation($id: ID!) { deleteLead(id: $id) { deletedId } }", {"id": lead_gid(1)}, as_user=ERIN
    )
    assert response.codes == ["NOT_FOUND"]
    # BEGIN, the DELETE (touches nothing), the visibility check, ROLLBACK
    assert response.statements == 4


# ---------------------------------------------------------------------------------------------------------
# Inside the transaction: a probe schema on the same endpoint
# ---------------------------------------------------------------------------------------------------------

PROBE_SQL = """
select current_user::text as current_user, session_user::text as session_user,
       current_setting('request.jwt.claims', true) as claims,
       current_setting('transaction_read_only') as read_only,
       (select auth.uid())::text as uid
"""
PROBE_WRITE = "update public.leads set timeline = 'probe' where id = $1"


async def _probe(info: ProbeInfo) -> str:
    row = await info.context.session.fetchrow(PROBE_SQL)
    assert row is not None
    return json.dumps(dict(row))


@strawberry.type
class ProbeQuery:
    @strawberry.field
    async def inside(self, info: ProbeInfo) -> str:
        return await _probe(info)

    @strawberry.field
    async def try_write(self, info: ProbeInfo, lead_id: str) -> str:
        return await info.context.session.execute(PROBE_WRITE, lead_id)


@strawberry.type
class ProbeMutation:
    @strawberry.mutation
    async def inside(self, info: ProbeInfo) -> str:
        return await _probe(info)

    @strawberry.mutation
    async def try_write(self, info: ProbeInfo, lead_id: str) -> str:
        return await info.context.session.execute(PROBE_WRITE, lead_id)


PROBE_SCHEMA = LeadgenSchema(query=ProbeQuery, mutation=ProbeMutation)


async def probe(
    api: ApiClient, document: str, user: str | None, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    headers = {"authorization": f"Bearer {api.token(user)}"} if user else {}
    async with custom_app(api, schema=PROBE_SCHEMA) as app:
        reply = await app.http.post("/graphql", json={"query": document, "variables": variables}, headers=headers)
    body: dict[str, Any] = reply.json()
    body["statements"] = int(reply.headers[STATEMENTS_HEADER])
    return body


@pytest.mark.parametrize("user", [ALICE, ERIN, PLATFORM_ADMIN])
async def test_a_query_runs_read_only_as_authenticated_with_the_verified_claims(api: ApiClient, user: str) -> None:
    body = await probe(api, "{ inside }", user)
    inside = json.loads(body["data"]["inside"])
    assert inside["current_user"] == "authenticated"
    assert inside["session_user"] == "leadgen_api"  # the NOINHERIT login role, never a superuser
    assert inside["read_only"] == "on"
    assert inside["uid"] == user
    claims = json.loads(inside["claims"])
    assert claims["sub"] == user and claims["role"] == "authenticated" and claims["aud"] == "authenticated"
    assert body["statements"] == 3


async def test_a_mutation_runs_read_write(api: ApiClient) -> None:
    body = await probe(api, "mutation { inside }", BOB)
    inside = json.loads(body["data"]["inside"])
    assert inside["read_only"] == "off"
    assert inside["current_user"] == "authenticated"
    assert inside["uid"] == BOB


async def test_anonymous_operations_run_as_anon(api: ApiClient) -> None:
    body = await probe(api, "{ inside }", None)
    inside = json.loads(body["data"]["inside"])
    assert inside["current_user"] == "anon"
    assert inside["uid"] is None
    assert json.loads(inside["claims"]) == {"role": "anon"}


async def test_a_query_cannot_write(api: ApiClient) -> None:
    lead_id = seed_lead_id(241)
    before = await lead_row(api, lead_id)
    body = await probe(api, "query($id: String!) { tryWrite(leadId: $id) }", ALICE, {"id": lead_id})
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert body["errors"][0]["message"] == "a query cannot write; use a mutation"
    assert await lead_row(api, lead_id) == before


async def test_the_same_write_in_a_mutation_commits(api: ApiClient) -> None:
    lead_id = seed_lead_id(242)
    body = await probe(api, "mutation($id: String!) { tryWrite(leadId: $id) }", ALICE, {"id": lead_id})
    assert body.get("errors") is None
    assert body["data"] == {"tryWrite": "UPDATE 1"}
    row = await lead_row(api, lead_id)
    assert row is not None and row["timeline"] == "probe"
