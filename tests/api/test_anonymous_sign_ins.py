"""Supabase anonymous sign-ins (`is_anonymous: true`, role authenticated) may do over GraphQL what anon may: submit
published forms and track page visits. Here the token is Alice's (the demo space's owner, with personal leads),
signed in anonymously: she sees and changes nothing, on both read paths."""

from __future__ import annotations

from typing import Any

import pytest

from gql.ids import global_id
from tests.support.api import ALICE, SPACE, ApiClient
from tests.support.http_app import claims_for, custom_app, lead_gid, sign
from tests.support.mutations import admin_fetch, ok

SEED_FORM = global_id("LeadForm", "00000000-0000-4000-b100-000000000001")
COUNTS = """
{
  leads { totalCount } companies { totalCount } customers { totalCount } leadStages { totalCount }
  leadSources { totalCount } leadForms { totalCount } activities { totalCount } scoringRules { totalCount }
  workflows { totalCount } workflowExecutions { totalCount } campaigns { totalCount } integrations { totalCount }
  customFields { totalCount } spaces { totalCount } viewer { id email memberships { id } invitations { id } }
}
"""
WRITES: list[tuple[str, dict[str, Any], set[str]]] = [
    ('mutation { createLead(input: {firstName: "Anon"}) { id } }', {}, {"FORBIDDEN"}),
    ('mutation { createCompany(input: {name: "Anon Inc"}) { id } }', {}, {"FORBIDDEN"}),
    ('mutation { createSpace(input: {name: "Anon space"}) { id } }', {}, {"FORBIDDEN"}),
    (
        'mutation($id: ID!) { updateLead(id: $id, patch: {firstName: "Anon"}) { id } }',
        {"id": lead_gid(1)},
        {"NOT_FOUND"},
    ),
    ("mutation($id: ID!) { deleteLead(id: $id) { deletedId } }", {"id": lead_gid(241)}, {"NOT_FOUND"}),
    (
        'mutation($id: ID!) { updateSpace(id: $id, patch: {name: "Anon"}) { id } }',
        {"id": global_id("Space", SPACE)},
        {"NOT_FOUND"},
    ),
    ('mutation { updateViewer(patch: {fullName: "Anon"}) { id } }', {}, {"NOT_FOUND", "FORBIDDEN"}),
    (
        'mutation($s: ID!) { inviteToSpace(space: $s, email: "friend@example.org") { id } }',
        {"s": global_id("Space", SPACE)},
        {"FORBIDDEN"},
    ),
    ('mutation { createLeadForm(input: {name: "Phish"}) { id } }', {}, {"FORBIDDEN"}),
]
WATCHED = (
    "select (select count(*) from public.leads) as leads, (select count(*) from public.spaces) as spaces,"
    " (select count(*) from public.space_invitations) as invitations, (select count(*) from public.companies)"
    " as companies, (select md5(string_agg(to_jsonb(l)::text, '' order by id)) from public.leads l) as lead_rows,"
    " (select full_name from public.profiles where id = $1::uuid) as name"
)


def anonymous_alice(api: ApiClient) -> str:
    """A token of Alice's account as Supabase issues it after an anonymous sign-in."""
    return sign(api.key, claims_for(ALICE, is_anonymous=True, email=""))


@pytest.mark.parametrize("compiled", [False, True], ids=["general", "compiled"])
async def test_an_anonymous_sign_in_reads_nothing(api: ApiClient, compiled: bool) -> None:
    async with custom_app(api, compiled_reads=compiled) as app:
        signed_in = ok(await app.client.gql(COUNTS, as_user=ALICE))
        assert signed_in["leads"]["totalCount"] > 0 and signed_in["viewer"]["id"]  # the same account, signed in
        counts = ok(await app.client.gql(COUNTS, token=anonymous_alice(api)))
    assert counts.pop("viewer") is None
    assert {name: value["totalCount"] for name, value in counts.items()} == dict.fromkeys(counts, 0)
    node = "query($id: ID!) { node(id: $id) { id } }"
    for target in (lead_gid(1), lead_gid(241), global_id("Space", SPACE), global_id("User", ALICE)):
        assert ok(await api.gql(node, {"id": target}, token=anonymous_alice(api)))["node"] is None


@pytest.mark.parametrize(("document", "variables", "codes"), WRITES, ids=[w[0][:40] for w in WRITES])
async def test_an_anonymous_sign_in_changes_nothing(
    api: ApiClient, document: str, variables: dict[str, Any], codes: set[str]
) -> None:
    before = await admin_fetch(api, WATCHED, ALICE)
    response = await api.gql(document, variables, token=anonymous_alice(api))
    assert response.codes and set(response.codes) <= codes, response.body
    assert not any((response.data or {}).values()), response.data
    assert await admin_fetch(api, WATCHED, ALICE) == before


async def test_an_anonymous_sign_in_submits_forms_and_tracks_visits(api: ApiClient) -> None:
    submit = "mutation($f: ID!, $v: JSON!) { submitForm(formId: $f, values: $v) { submissionId visitorToken } }"
    values = {"first_name": "Ana", "email": "ana.anonymous@example.org"}
    submitted = ok(await api.gql(submit, {"f": SEED_FORM, "v": values}, token=anonymous_alice(api)))["submitForm"]
    assert submitted["submissionId"] and submitted["visitorToken"]
    track = "mutation($t: String!, $u: String!) { trackPageVisit(visitorToken: $t, url: $u) }"
    visit = {"t": submitted["visitorToken"], "u": "https://agency.example/pricing"}
    assert ok(await api.gql(track, visit, token=anonymous_alice(api)))["trackPageVisit"] is True
    rows = await admin_fetch(api, "select space_id::text from public.leads where email = $1", values["email"])
    assert [r["space_id"] for r in rows] == [SPACE]
