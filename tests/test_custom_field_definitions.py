"""A custom field definition may not make the values its scope's leads hold invalid: type, options, required.

Migration 20261206140000_custom_field_definition_checks.sql, as Studio (the superuser), as the API roles in SQL and
through GraphQL's createCustomField / updateCustomField: the change is refused with how many leads fail.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from db import sql
from db.catalog import table
from tests.support.api import BOB, SPACE, ApiClient
from tests.support.mutations import admin_val, gid, ok, refused
from tests.support.roles import acting_as, user_claims
from tests.support.rows import OwnedSpace, insert, owned_space, rolled_back

World = OwnedSpace


@pytest_asyncio.fixture(scope="module")
async def world(conn: asyncpg.Connection) -> World:
    return await owned_space(conn, "Custom fields")


@pytest_asyncio.fixture
async def db(conn: asyncpg.Connection, world: World) -> AsyncIterator[asyncpg.Connection]:
    """The module's superuser connection (Studio) in a transaction that is rolled back after the test."""
    async with rolled_back(conn):
        yield conn


async def lead_with(conn: asyncpg.Connection, world: World, values: dict[str, Any]) -> uuid.UUID:
    return await insert(conn, "leads", user_id=world.owner, space_id=world.space, custom_fields=json.dumps(values))


async def definition(conn: asyncpg.Connection, world: World, name: str, field_type: str, **extra: Any) -> uuid.UUID:
    if "options" in extra:
        extra["options"] = json.dumps(extra["options"])
    return await insert(
        conn,
        "lead_custom_fields",
        user_id=world.owner,
        space_id=world.space,
        field_name=name,
        field_label=name.title(),
        field_type=field_type,
        **extra,
    )


async def refused_change(conn: asyncpg.Connection, sql: str, *args: object) -> list[dict[str, Any]]:
    """The statement is refused (in a savepoint); the problems its DETAIL lists."""
    with pytest.raises(asyncpg.CheckViolationError) as raised:
        async with conn.transaction():
            await conn.execute(sql, *args)
    assert raised.value.constraint_name == "lead_custom_fields_values_check"
    detail = json.loads(raised.value.detail or "null")
    assert isinstance(detail, list)
    return detail


async def test_a_type_change_is_refused_while_values_do_not_fit(db: asyncpg.Connection, world: World) -> None:
    field = await definition(db, world, "tier", "text")
    for value in ("gold", "silver", "12"):
        await lead_with(db, world, {"tier": value})
    await lead_with(db, world, {})
    [problem] = await refused_change(
        db, "update public.lead_custom_fields set field_type = 'number' where id = $1", field
    )
    assert problem["field"] == "fieldType" and problem["count"] == 3 and "3 lead(s)" in problem["message"]
    [problem] = await refused_change(
        db, "update public.lead_custom_fields set field_type = 'select', options = '[\"gold\"]' where id = $1", field
    )
    assert problem["count"] == 2  # silver and 12
    await db.execute(
        'update public.lead_custom_fields set field_type = \'select\', options = \'["gold", "silver", "12"]\''
        " where id = $1",
        field,
    )
    [problem] = await refused_change(
        db, 'update public.lead_custom_fields set options = \'["gold", "silver"]\' where id = $1', field
    )
    assert problem["field"] == "options" and problem["count"] == 1


async def test_a_field_made_required_while_leads_lack_a_value_is_reported(db: asyncpg.Connection, world: World) -> None:
    field = await definition(db, world, "region", "text")
    await lead_with(db, world, {"region": "EMEA"})
    for values in ({}, {"region": None}):
        await lead_with(db, world, values)
    notices: list[str] = []

    def heard(_conn: object, message: asyncpg.PostgresLogMessage) -> None:
        notices.append(str(message))

    db.add_log_listener(heard)
    try:
        await db.execute("update public.lead_custom_fields set is_required = true where id = $1", field)
        assert len(notices) == 1 and "region is required now: 2 lead(s)" in notices[0]
        # a required field new to the scope is reported the same way
        await definition(db, world, "segment", "text", is_required=True)
        assert len(notices) == 2 and "3 lead(s)" in notices[1]
        await db.execute("update public.lead_custom_fields set field_label = 'Region (required)' where id = $1", field)
        assert len(notices) == 2  # nothing new to report
    finally:
        db.remove_log_listener(heard)
    assert await leads_without_value(db, field) == 2


async def leads_without_value(conn: asyncpg.Connection, field: uuid.UUID) -> int:
    """CustomField.leadsWithoutValue, as the compiled read path computes it."""
    expr = table("lead_custom_fields").computed["leads_without_value"].expr("f")
    statement = sql.Sql("select ", expr, " from public.lead_custom_fields f where f.id = ", sql.value(field, "uuid"))
    rendered = statement.render()
    return int(await conn.fetchval(rendered.text, *rendered.values))


async def test_a_new_or_renamed_definition_meets_the_values_already_there(db: asyncpg.Connection, world: World) -> None:
    await lead_with(db, world, {"employees": "many", "headcount": 40})  # unknown keys: kept, unchecked
    [problem] = await refused_change(
        db,
        "insert into public.lead_custom_fields (user_id, space_id, field_name, field_label, field_type)"
        " values ($1, $2, 'employees', 'Employees', 'number')",
        world.owner,
        world.space,
    )
    assert problem["field"] == "fieldName" and problem["count"] == 1
    field = await definition(db, world, "headcount", "number")
    await refused_change(db, "update public.lead_custom_fields set field_name = 'employees' where id = $1", field)


async def test_values_that_went_stale_before_block_nothing_new(db: asyncpg.Connection, world: World) -> None:
    field = await definition(db, world, "plan", "select", options=["basic", "pro"])
    await db.execute("set local session_replication_role = replica")  # a value written before this rule existed
    await lead_with(db, world, {"plan": "legacy"})
    await db.execute("set local session_replication_role = origin")
    # adding an option does not make "legacy" any worse: accepted
    await db.execute('update public.lead_custom_fields set options = \'["basic", "pro", "max"]\' where id = $1', field)


async def test_the_api_roles_are_held_to_it_in_sql(db: asyncpg.Connection, world: World) -> None:
    field = await definition(db, world, "score_band", "text")
    await lead_with(db, world, {"score_band": "high"})
    async with acting_as(db, user_claims(world.owner)):
        await refused_change(db, "update public.lead_custom_fields set field_type = 'boolean' where id = $1", field)


CREATE = "mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) { id } }"
UPDATE = """
mutation($id: ID!, $patch: CustomFieldPatch!) {
  updateCustomField(id: $id, patch: $patch) { id isRequired leadsWithoutValue leadsWithInvalidValue }
}
"""


async def test_update_custom_field_refuses_values_it_would_break_and_reports_gaps(api: ApiClient) -> None:
    spec = {"space": gid("Space", SPACE), "fieldName": "nps", "fieldLabel": "NPS", "fieldType": "NUMBER"}
    created = ok(await api.gql(CREATE, {"input": spec}, as_user=BOB))["createCustomField"]["id"]
    leads = int(await admin_val(api, "select count(*) from public.leads where space_id = $1", SPACE))
    await admin_val(
        api,
        "update public.leads set custom_fields = custom_fields || '{\"nps\": 9}'"
        " where id = (select id from public.leads where space_id = $1 order by id limit 1)",
        SPACE,
    )
    response = await api.gql(UPDATE, {"id": created, "patch": {"fieldType": "BOOLEAN"}}, as_user=BOB)
    refused(response, "BAD_USER_INPUT", "fieldType")
    assert "1 lead(s)" in response.errors[0]["message"]
    assert await admin_val(api, "select field_type from public.lead_custom_fields where field_name = 'nps'") == "number"
    required = ok(await api.gql(UPDATE, {"id": created, "patch": {"isRequired": True}}, as_user=BOB))
    assert required["updateCustomField"] == {
        "id": created,
        "isRequired": True,
        "leadsWithoutValue": leads - 1,
        "leadsWithInvalidValue": 0,
    }
