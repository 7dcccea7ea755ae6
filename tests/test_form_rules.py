"""Form definitions and publishing hold in the database, with the API's rules, and patterns are Postgres's to judge.

Migration 20261206140200_form_definition_checks.sql, as Studio (the superuser), as the API roles in SQL and through
GraphQL. The API checks first (domain/form_definitions.py, every problem named); the database re-checks the same
rules for every writer: the parity tests below hold the two to the same answers.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Sequence
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from domain.form_definitions import FieldDefinition, field_problems, publish_problems, settings_problems
from gql.ids import global_id
from tests.support.api import BOB, SPACE, ApiClient
from tests.support.mutations import admin_fetch, admin_val, ok, refused
from tests.support.roles import acting_as, user_claims
from tests.support.rows import OwnedSpace, insert, owned_space, rolled_back

World = OwnedSpace


@pytest_asyncio.fixture(scope="module")
async def world(conn: asyncpg.Connection) -> World:
    return await owned_space(conn, "Forms")


@pytest_asyncio.fixture
async def db(conn: asyncpg.Connection, world: World) -> AsyncIterator[asyncpg.Connection]:
    """The module's superuser connection (Studio) in a transaction that is rolled back after the test."""
    async with rolled_back(conn):
        yield conn


async def new_form(conn: asyncpg.Connection, world: World, settings: dict[str, Any] | None = None) -> uuid.UUID:
    return await insert(
        conn,
        "lead_forms",
        user_id=world.owner,
        space_id=world.space,
        name="Form",
        form_settings=json.dumps(settings or {}),
    )


async def new_field(
    conn: asyncpg.Connection, form: uuid.UUID, name: str, field_type: str = "text", **extra: Any
) -> uuid.UUID:
    for key in ("options", "validation_rules"):
        if key in extra:
            extra[key] = json.dumps(extra[key])
    extra.setdefault("field_order", 0)  # explicit: replica mode fires no trigger to append the field
    return await insert(
        conn, "lead_form_fields", form_id=form, field_name=name, field_type=field_type, label=name, **extra
    )


async def refused_write(conn: asyncpg.Connection, constraint: str, sql: str, *args: object) -> list[str]:
    """The statement is refused (in a savepoint); the fields its DETAIL names."""
    with pytest.raises(asyncpg.CheckViolationError) as raised:
        async with conn.transaction():
            await conn.execute(sql, *args)
    assert raised.value.constraint_name == constraint
    return [p["field"] for p in json.loads(raised.value.detail or "[]")]


DEFINITION = "lead_form_fields_definition_check"
PUBLISHABLE = "lead_forms_publishable_check"
SET_RULES = "update public.lead_form_fields set validation_rules = $2::jsonb where id = $1"


# --------------------------------------------------------------------------------------------------------------
# Patterns: Postgres decides
# --------------------------------------------------------------------------------------------------------------


async def test_studio_cannot_save_a_pattern_postgres_cannot_use(db: asyncpg.Connection, world: World) -> None:
    field = await new_field(db, await new_form(db, world), "code")
    for pattern in ("(unclosed", "(?P<name>x)", "[z-a]", "a{2,1}"):
        fields = await refused_write(db, DEFINITION, SET_RULES, field, json.dumps({"pattern": pattern}))
        assert fields == ["validationRules.pattern"], pattern
    # Postgres's own syntax (word boundaries \m \M, which Python's re does not know) is fine
    await db.execute(SET_RULES, field, json.dumps({"pattern": r"^\mACME\M-[0-9]{3}$"}))
    assert await db.fetchval("select leadgen.regex_problem($1)", "(") is not None


async def test_the_api_roles_are_held_to_it_in_sql(db: asyncpg.Connection, world: World) -> None:
    form = await new_form(db, world)
    async with acting_as(db, user_claims(world.owner)):
        fields = await refused_write(
            db,
            DEFINITION,
            "insert into public.lead_form_fields (form_id, field_name, field_type, label, options, validation_rules)"
            " values ($1, 'plan', 'select', 'Plan', '[]', '{\"pattern\": \"(\"}')",
            form,
        )
    assert fields == ["options", "validationRules.pattern"]


# --------------------------------------------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------------------------------------------

PUBLISH = "update public.lead_forms set is_published = true, published_at = now() where id = $1"


async def test_studio_cannot_publish_a_form_without_fields(db: asyncpg.Connection, world: World) -> None:
    form = await new_form(db, world, {"honeypotField": "trap"})
    assert await refused_write(db, PUBLISHABLE, PUBLISH, form) == ["fields", "formSettings.honeypotField"]
    await new_field(db, form, "trap", "hidden")
    assert await refused_write(db, PUBLISHABLE, PUBLISH, form) == ["fields"]
    await new_field(db, form, "email", "email")
    await db.execute(PUBLISH, form)
    # a form inserted as published is judged at COMMIT: its fields may follow it in the same transaction
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await insert(db, "lead_forms", user_id=world.owner, name="Empty", is_published=True)
            await db.execute("set constraints lead_forms_publishable_insert immediate")
    async with db.transaction():
        other = await insert(db, "lead_forms", user_id=world.owner, name="Filled", is_published=True)
        await new_field(db, other, "email", "email")
        await db.execute("set constraints lead_forms_publishable_insert immediate")


async def test_a_published_form_keeps_a_field_and_its_honeypot(db: asyncpg.Connection, world: World) -> None:
    form = await new_form(db, world, {"honeypotField": "trap"})
    email = await new_field(db, form, "email", "email")
    trap = await new_field(db, form, "trap", "hidden")
    await db.execute(PUBLISH, form)
    delete = "delete from public.lead_form_fields where id = $1"
    assert await refused_write(db, PUBLISHABLE, delete, email) == ["fields"]
    assert await refused_write(db, PUBLISHABLE, delete, trap) == ["formSettings.honeypotField"]
    retype = "update public.lead_form_fields set field_type = 'text' where id = $1"
    assert await refused_write(db, PUBLISHABLE, retype, trap) == ["formSettings.honeypotField"]
    settings = "update public.lead_forms set form_settings = $2::jsonb where id = $1"
    assert await refused_write(db, PUBLISHABLE, settings, form, '{"redirectUrl": "javascript:alert(1)"}') == [
        "formSettings.redirectUrl"
    ]
    await new_field(db, form, "name")
    await db.execute(delete, email)  # another field is left
    await db.execute("delete from public.lead_forms where id = $1", form)  # and the whole form may go


# --------------------------------------------------------------------------------------------------------------
# Parity: the API's rules (Python) and the database's (SQL) give the same answers
# --------------------------------------------------------------------------------------------------------------

DEFINITIONS: list[tuple[str, Any, Any]] = [
    ("text", [], {}),
    ("color", [], {}),
    ("select", [], {}),
    ("select", ["a", "b"], {}),
    ("multiselect", ["a", "a"], {}),
    ("select", ["a", 2], {}),
    ("select", ["a", "  "], {}),
    ("select", ["x" * 201], {}),
    ("select", [str(n) for n in range(201)], {}),
    ("text", ["a"], {}),
    ("checkbox", [], {}),
    ("checkbox", ["email", "phone"], {}),
    ("text", [], {"colour": "red"}),
    ("text", [], {"min": 1}),
    ("number", [], {"maxLength": 3}),
    ("text", [], {"minLength": 5, "maxLength": 2}),
    ("text", [], {"minLength": 2, "maxLength": 5}),
    ("text", [], {"maxLength": -1}),
    ("text", [], {"maxLength": 2.5}),
    ("text", [], {"maxLength": 5001}),
    ("text", [], {"maxLength": True}),
    ("number", [], {"min": 10, "max": 1}),
    ("number", [], {"min": -1.5, "max": 1e6}),
    ("number", [], {"max": "ten"}),
    ("email", [], {"allowedDomains": ["not a domain"]}),
    ("email", [], {"allowedDomains": ["Example.com", "example.COM"]}),
    ("email", [], {"allowedDomains": ["example.com", "mail.example.org"], "blockFreeEmail": True}),
    ("email", [], {"blockedDomains": []}),
    ("email", [], {"blockedDomains": "example.com"}),
    ("email", [], {"blockFreeEmail": "yes"}),
    ("date", [], {"pattern": "x"}),
    ("text", ["a"], {"min": 1, "pattern": "("}),
    ("text", [], {"pattern": ""}),
    ("text", [], {"pattern": "x" * 501}),
    ("text", [], {"pattern": 5}),
    ("text", [], {"pattern": "(?P<n>x)"}),
    ("text", [], {"pattern": r"^\mword\M$"}),
    ("phone", [], {"pattern": "^[+0-9 ()-]{7,20}$", "minLength": 7}),
    ("hidden", [], {"maxLength": 10}),
    ("text", {}, {}),
    ("text", [], []),
]

SETTINGS: list[Any] = [
    {},
    [],
    {"theme": "dark", "successMessage": "Thanks!", "submitLabel": "Send", "minSecondsToSubmit": 2.5},
    {"theme": "x" * 101},
    {"theme": {"a": "b" * 5000}},
    {"theme": 3},
    {"successMessage": ""},
    {"successMessage": "  "},
    {"submitLabel": "x" * 101},
    {"redirectUrl": "https://example.com/thanks"},
    {"redirectUrl": "  HTTP://Example.com  "},
    {"redirectUrl": "javascript:alert(1)"},
    {"redirectUrl": "ftp://x"},
    {"redirectUrl": "https://"},
    {"redirectUrl": "https:///path"},
    {"redirectUrl": "https://exa mple.com"},
    {"redirectUrl": "https://[::1"},
    {"redirectUrl": "https://example.com/" + "x" * 2000},
    {"redirectUrl": 5},
    {"honeypotField": "trap"},
    {"honeypotField": "not a name"},
    {"minSecondsToSubmit": -1},
    {"minSecondsToSubmit": 3601},
    {"minSecondsToSubmit": "2"},
    {"colour": "red", "theme": "dark"},
    {"consentText": "We use your details to reply to you. See our privacy policy."},
    {"consentText": " "},
    {"consentText": "x" * 1001},
    {"allowedOrigins": ["https://www.example.com", "http://localhost:8080", "HTTPS://Shop.Example.org"]},
    {"allowedOrigins": []},
    {"allowedOrigins": ["https://www.example.com/contact"]},
    {"allowedOrigins": ["*"]},
    {"allowedOrigins": "https://www.example.com"},
    {"allowedOrigins": [3]},
    {"theme": {"primaryColor": "#1A73E8", "backgroundColor": "#ffffff", "text_color": "#111111", "font": "serif"}},
    {"theme": {"primaryColor": "red", "textColor": "#12345", "backgroundColor": 3, "primary_color": "#abcdefa"}},
    {"theme": {"textColor": "#fff;}body{x:y"}},
]


async def verdicts(conn: asyncpg.Connection, patterns: Sequence[str]) -> dict[str, str | None]:
    rows = await conn.fetch("select p, leadgen.regex_problem(p) as problem from unnest($1::text[]) p", list(patterns))
    return {r["p"]: r["problem"] for r in rows}


def as_stored(text: str) -> Any:
    """A JSON value as jsonb stores it (keys in jsonb's order, as the API reads them back)."""
    return json.loads(text)


async def test_field_rules_agree(db: asyncpg.Connection) -> None:
    for field_type, options, rules in DEFINITIONS:
        row = await db.fetchrow("select $1::jsonb::text, $2::jsonb::text", json.dumps(options), json.dumps(rules))
        assert row is not None
        options_text, rules_text = row[0], row[1]
        stored = FieldDefinition("f", field_type, False, as_stored(options_text), as_stored(rules_text))
        known = await verdicts(db, [p] if (p := stored.pattern()) else [])
        python = [(p.field.removeprefix("f."), p.message) for p in field_problems(stored, "f", known)]
        sql = [
            (r["field"], r["message"])
            for r in await db.fetch(
                "select * from private.form_field_problems($1, $2::jsonb, $3::jsonb)",
                field_type,
                options_text,
                rules_text,
            )
        ]
        assert python == sql, (field_type, options, rules)


async def test_settings_rules_agree(db: asyncpg.Connection) -> None:
    for settings in SETTINGS:
        text = await db.fetchval("select $1::jsonb::text", json.dumps(settings))
        python = [(p.field, p.message) for p in settings_problems(as_stored(text), "s")]
        rows = await db.fetch("select * from private.form_settings_problems($1::jsonb)", text)
        assert python == [("s." + r["field"] if r["field"] else "s", r["message"]) for r in rows], settings


async def test_publishing_rules_agree(db: asyncpg.Connection, world: World) -> None:
    cases: list[tuple[dict[str, Any], list[tuple[str, str, bool, Any, Any]]]] = [
        ({}, []),
        ({"honeypotField": "trap"}, [("trap", "hidden", False, [], {})]),
        ({"honeypotField": "trap"}, [("email", "email", True, [], {}), ("trap", "text", False, [], {})]),
        ({"honeypotField": "trap"}, [("email", "email", True, [], {}), ("trap", "hidden", True, [], {})]),
        ({"honeypotField": 5}, [("email", "email", True, [], {})]),
        (
            {"honeypotField": "email", "theme": 3},
            [
                ("email", "email", False, [], {}),
                ("plan", "select", False, [], {}),
                ("code", "text", False, [], {"pattern": "(", "colour": "red"}),
            ],
        ),
        (
            {"redirectUrl": "https://example.com"},
            [("b", "text", False, [], {}), ("a", "number", False, [], {"min": 2, "max": 1})],
        ),
    ]
    await db.execute("set local session_replication_role = replica")  # rows as Studio could write them before
    for settings, fields in cases:
        form = await new_form(db, world, settings)
        for name, field_type, required, options, rules in fields:
            await new_field(db, form, name, field_type, is_required=required, options=options, validation_rules=rules)
        rows = await db.fetch(
            "select field_name, field_type, is_required, options::text, validation_rules::text"
            " from public.lead_form_fields where form_id = $1 order by field_order, field_name",
            form,
        )
        stored = [FieldDefinition(r[0], r[1], r[2], as_stored(r[3]), as_stored(r[4])) for r in rows]
        known = await verdicts(db, [p for d in stored if (p := d.pattern())])
        stored_settings = as_stored(
            await db.fetchval("select form_settings::text from public.lead_forms where id = $1", form)
        )
        python = [(p.field, p.message) for p in publish_problems(stored_settings, stored, known)]
        sql = [
            (r["field"], r["message"]) for r in await db.fetch("select * from private.form_publish_problems($1)", form)
        ]
        assert python == sql, (settings, fields)


# --------------------------------------------------------------------------------------------------------------
# Through GraphQL
# --------------------------------------------------------------------------------------------------------------

CREATE_FORM = "mutation($input: CreateLeadFormInput!) { createLeadForm(input: $input) { id } }"
CREATE_FIELD = "mutation($input: CreateFormFieldInput!) { createFormField(input: $input) { id validationRules } }"
SUBMIT = "mutation($form: ID!, $values: JSON!) { submitForm(formId: $form, values: $values) { submissionId } }"
SEED_FORM = uuid.UUID("00000000-0000-4000-b100-000000000001")


async def test_the_api_accepts_what_postgres_accepts(api: ApiClient) -> None:
    form = ok(await api.gql(CREATE_FORM, {"input": {"space": global_id("Space", SPACE), "name": "Codes"}}, as_user=BOB))
    field = {"form": form["createLeadForm"]["id"], "fieldName": "code", "fieldType": "TEXT", "label": "Code"}
    pattern = r"^\mACME\M-[0-9]{3}$"  # word boundaries in Postgres's syntax; Python's re refuses \m
    created = ok(
        await api.gql(CREATE_FIELD, {"input": {**field, "validationRules": {"pattern": pattern}}}, as_user=BOB)
    )
    assert created["createFormField"]["validationRules"] == {"pattern": pattern}
    response = await api.gql(
        CREATE_FIELD, {"input": {**field, "fieldName": "c2", "validationRules": {"pattern": "(?P<n>x)"}}}, as_user=BOB
    )
    refused(response, "BAD_USER_INPUT", "input.validationRules.pattern")


async def test_a_stored_broken_pattern_makes_a_clear_refusal(api: ApiClient) -> None:
    await admin_val(api, "update private.form_submission_limits set per_client_limit = 1000, per_form_limit = 1000")
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        async with conn.transaction():  # a row from before the database refused such patterns
            await conn.execute("set local session_replication_role = replica")
            await conn.execute(
                'update public.lead_form_fields set validation_rules = \'{"pattern": "(unclosed"}\''
                " where form_id = $1 and field_name = 'phone'",
                SEED_FORM,
            )
    finally:
        await conn.close()
    values = {"first_name": "Ada", "email": "ada@example.org", "phone": "+1 555 0100"}
    response = await api.gql(SUBMIT, {"form": global_id("LeadForm", SEED_FORM), "values": values})
    refused(response, "BAD_USER_INPUT", "values")
    assert "regular expression" in response.errors[0]["message"]
    assert await admin_fetch(api, "select 1 from public.leads where email = 'ada@example.org'") == []


DELETE_FIELD = "mutation($id: ID!) { deleteFormField(id: $id) { deletedId } }"


async def test_the_api_cannot_empty_a_published_form(api: ApiClient) -> None:
    fields = await admin_fetch(
        api, "select id, field_name from public.lead_form_fields where form_id = $1 order by field_order", SEED_FORM
    )
    for row in fields[:-2]:  # all but the honeypot (last) and one more
        ok(await api.gql(DELETE_FIELD, {"id": global_id("FormField", row["id"])}, as_user=BOB))
    last_real, honeypot = fields[-2], fields[-1]
    for row, problem in ((last_real, "fields"), (honeypot, "formSettings.honeypotField")):
        response = await api.gql(DELETE_FIELD, {"id": global_id("FormField", row["id"])}, as_user=BOB)
        refused(response, "BAD_USER_INPUT", problem)
        assert "unpublish" in response.errors[0]["message"]
    assert await admin_val(api, "select count(*) from public.lead_form_fields where form_id = $1", SEED_FORM) == 2
