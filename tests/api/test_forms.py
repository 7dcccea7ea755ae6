"""The form builder over HTTP: definitions checked with the field named, publishing, unpublishing, reordering."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import asyncpg

from tests.support.api import BOB, CAROL, DAVE, ERIN, SPACE, ApiClient
from tests.support.mutations import admin_fetch, admin_val, gid, ok, raw_id, refused

SPACE_ID = gid("Space", SPACE)
CREATE_FORM = "mutation($input: CreateLeadFormInput!) { createLeadForm(input: $input) { id formSettings } }"
UPDATE_FORM = "mutation($id: ID!, $patch: LeadFormPatch!) { updateLeadForm(id: $id, patch: $patch) { id } }"
CREATE_FIELD = """
mutation($input: CreateFormFieldInput!) {
  createFormField(input: $input) { id fieldName fieldType options validationRules fieldOrder }
}
"""
UPDATE_FIELD = """
mutation($id: ID!, $patch: FormFieldPatch!) {
  updateFormField(id: $id, patch: $patch) { id fieldType options validationRules }
}
"""
PUBLISH = "mutation($id: ID!) { publishForm(id: $id) { id isPublished publishedAt } }"
UNPUBLISH = "mutation($id: ID!) { unpublishForm(id: $id) { id isPublished publishedAt } }"
REORDER = """
mutation($form: ID!, $ids: [ID!]!) { reorderFormFields(form: $form, fieldIds: $ids) { id fieldName fieldOrder } }
"""


async def new_form(api: ApiClient, name: str, settings: dict[str, Any] | None = None) -> str:
    form_input: dict[str, Any] = {"space": SPACE_ID, "name": name}
    if settings is not None:
        form_input["formSettings"] = settings
    return str(ok(await api.gql(CREATE_FORM, {"input": form_input}, as_user=BOB))["createLeadForm"]["id"])


async def new_field(api: ApiClient, form: str, name: str, field_type: str = "TEXT", **extra: Any) -> str:
    field_input = {"form": form, "fieldName": name, "fieldType": field_type, "label": name.title(), **extra}
    return str(ok(await api.gql(CREATE_FIELD, {"input": field_input}, as_user=BOB))["createFormField"]["id"])


def problems(response: Any) -> list[str]:
    """The fields a BAD_USER_INPUT error names, in order; asserts that nothing else came back."""
    assert response.codes == ["BAD_USER_INPUT"], response.errors
    assert response.data is None
    extensions = response.errors[0]["extensions"]
    names = [p["field"] for p in extensions["fields"]]
    assert extensions["field"] == names[0]
    return names


async def fields_in_db(api: ApiClient, form: str) -> list[tuple[str, int]]:
    rows = await admin_fetch(
        api,
        "select field_name, field_order from public.lead_form_fields where form_id = $1 order by field_order",
        uuid.UUID(raw_id(form)),
    )
    return [(r["field_name"], r["field_order"]) for r in rows]


async def test_a_form_is_built_published_and_unpublished(api: ApiClient) -> None:
    settings = {
        "theme": {"primaryColor": "#112233"},
        "successMessage": "Thanks!",
        "redirectUrl": "https://example.com/thanks",
        "honeypotField": "trap",
        "minSecondsToSubmit": 2,
        "submitLabel": "Send",
    }
    form = await new_form(api, "Builder demo", settings)
    await new_field(api, form, "name", isRequired=True, validationRules={"minLength": 2, "maxLength": 80})
    await new_field(
        api, form, "email", "EMAIL", validationRules={"allowedDomains": ["example.com"], "blockFreeEmail": True}
    )
    await new_field(api, form, "size", "SELECT", options=["small", "large"])
    await new_field(api, form, "topics", "MULTISELECT", options=["a", "b"])
    await new_field(api, form, "budget", "NUMBER", validationRules={"min": 0, "max": 1e6})
    await new_field(api, form, "code", validationRules={"pattern": "^[A-Z]{3}$"})
    await new_field(api, form, "agree", "CHECKBOX")
    await new_field(api, form, "trap", "HIDDEN")

    published = ok(await api.gql(PUBLISH, {"id": form}, as_user=BOB))["publishForm"]
    assert published["isPublished"] is True and published["publishedAt"] is not None
    unpublished = ok(await api.gql(UNPUBLISH, {"id": form}, as_user=BOB))["unpublishForm"]
    assert unpublished == {**published, "isPublished": False}  # publishedAt: when it was last published
    row = (await admin_fetch(api, "select * from public.lead_forms where id = $1", uuid.UUID(raw_id(form))))[0]
    assert row["is_published"] is False and row["published_at"] is not None
    again = ok(await api.gql(PUBLISH, {"id": form}, as_user=BOB))["publishForm"]
    assert again["isPublished"] is True
    assert dt.datetime.fromisoformat(again["publishedAt"]) >= dt.datetime.fromisoformat(published["publishedAt"])


async def test_a_form_without_fields_is_not_published(api: ApiClient) -> None:
    form = await new_form(api, "Empty form", {"honeypotField": "trap"})
    assert problems(await api.gql(PUBLISH, {"id": form}, as_user=BOB)) == ["fields", "formSettings.honeypotField"]
    await new_field(api, form, "trap", "HIDDEN")  # a honeypot alone is no form either
    assert problems(await api.gql(PUBLISH, {"id": form}, as_user=BOB)) == ["fields"]
    assert await admin_val(api, "select is_published from public.lead_forms where id = $1", raw_id(form)) is False


async def test_an_invalid_definition_written_past_the_api_blocks_publishing(api: ApiClient) -> None:
    form = await new_form(api, "Studio-edited form", {"honeypotField": "email"})
    await new_field(api, form, "email", "EMAIL")
    await new_field(api, form, "plan", "SELECT", options=["basic"])
    await new_field(api, form, "code")
    form_id = uuid.UUID(raw_id(form))
    # as in Studio before the database refused such definitions (tests/test_form_rules.py): rows already there
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        async with conn.transaction():
            await conn.execute("set local session_replication_role = replica")
            await conn.execute(
                "update public.lead_form_fields set options = '[]' where form_id = $1 and field_name = 'plan'", form_id
            )
            await conn.execute(
                "update public.lead_form_fields set validation_rules = $2 where form_id = $1 and field_name = 'code'",
                form_id,
                json.dumps({"pattern": "(unclosed", "colour": "red"}),
            )
    finally:
        await conn.close()
    assert problems(await api.gql(PUBLISH, {"id": form}, as_user=BOB)) == [
        "fields.plan.options",  # fields in their order (of creation); jsonb keeps keys shortest first
        "fields.code.validationRules.colour",
        "fields.code.validationRules.pattern",
        "formSettings.honeypotField",  # names a field, but not a hidden one
    ]
    assert await admin_val(api, "select is_published from public.lead_forms where id = $1", form_id) is False


async def test_a_pattern_must_also_be_a_postgres_regular_expression(api: ApiClient) -> None:
    form = await new_form(api, "Patterns")
    field = {"form": form, "fieldName": "code", "fieldType": "TEXT", "label": "Code"}
    for pattern in ("(?P<name>x)", "[z-a]", "(", "a{2,1}"):  # the first is fine in Python, not in Postgres
        response = await api.gql(
            CREATE_FIELD, {"input": {**field, "validationRules": {"pattern": pattern}}}, as_user=BOB
        )
        assert problems(response) == ["input.validationRules.pattern"], pattern
    created = await new_field(api, form, "ok", validationRules={"pattern": r"^\d{3}-[a-z]+$"})
    response = await api.gql(
        UPDATE_FIELD, {"id": created, "patch": {"validationRules": {"pattern": "(?P<n>x)"}}}, as_user=BOB
    )
    assert problems(response) == ["patch.validationRules.pattern"]
    assert await fields_in_db(api, form) == [("ok", 0)]


async def test_field_definitions_are_checked_with_the_field_named(api: ApiClient) -> None:
    form = await new_form(api, "Definitions")
    base = {"form": form, "fieldName": "f", "label": "F"}
    cases: list[tuple[dict[str, Any], list[str]]] = [
        ({"fieldType": "SELECT"}, ["input.options"]),
        ({"fieldType": "MULTISELECT", "options": ["a", "a"]}, ["input.options"]),
        ({"fieldType": "SELECT", "options": ["a", 2]}, ["input.options"]),
        ({"fieldType": "TEXT", "options": ["a"]}, ["input.options"]),
        ({"fieldType": "TEXT", "validationRules": {"colour": "red"}}, ["input.validationRules.colour"]),
        ({"fieldType": "TEXT", "validationRules": {"min": 1}}, ["input.validationRules.min"]),
        ({"fieldType": "NUMBER", "validationRules": {"maxLength": 3}}, ["input.validationRules.maxLength"]),
        (
            {"fieldType": "TEXT", "validationRules": {"minLength": 5, "maxLength": 2}},
            ["input.validationRules.minLength"],
        ),
        ({"fieldType": "TEXT", "validationRules": {"maxLength": -1}}, ["input.validationRules.maxLength"]),
        ({"fieldType": "TEXT", "validationRules": {"maxLength": 2.5}}, ["input.validationRules.maxLength"]),
        ({"fieldType": "NUMBER", "validationRules": {"min": 10, "max": 1}}, ["input.validationRules.min"]),
        ({"fieldType": "NUMBER", "validationRules": {"max": "ten"}}, ["input.validationRules.max"]),
        (
            {"fieldType": "EMAIL", "validationRules": {"allowedDomains": ["not a domain"]}},
            ["input.validationRules.allowedDomains"],
        ),
        ({"fieldType": "EMAIL", "validationRules": {"blockedDomains": []}}, ["input.validationRules.blockedDomains"]),
        (
            {"fieldType": "EMAIL", "validationRules": {"blockFreeEmail": "yes"}},
            ["input.validationRules.blockFreeEmail"],
        ),
        ({"fieldType": "DATE", "validationRules": {"pattern": "x"}}, ["input.validationRules.pattern"]),
        (
            {"fieldType": "TEXT", "options": ["a"], "validationRules": {"min": 1, "pattern": "("}},
            ["input.options", "input.validationRules.min", "input.validationRules.pattern"],
        ),
    ]
    for fields, expected in cases:
        assert problems(await api.gql(CREATE_FIELD, {"input": {**base, **fields}}, as_user=BOB)) == expected, fields
    assert await fields_in_db(api, form) == []
    # checkbox options are optional; a checkbox group has them
    await new_field(api, form, "agree", "CHECKBOX")
    await new_field(api, form, "channels", "CHECKBOX", options=["email", "phone"])


async def test_a_patch_is_checked_against_the_whole_definition(api: ApiClient) -> None:
    form = await new_form(api, "Patches")
    text = await new_field(api, form, "note", validationRules={"maxLength": 10})
    choice = await new_field(api, form, "plan", "SELECT", options=["a", "b"])
    cases: list[tuple[str, dict[str, Any], list[str]]] = [
        (text, {"fieldType": "SELECT"}, ["patch.options", "patch.validationRules.maxLength"]),
        (text, {"fieldType": "NUMBER"}, ["patch.validationRules.maxLength"]),
        (choice, {"options": []}, ["patch.options"]),
        (choice, {"fieldType": "TEXT"}, ["patch.options"]),
    ]
    for field, patch, expected in cases:
        assert problems(await api.gql(UPDATE_FIELD, {"id": field, "patch": patch}, as_user=BOB)) == expected, patch
    changed = ok(
        await api.gql(
            UPDATE_FIELD, {"id": text, "patch": {"fieldType": "NUMBER", "validationRules": {"max": 5}}}, as_user=BOB
        )
    )
    assert changed["updateFormField"]["fieldType"] == "NUMBER"
    moved = ok(await api.gql(UPDATE_FIELD, {"id": choice, "patch": {"fieldType": "TEXT", "options": []}}, as_user=BOB))
    assert moved["updateFormField"]["options"] == []
    # a field the caller cannot see is NOT_FOUND, as for any other update
    refused(await api.gql(UPDATE_FIELD, {"id": text, "patch": {"fieldType": "SELECT"}}, as_user=ERIN), "NOT_FOUND")


async def test_form_settings_are_checked_key_by_key(api: ApiClient) -> None:
    bad = {
        "redirectUrl": "javascript:alert(1)",
        "colour": "red",
        "minSecondsToSubmit": -1,
        "honeypotField": "not a name",
        "successMessage": "",
        "theme": 3,
    }
    response = await api.gql(
        CREATE_FORM, {"input": {"space": SPACE_ID, "name": "Bad settings", "formSettings": bad}}, as_user=BOB
    )
    assert sorted(problems(response)) == sorted(f"input.formSettings.{key}" for key in bad)
    form = await new_form(api, "Good settings", {"theme": "dark"})
    response = await api.gql(
        UPDATE_FORM, {"id": form, "patch": {"formSettings": {"redirectUrl": "ftp://x"}}}, as_user=BOB
    )
    assert problems(response) == ["patch.formSettings.redirectUrl"]
    assert await admin_val(api, "select count(*) from public.lead_forms where name = 'Bad settings'") == 0


async def test_fields_are_reordered_in_one_go(api: ApiClient) -> None:
    form = await new_form(api, "Reorder me")
    a, b, c = [await new_field(api, form, name, fieldOrder=i) for i, name in enumerate(("a", "b", "c"))]
    reordered = ok(await api.gql(REORDER, {"form": form, "ids": [c, a, b]}, as_user=BOB))["reorderFormFields"]
    assert [(f["fieldName"], f["fieldOrder"]) for f in reordered] == [("c", 0), ("a", 1), ("b", 2)]
    assert await fields_in_db(api, form) == [("c", 0), ("a", 1), ("b", 2)]

    other_form = await new_form(api, "Another form")
    stranger = await new_field(api, other_form, "x")
    for ids in ([c, a], [c, a, b, b], [c, a, stranger], [c, a, b, stranger]):
        refused(await api.gql(REORDER, {"form": form, "ids": ids}, as_user=BOB), "BAD_USER_INPUT", "fieldIds")
    refused(await api.gql(REORDER, {"form": form, "ids": [c, a, form]}, as_user=BOB), "BAD_USER_INPUT", "fieldIds[2]")
    refused(await api.gql(REORDER, {"form": form, "ids": [a, b, c]}, as_user=CAROL), "FORBIDDEN")  # a member
    refused(await api.gql(REORDER, {"form": form, "ids": [a, b, c]}, as_user=DAVE), "FORBIDDEN")  # a viewer
    refused(await api.gql(REORDER, {"form": form, "ids": [a, b, c]}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(REORDER, {"form": form, "ids": [a, b, c]}), "FORBIDDEN")  # anonymous
    assert await fields_in_db(api, form) == [("c", 0), ("a", 1), ("b", 2)]


async def test_only_managers_publish(api: ApiClient) -> None:
    form = await new_form(api, "Managers only")
    await new_field(api, form, "email", "EMAIL")
    refused(await api.gql(PUBLISH, {"id": form}, as_user=CAROL), "FORBIDDEN")
    refused(await api.gql(PUBLISH, {"id": form}, as_user=DAVE), "FORBIDDEN")
    refused(await api.gql(PUBLISH, {"id": form}, as_user=ERIN), "NOT_FOUND")
    refused(await api.gql(PUBLISH, {"id": form}), "FORBIDDEN")
    refused(await api.gql(UNPUBLISH, {"id": form}), "FORBIDDEN")
    assert await admin_val(api, "select is_published from public.lead_forms where id = $1", raw_id(form)) is False
