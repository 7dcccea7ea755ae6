"""Conversion to a customer holds in the database: a converted lead has its customer, status converted a conversion.

Migration 20261206140100_conversion_checks.sql, as Studio (the superuser), as the API roles in SQL and through
GraphQL. The converted activity comes from the database (leads_log_conversion), once per lead and customer.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from tests.support.api import CAROL, SPACE, ApiClient
from tests.support.mutations import admin_val, gid, ok, refused
from tests.support.roles import acting_as, user_claims
from tests.support.rows import OwnedSpace, insert, owned_space, rolled_back

World = OwnedSpace


@pytest_asyncio.fixture(scope="module")
async def world(conn: asyncpg.Connection) -> World:
    return await owned_space(conn, "Conversions")


@pytest_asyncio.fixture
async def db(conn: asyncpg.Connection, world: World) -> AsyncIterator[asyncpg.Connection]:
    """The module's superuser connection (Studio) in a transaction that is rolled back after the test."""
    async with rolled_back(conn):
        yield conn


async def lead_and_customer(conn: asyncpg.Connection, world: World) -> tuple[uuid.UUID, uuid.UUID]:
    lead = await insert(conn, "leads", user_id=world.owner, space_id=world.space, first_name="Ada")
    customer = await insert(conn, "customers", user_id=world.owner, space_id=world.space, name="Ada", lead_id=lead)
    return lead, customer


async def refused_in_sql(conn: asyncpg.Connection, sql: str, *args: object) -> asyncpg.CheckViolationError:
    with pytest.raises(asyncpg.CheckViolationError) as raised:
        async with conn.transaction():
            await conn.execute(sql, *args)
    assert raised.value.constraint_name == "leads_conversion_check"
    return raised.value


async def conversion(conn: asyncpg.Connection, lead: uuid.UUID) -> tuple[bool, uuid.UUID | None, str]:
    row = await conn.fetchrow("select converted_to_customer, customer_id, status from public.leads where id = $1", lead)
    assert row is not None
    return row["converted_to_customer"], row["customer_id"], row["status"]


async def test_studio_cannot_convert_without_a_customer(db: asyncpg.Connection, world: World) -> None:
    lead, _ = await lead_and_customer(db, world)
    error = await refused_in_sql(db, "update public.leads set converted_to_customer = true where id = $1", lead)
    assert "customer" in str(error)
    assert await conversion(db, lead) == (False, None, "new")


async def test_studio_cannot_set_status_converted_without_the_conversion(db: asyncpg.Connection, world: World) -> None:
    lead, customer = await lead_and_customer(db, world)
    await refused_in_sql(db, "update public.leads set status = 'converted' where id = $1", lead)
    await refused_in_sql(
        db, "update public.leads set status = 'converted', customer_id = $2 where id = $1", lead, customer
    )
    # a lead inserted as converted without its customer is judged at COMMIT
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await insert(db, "leads", user_id=world.owner, first_name="Bo", status="converted")
            await db.execute("set constraints leads_conversion_check_insert immediate")
    # the whole conversion in one write is fine, and so is undoing it the same way
    await db.execute(
        "update public.leads set converted_to_customer = true, customer_id = $2, status = 'converted' where id = $1",
        lead,
        customer,
    )
    await refused_in_sql(db, "update public.leads set converted_to_customer = false where id = $1", lead)
    await db.execute(
        "update public.leads set converted_to_customer = false, customer_id = null, status = 'qualified' where id = $1",
        lead,
    )
    assert await conversion(db, lead) == (False, None, "qualified")


async def test_a_deleted_customer_leaves_its_lead_converted(db: asyncpg.Connection, world: World) -> None:
    lead, customer = await lead_and_customer(db, world)
    await db.execute(
        "update public.leads set converted_to_customer = true, customer_id = $2, status = 'converted' where id = $1",
        lead,
        customer,
    )
    await db.execute("delete from public.customers where id = $1", customer)
    assert await conversion(db, lead) == (True, None, "converted")
    # that state was not this edit's doing: other edits of the lead go on
    await db.execute("update public.leads set status = 'converted', first_name = 'Ada L.' where id = $1", lead)
    # but a customer still there cannot be unlinked from its converted lead
    other, other_customer = await lead_and_customer(db, world)
    await db.execute(
        "update public.leads set converted_to_customer = true, customer_id = $2 where id = $1", other, other_customer
    )
    await refused_in_sql(db, "update public.leads set customer_id = null where id = $1", other)


async def test_a_conversion_is_logged_once_by_the_database(db: asyncpg.Connection, world: World) -> None:
    lead, customer = await lead_and_customer(db, world)
    for _ in range(2):
        await db.execute(
            "update public.leads set converted_to_customer = true, customer_id = $2, status = 'converted'"
            " where id = $1",
            lead,
            customer,
        )
        await db.execute(
            "update public.leads set converted_to_customer = false, customer_id = null,"
            " status = 'qualified' where id = $1",
            lead,
        )
    logged = await db.fetch(
        "select description, activity_data -> 'customer' ->> 'id' as customer from public.lead_activities"
        " where lead_id = $1 and activity_type = 'converted'",
        lead,
    )
    assert [(r["description"], r["customer"]) for r in logged] == [("Converted to customer Ada", str(customer))]


async def test_the_api_roles_are_held_to_it_in_sql(db: asyncpg.Connection, world: World) -> None:
    lead, _ = await lead_and_customer(db, world)
    async with acting_as(db, user_claims(world.owner)):
        await refused_in_sql(db, "update public.leads set status = 'converted' where id = $1", lead)
    async with acting_as(db, user_claims(world.owner)):
        await refused_in_sql(db, "update public.leads set converted_to_customer = true where id = $1", lead)


UPDATE_LEAD = "mutation($id: ID!, $patch: LeadPatch!) { updateLead(id: $id, patch: $patch) { id status } }"


async def test_update_lead_cannot_mark_a_lead_converted(api: ApiClient) -> None:
    lead = await admin_val(
        api, "select id from public.leads where space_id = $1 and not converted_to_customer order by id limit 1", SPACE
    )
    response = await api.gql(UPDATE_LEAD, {"id": gid("Lead", lead), "patch": {"status": "CONVERTED"}}, as_user=CAROL)
    refused(response, "BAD_USER_INPUT", "status")
    assert "convertLead" in response.errors[0]["message"]
    ok(await api.gql(UPDATE_LEAD, {"id": gid("Lead", lead), "patch": {"status": "QUALIFIED"}}, as_user=CAROL))


CREATE_LEAD = "mutation($input: CreateLeadInput!) { createLead(input: $input) { id } }"


async def test_create_lead_cannot_start_out_converted(api: ApiClient) -> None:
    """A new lead is judged at COMMIT (a script may link its customer later on): still a BAD_USER_INPUT."""
    given = {"space": gid("Space", SPACE), "email": "born.converted@example.com", "status": "CONVERTED"}
    response = await api.gql(CREATE_LEAD, {"input": given}, as_user=CAROL)
    refused(response, "BAD_USER_INPUT", "status")
    assert await admin_val(api, "select count(*) from public.leads where email = 'born.converted@example.com'") == 0
