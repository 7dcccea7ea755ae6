"""Custom field values: validated against the scope's definitions on every write, and filterable in both read paths."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, SPACE, ApiClient, api_client
from tests.support.databases import PgCluster
from tests.support.mutations import admin_val, gid, ok, raw_id, refused
from tests.support.pipeline import default_stage_id

SPACE_ID = gid("Space", SPACE)
CREATE_FIELD = "mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) { id } }"
UPDATE_FIELD = "mutation($id: ID!, $patch: CustomFieldPatch!) { updateCustomField(id: $id, patch: $patch) { id } }"
CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id customFields } }"
UPDATE_LEAD = "mutation($id: ID!, $patch: LeadPatch!) { updateLead(id: $id, patch: $patch) { id customFields } }"
UPDATE_LEADS = """
mutation($filter: LeadFilter!, $patch: LeadPatch!) { updateLeads(filter: $filter, patch: $patch, atMost: 50) { count } }
"""
MOVE = "mutation($lead: ID!, $stage: ID!) { moveLead(leadId: $lead, stageId: $stage) { customFields stage { name } } }"
LEADS = """
query($filter: LeadFilter) { leads(filter: $filter, first: 100, orderBy: NAME_ASC) { totalCount nodes { id } } }
"""

# The space's fields of every type (the seed has preferred_contact, a select, and contract_renewal_date, a date).
FIELDS: list[dict[str, Any]] = [
    {"fieldName": "nickname", "fieldType": "TEXT"},
    {"fieldName": "notes", "fieldType": "TEXTAREA"},
    {"fieldName": "seats", "fieldType": "NUMBER"},
    {"fieldName": "renewal", "fieldType": "DATE"},
    {"fieldName": "vip", "fieldType": "BOOLEAN"},
    {"fieldName": "tier", "fieldType": "SELECT", "options": ["gold", "silver", "bronze"]},
    {"fieldName": "tags", "fieldType": "MULTISELECT", "options": ["seo", "ads", "content"]},
    {"fieldName": "contact_email", "fieldType": "EMAIL"},
    {"fieldName": "homepage", "fieldType": "URL"},
    {"fieldName": "mobile", "fieldType": "PHONE"},
]
VALID = {
    "nickname": "Ace",
    "notes": "Met at the expo.\nWants a demo.",
    "seats": 25,
    "renewal": "2027-03-31",
    "vip": True,
    "tier": "gold",
    "tags": ["seo", "content"],
    "contact_email": "ops@example.org",
    "homepage": "https://example.org/about",
    "mobile": "+1 (555) 010-2030",
}


@dataclass
class Paths:
    general: ApiClient
    compiled: ApiClient


@pytest_asyncio.fixture(scope="module")
async def paths(
    cluster: PgCluster, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Paths]:
    """The API twice over one database of this module: the general (DataLoader) and the compiled read path."""
    name = await cluster.clone_from(seeded_template, "cf")
    keys = tmp_path_factory.mktemp("keys")
    dsn = cluster.dsn(name, user="leadgen_api")
    try:
        async with (
            api_client(dsn, keys, compiled_reads=False) as general,
            api_client(dsn, keys, compiled_reads=True) as compiled,
        ):
            general.admin_dsn = compiled.admin_dsn = cluster.dsn(name)
            for spec in FIELDS:
                field_input = {"space": SPACE_ID, "fieldLabel": spec["fieldName"].title(), **spec}
                ok(await general.gql(CREATE_FIELD, {"input": field_input}, as_user=ALICE))
            yield Paths(general=general, compiled=compiled)
    finally:
        await cluster.drop(name)


async def create_lead(api: ApiClient, custom: dict[str, Any], email: str, as_user: str = CAROL) -> str:
    space = SPACE_ID if as_user != ERIN else None
    data = ok(
        await api.gql(CREATE_LEAD, {"input": {"space": space, "email": email, "customFields": custom}}, as_user=as_user)
    )
    return str(data["createLead"]["id"])


def failing(response: Any) -> dict[str, str]:
    """The failing keys of a refused write and their messages (asserting the error's shape)."""
    assert response.data is None and len(response.errors) == 1, response.errors
    extensions = response.errors[0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT"
    field = extensions["field"]
    assert field in ("input.customFields", "patch.customFields")
    assert all(item["field"].startswith(f"{field}.") for item in extensions["fields"])
    return {item["field"].removeprefix(f"{field}."): item["message"] for item in extensions["fields"]}


# ---------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------


async def test_valid_values_of_every_type_are_stored(paths: Paths) -> None:
    lead = await create_lead(paths.general, VALID, "valid.values@example.com")
    stored = await admin_val(
        paths.general, "select custom_fields::text from public.leads where id = $1", uuid.UUID(raw_id(lead))
    )
    assert stored is not None and all(key in stored for key in VALID)


async def test_every_failing_key_is_listed(paths: Paths) -> None:
    bad = {
        "nickname": 7,
        "notes": "x" * 10001,
        "seats": "25",
        "renewal": "2027-02-30",
        "vip": "yes",
        "tier": "platinum",
        "tags": ["seo", "print"],
        "contact_email": "not-an-email",
        "homepage": "ftp://example.org",
        "mobile": "call me",
        "favourite_colour": "blue",
        "preferred_contact": "email",  # the seed's select: valid
    }
    response = await paths.general.gql(
        CREATE_LEAD,
        {"input": {"space": SPACE_ID, "email": "bad.values@example.com", "customFields": bad}},
        as_user=CAROL,
    )
    problems = failing(response)
    assert set(problems) == set(bad) - {"preferred_contact"}
    assert problems["favourite_colour"] == "unknown custom field"
    assert problems["seats"] == "expected a number" and problems["tier"] == "not one of the options"
    assert problems["renewal"] == "not a calendar date" and problems["tags"] == "not among the options"
    assert response.errors[0]["extensions"]["field"] == "input.customFields"
    count = await admin_val(paths.general, "select count(*) from public.leads where email = 'bad.values@example.com'")
    assert count == 0


async def test_updates_are_validated_too(paths: Paths) -> None:
    api = paths.general
    lead = await create_lead(api, {"tier": "silver"}, "update.values@example.com")
    problems = failing(
        await api.gql(UPDATE_LEAD, {"id": lead, "patch": {"customFields": {"seats": -1.5, "x": 1}}}, as_user=CAROL)
    )
    assert problems == {"x": "unknown custom field"}  # numbers may be negative or fractional
    problems = failing(
        await api.gql(UPDATE_LEAD, {"id": lead, "patch": {"customFields": {"vip": 1, "tier": None}}}, as_user=CAROL)
    )
    assert problems == {"vip": "expected true or false"}  # null clears a value
    updated = ok(await api.gql(UPDATE_LEAD, {"id": lead, "patch": {"customFields": {"seats": 3}}}, as_user=CAROL))
    assert updated["updateLead"]["customFields"] == {"seats": 3}
    bulk = {"filter": {"email": {"eq": "update.values@example.com"}}, "patch": {"customFields": {"renewal": "soon"}}}
    assert failing(await api.gql(UPDATE_LEADS, bulk, as_user=CAROL)) == {"renewal": "expected a date, YYYY-MM-DD"}
    stored = await admin_val(api, "select custom_fields::text from public.leads where id = $1", uuid.UUID(raw_id(lead)))
    assert stored == '{"seats": 3}'


async def test_values_are_checked_against_the_leads_own_scope(paths: Paths) -> None:
    api = paths.general
    # Erin's personal scope defines newsletter_opt_in only; the space's fields mean nothing there
    assert failing(
        await api.gql(
            CREATE_LEAD, {"input": {"email": "erin.cf@example.com", "customFields": {"tier": "gold"}}}, as_user=ERIN
        )
    ) == {"tier": "unknown custom field"}
    lead = await create_lead(api, {"newsletter_opt_in": False}, "erin.cf@example.com", as_user=ERIN)
    assert lead
    # moving a space lead to Alice's personal scope checks its values there
    space_lead = await create_lead(api, {"tier": "gold"}, "mover.cf@example.com", as_user=ALICE)
    move = {"space": None, "customFields": {"tier": "gold"}}
    assert failing(await api.gql(UPDATE_LEAD, {"id": space_lead, "patch": move}, as_user=ALICE)) == {
        "tier": "unknown custom field"
    }


async def test_required_fields_are_needed_on_create(paths: Paths) -> None:
    api = paths.general
    space = ok(await api.gql('mutation { createSpace(input: {name: "Strict agency"}) { id } }', as_user=ALICE))
    strict = space["createSpace"]["id"]
    for name in ("account_code", "region"):
        spec = {"space": strict, "fieldName": name, "fieldLabel": name, "fieldType": "TEXT", "isRequired": True}
        ok(await api.gql(CREATE_FIELD, {"input": spec}, as_user=ALICE))
    missing = await api.gql(CREATE_LEAD, {"input": {"space": strict, "email": "req@example.com"}}, as_user=ALICE)
    assert failing(missing) == {"account_code": "required", "region": "required"}
    partial = {"space": strict, "email": "req@example.com", "customFields": {"account_code": "A-1", "region": None}}
    assert failing(await api.gql(CREATE_LEAD, {"input": partial}, as_user=ALICE)) == {"region": "required"}
    complete = {**partial, "customFields": {"account_code": "A-1", "region": "EMEA"}}
    ok(await api.gql(CREATE_LEAD, {"input": complete}, as_user=ALICE))


async def test_required_personal_fields_are_needed_on_create(paths: Paths) -> None:
    """A personal scope's required field binds its owner's personal leads, and nobody else's."""
    api = paths.general
    spec = {"fieldName": "erin_ref", "fieldLabel": "Ref", "fieldType": "TEXT", "isRequired": True}
    field = ok(await api.gql(CREATE_FIELD, {"input": spec}, as_user=ERIN))["createCustomField"]["id"]
    try:
        missing = await api.gql(CREATE_LEAD, {"input": {"email": "erin.req@example.com"}}, as_user=ERIN)
        assert failing(missing) == {"erin_ref": "required"}
        given = {"email": "erin.req@example.com", "customFields": {}}  # an empty object gives no value either
        assert failing(await api.gql(CREATE_LEAD, {"input": given}, as_user=ERIN)) == {"erin_ref": "required"}
        # other users' personal leads and space leads are not bound by it
        ok(await api.gql(CREATE_LEAD, {"input": {"email": "alice.free@example.com"}}, as_user=BOB))
        ok(await api.gql(CREATE_LEAD, {"input": {"space": SPACE_ID, "email": "space.free@example.com"}}, as_user=CAROL))
    finally:
        ok(
            await api.gql(
                "mutation($id: ID!) { deleteCustomField(id: $id) { deletedId } }", {"id": field}, as_user=ERIN
            )
        )


async def test_permissions_still_apply_after_validation(paths: Paths) -> None:
    api = paths.general
    response = await api.gql(
        CREATE_LEAD, {"input": {"space": SPACE_ID, "customFields": {"tier": "gold"}}}, as_user=DAVE
    )
    refused(response, "FORBIDDEN")


async def test_move_lead_leaves_custom_fields_alone(paths: Paths) -> None:
    """A value that no longer fits (the field changed type since) does not block moving the lead."""
    api = paths.general
    spec = {"space": SPACE_ID, "fieldName": "legacy_code", "fieldLabel": "Legacy", "fieldType": "TEXT"}
    field = ok(await api.gql(CREATE_FIELD, {"input": spec}, as_user=ALICE))["createCustomField"]["id"]
    lead = await create_lead(api, {"legacy_code": "AB-12"}, "legacy@example.com")
    # a type change the values do not fit is refused now (tests/test_custom_field_definitions.py); a value stale
    # from before that rule, as Studio could leave it:
    refused(
        await api.gql(UPDATE_FIELD, {"id": field, "patch": {"fieldType": "NUMBER"}}, as_user=ALICE), "BAD_USER_INPUT"
    )
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        async with conn.transaction():
            await conn.execute("set local session_replication_role = replica")
            await conn.execute(
                "update public.lead_custom_fields set field_type = 'number' where id = $1", uuid.UUID(raw_id(field))
            )
    finally:
        await conn.close()
    stage = gid("LeadStage", default_stage_id(SPACE, "Contacted"))
    moved = ok(await api.gql(MOVE, {"lead": lead, "stage": stage}, as_user=CAROL))["moveLead"]
    assert moved == {"customFields": {"legacy_code": "AB-12"}, "stage": {"name": "Contacted"}}
    # rewriting the object keeps the stale value as it is; changing it must fit the field's new type
    keep = {"customFields": {"legacy_code": "AB-12", "seats": 2}}
    assert ok(await api.gql(UPDATE_LEAD, {"id": lead, "patch": keep}, as_user=CAROL))["updateLead"]["customFields"] == {
        "legacy_code": "AB-12",
        "seats": 2,
    }
    change = {"customFields": {"legacy_code": "AB-13"}}
    assert failing(await api.gql(UPDATE_LEAD, {"id": lead, "patch": change}, as_user=CAROL)) == {
        "legacy_code": "expected a number"
    }


async def test_extra_keys_a_lead_carries_do_not_block_updates(paths: Paths) -> None:
    """Keys without a definition (a form's unmapped answers, an import) may stay; new ones are refused."""
    api = paths.general
    lead = await create_lead(api, {"tier": "gold"}, "extra.keys@example.com")
    await admin_val(
        api,
        """update public.leads set custom_fields = custom_fields || '{"message": "Call me"}' where id = $1""",
        uuid.UUID(raw_id(lead)),
    )
    rewrite = {"customFields": {"tier": "silver", "message": "Call me"}}
    updated = ok(await api.gql(UPDATE_LEAD, {"id": lead, "patch": rewrite}, as_user=CAROL))["updateLead"]
    assert updated["customFields"] == {"tier": "silver", "message": "Call me"}
    for extra in ({"message": "Call me tomorrow"}, {"budget_note": "tight"}):
        response = await api.gql(UPDATE_LEAD, {"id": lead, "patch": {"customFields": extra}}, as_user=CAROL)
        assert failing(response) == dict.fromkeys(extra, "unknown custom field")


async def test_studio_edits_are_type_checked(paths: Paths) -> None:
    """In SQL (as Studio does) a defined field's value must have its type; other keys are the editor's business."""
    conn = await asyncpg.connect(paths.general.admin_dsn)
    lead = uuid.UUID(raw_id(await create_lead(paths.general, {}, "studio.cf@example.com")))
    try:
        for bad in ('{"seats": "many"}', '{"tier": "platinum"}', '{"tags": "seo"}', '{"renewal": "31/03/2027"}'):
            with pytest.raises(asyncpg.CheckViolationError) as raised:
                await conn.execute("update public.leads set custom_fields = $1::jsonb where id = $2", bad, lead)
            assert raised.value.constraint_name == "leads_custom_fields_check"
        await conn.execute(
            """update public.leads set custom_fields = '{"seats": 4, "imported_from": "crm"}' where id = $1""", lead
        )
    finally:
        await conn.close()


# ---------------------------------------------------------------------------------------------------------
# Filters, in both read paths
# ---------------------------------------------------------------------------------------------------------

FILTER_LEADS: dict[str, dict[str, Any]] = {
    "f1": {"nickname": "Ace", "seats": 5, "renewal": "2027-01-15", "vip": True, "tier": "gold", "tags": ["seo"]},
    "f2": {"nickname": "Bo", "seats": 12.5, "renewal": "2027-06-01", "vip": False, "tier": "silver", "tags": []},
    "f3": {"nickname": "Cy", "seats": 40, "renewal": "2026-12-31", "tier": "gold", "tags": ["ads", "seo"]},
    "f4": {"seats": None, "tags": ["content"]},
}

# (filter on the custom field, the FILTER_LEADS keys it matches)
CASES: list[tuple[list[dict[str, Any]], set[str]]] = [
    ([{"name": "nickname", "eq": "Ace"}], {"f1"}),
    ([{"name": "tier", "eq": "gold"}], {"f1", "f3"}),
    ([{"name": "tier", "in": ["silver", "bronze"]}], {"f2"}),
    ([{"name": "seats", "gt": 5}], {"f2", "f3"}),
    ([{"name": "seats", "gte": 5, "lt": 40}], {"f1", "f2"}),
    ([{"name": "seats", "eq": 12.5}], {"f2"}),
    ([{"name": "seats", "gt": 4.99, "lte": 12.5}], {"f1", "f2"}),
    ([{"name": "seats", "in": [5, 40]}], {"f1", "f3"}),
    ([{"name": "seats", "eq": "5"}], set()),  # a string is not the number
    ([{"name": "renewal", "gte": "2027-01-01"}], {"f1", "f2"}),
    ([{"name": "renewal", "lt": "2027-01-15"}], {"f3"}),
    ([{"name": "renewal", "lte": "2027-01-15", "gt": "2026-12-31"}], {"f1"}),
    ([{"name": "vip", "eq": True}], {"f1"}),
    ([{"name": "vip", "eq": False}], {"f2"}),
    ([{"name": "tags", "contains": "seo"}], {"f1", "f3"}),
    ([{"name": "tags", "contains": "content"}], {"f4"}),
    ([{"name": "vip", "isNull": True}], {"f3", "f4"}),
    ([{"name": "seats", "isNull": True}], {"f4"}),  # JSON null counts as no value
    ([{"name": "seats", "isNull": False}], {"f1", "f2", "f3"}),
    ([{"name": "tier", "eq": "gold"}, {"name": "tags", "contains": "ads"}], {"f3"}),
    ([{"name": "nickname", "gt": 3}], set()),  # a range on text matches nothing, and does not fail
    ([{"name": "unknown_field", "eq": "x"}], set()),
]


@pytest_asyncio.fixture(scope="module")
async def filter_leads(paths: Paths) -> dict[str, str]:
    return {
        key: await create_lead(paths.general, values, f"{key}.filter@example.com")
        for key, values in FILTER_LEADS.items()
    }


@pytest.mark.parametrize(("condition", "expected"), CASES, ids=[str(c[0]) for c in CASES])
async def test_custom_field_filters_in_both_paths(
    paths: Paths, filter_leads: dict[str, str], condition: list[dict[str, Any]], expected: set[str]
) -> None:
    variables = {"filter": {"email": {"contains": ".filter@"}, "customField": condition}}
    general = await paths.general.gql(LEADS, variables, as_user=CAROL)
    compiled = await paths.compiled.gql(LEADS, variables, as_user=CAROL)
    assert general.errors == [] and compiled.body == general.body
    assert compiled.statements == 3, "the compiled path answers custom field filters in one statement"
    ids = {node["id"] for node in general.data["leads"]["nodes"]}
    assert ids == {filter_leads[key] for key in expected}
    assert general.data["leads"]["totalCount"] == len(expected)


async def test_custom_field_filters_nest_and_combine(paths: Paths, filter_leads: dict[str, str]) -> None:
    variables = {
        "filter": {
            "email": {"contains": ".filter@"},
            "or": [
                {"customField": [{"name": "vip", "eq": True}]},
                {"not": {"customField": [{"name": "tier", "eq": "gold"}]}},
            ],
        }
    }
    general = await paths.general.gql(LEADS, variables, as_user=DAVE)
    compiled = await paths.compiled.gql(LEADS, variables, as_user=DAVE)
    assert compiled.body == general.body
    assert {n["id"] for n in general.data["leads"]["nodes"]} == {filter_leads[k] for k in ("f1", "f2", "f4")}
    # Erin cannot see the space's leads, however she filters
    erin = await paths.compiled.gql(LEADS, {"filter": {"customField": [{"name": "tier", "eq": "gold"}]}}, as_user=ERIN)
    assert erin.data["leads"]["totalCount"] == 0


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ({"name": "seats", "gt": "soon"}, "filter.customField[0].gt"),
        ({"name": "seats", "lte": True}, "filter.customField[0].lte"),
        ({"name": "", "eq": "x"}, "filter.customField[0].name"),
        ({"name": "tier", "in": [str(i) for i in range(101)]}, "filter.customField[0].in"),
    ],
)
async def test_bad_custom_field_filters(paths: Paths, condition: dict[str, Any], field: str) -> None:
    variables = {"filter": {"customField": [condition]}}
    general = await paths.general.gql(LEADS, variables, as_user=CAROL)
    compiled = await paths.compiled.gql(LEADS, variables, as_user=CAROL)
    assert compiled.body == general.body
    assert general.codes == ["BAD_USER_INPUT"] and general.errors[0]["extensions"]["field"] == field


async def test_both_read_paths_count_the_leads_a_field_leaves_without_value(paths: Paths) -> None:
    """CustomField.leadsWithoutValue / leadsWithInvalidValue (computed in SQL), as the caller sees the leads."""
    query = "{ customFields(first: 100) { nodes { fieldName leadsWithoutValue leadsWithInvalidValue } } }"
    answers = [ok(await client.gql(query, as_user=CAROL)) for client in (paths.general, paths.compiled)]
    assert answers[0] == answers[1]
    counts = {n["fieldName"]: n for n in answers[0]["customFields"]["nodes"]}
    without = await admin_val(
        paths.general,
        "select count(*) from public.leads"
        " where space_id = $1 and coalesce(custom_fields -> 'nickname', 'null') = 'null'",
        SPACE,
    )
    assert counts["nickname"] == {"fieldName": "nickname", "leadsWithoutValue": without, "leadsWithInvalidValue": 0}
