"""Default stages and custom field values in SQL, as Studio, service_role and concurrent sign-ups meet them.

Migration 20261125160000: the triggers spaces_add_default_stages, leadgen_add_default_stages (auth.users) and
leads_check_custom_fields, private.backfill_default_stages(), and leadgen.custom_field_problems().
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from db import pipeline
from db.session import Caller, begin_statement
from tests.support.databases import PgCluster
from tests.support.pipeline import DEFAULT_STAGES, default_stage_id
from tests.support.roles import acting_as, user_claims
from tests.support.waiting import wait_until_blocked

BOARD = (
    "select id::text, user_id, name, stage_order, color, is_default, created_at from public.lead_stages"
    " where case when $1::uuid is null then space_id is null and user_id = $2 else space_id = $1 end"
    " order by stage_order"
)
ADD_USER = "insert into auth.users (id, email, created_at) values ($1, $2, $3)"
WHEN = "2026-03-04 05:06:07+00"


async def add_user(conn: asyncpg.Connection, created_at: str = WHEN) -> uuid.UUID:
    user = uuid.uuid4()
    await conn.execute(ADD_USER, user, f"{user.hex[:10]}@example.test", _ts(created_at))
    return user


def _ts(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


async def board(conn: asyncpg.Connection, owner: uuid.UUID, space: uuid.UUID | None = None) -> list[asyncpg.Record]:
    return list(await conn.fetch(BOARD, space, owner))


@pytest_asyncio.fixture
async def db(cluster: PgCluster, module_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection (as Studio) in a transaction that is rolled back after the test."""
    conn = await asyncpg.connect(cluster.dsn(module_db))
    tx = conn.transaction()
    await tx.start()
    try:
        yield conn
    finally:
        await tx.rollback()
        await conn.close()


# ---------------------------------------------------------------------------------------------------------
# Default stages
# ---------------------------------------------------------------------------------------------------------


async def test_a_new_user_gets_a_personal_board(db: asyncpg.Connection) -> None:
    user = await add_user(db)
    rows = await board(db, user)
    assert [r["name"] for r in rows] == list(DEFAULT_STAGES)
    assert [r["stage_order"] for r in rows] == list(range(6))
    assert [r["id"] for r in rows] == [default_stage_id(user, n) for n in DEFAULT_STAGES]
    assert all(r["is_default"] and r["user_id"] == user for r in rows)
    assert {r["created_at"] for r in rows} == {_ts(WHEN)}  # made with the user, whenever that was
    assert len({r["color"] for r in rows}) == 6


async def test_a_new_space_gets_a_board_owned_by_its_creator(db: asyncpg.Connection) -> None:
    owner = await add_user(db)
    space = await db.fetchval("insert into public.spaces (name, created_by) values ('S', $1) returning id", owner)
    rows = await board(db, owner, space)
    assert [r["id"] for r in rows] == [default_stage_id(space, n) for n in DEFAULT_STAGES]
    assert {r["user_id"] for r in rows} == {owner}


async def test_a_space_without_a_creator_gets_its_board_from_the_backfill(db: asyncpg.Connection) -> None:
    space = await db.fetchval("insert into public.spaces (name) values ('Ownerless') returning id")
    assert await db.fetchval("select count(*) from public.lead_stages where space_id = $1", space) == 0
    founder, heir = await add_user(db), await add_user(db)
    await db.execute(
        "insert into public.space_members (space_id, user_id, role, created_at) values"
        " ($1, $2, 'admin', now() - interval '2 days'), ($1, $3, 'owner', now() - interval '1 day')",
        space,
        founder,
        heir,
    )
    assert await db.fetchval("select private.backfill_default_stages()") == 6
    rows = await board(db, heir, space)
    assert [r["name"] for r in rows] == list(DEFAULT_STAGES) and {r["user_id"] for r in rows} == {heir}
    assert await db.fetchval("select private.backfill_default_stages()") == 0


async def test_the_backfill_fills_empty_boards_only(db: asyncpg.Connection) -> None:
    emptied, customised, untouched = await add_user(db), await add_user(db), await add_user(db)
    await db.execute(
        "delete from public.lead_stages where space_id is null and user_id = any($1)", [emptied, customised]
    )
    await db.execute("insert into public.lead_stages (user_id, name) values ($1, 'Inbox')", customised)
    await db.execute(
        "update public.lead_stages set name = 'Fresh' where id = $1", uuid.UUID(default_stage_id(untouched, "New"))
    )
    assert await db.fetchval("select private.backfill_default_stages()") == 6
    assert [r["name"] for r in await board(db, emptied)] == list(DEFAULT_STAGES)
    assert [r["name"] for r in await board(db, customised)] == ["Inbox"]
    assert (await board(db, untouched))[0]["name"] == "Fresh"


async def test_default_stages_are_created_exactly_once(db: asyncpg.Connection) -> None:
    """However often it runs: deterministic ids and ON CONFLICT DO NOTHING."""
    user = await add_user(db)
    for _ in range(3):
        assert await db.fetchval("select private.create_default_stages($1, null, now())", user) == 0
    # a stage renamed by its owner keeps its id; a stage of the same name (another id) also counts as there
    await db.execute("delete from public.lead_stages where id = $1", uuid.UUID(default_stage_id(user, "Won")))
    await db.execute("insert into public.lead_stages (user_id, name, stage_order) values ($1, 'won', 9)", user)
    assert await db.fetchval("select private.create_default_stages($1, null, now())", user) == 0
    assert await db.fetchval("select count(*) from public.lead_stages where user_id = $1", user) == 6


async def test_concurrent_sign_ups_and_backfills(cluster: PgCluster, fresh_db: str) -> None:
    """Users created at once, and the backfill run by many sessions at once: every board once, complete."""
    dsn = cluster.dsn(fresh_db)
    conns = [await asyncpg.connect(dsn) for _ in range(8)]
    try:
        users = [uuid.uuid4() for _ in range(40)]

        async def sign_up(conn: asyncpg.Connection, batch: list[uuid.UUID]) -> None:
            for user in batch:
                await conn.execute(ADD_USER, user, f"{user.hex}@example.test", _ts(WHEN))

        await asyncio.gather(*(sign_up(c, users[i::8]) for i, c in enumerate(conns)))
        check = (
            "select count(*) filter (where n <> 6) from (select count(*) as n from public.lead_stages"
            " where space_id is null and user_id = any($1) group by user_id) b"
        )
        assert await conns[0].fetchval(check, users) == 0
        assert await conns[0].fetchval("select count(*) from public.lead_stages where user_id = any($1)", users) == 240

        await conns[0].execute("delete from public.lead_stages where user_id = any($1)", users)
        created = await asyncio.gather(*(c.fetchval("select private.backfill_default_stages()") for c in conns))
        assert sum(created) == 240  # each stage made by exactly one of the racing sessions
        assert await conns[0].fetchval(check, users) == 0
        assert await conns[0].fetchval("select count(*) from public.lead_stages where user_id = any($1)", users) == 240
    finally:
        for conn in conns:
            await conn.close()


async def test_api_roles_cannot_call_the_stage_helpers(cluster: PgCluster, module_db: str) -> None:
    api = await asyncpg.connect(cluster.dsn(module_db, user="leadgen_api"))
    try:
        async with acting_as(api, user_claims(uuid.uuid4())) as conn:
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.fetchval("select private.backfill_default_stages()")
    finally:
        await api.close()


# ---------------------------------------------------------------------------------------------------------
# Custom field values
# ---------------------------------------------------------------------------------------------------------

DEFINITIONS = [
    ("words", "text", []),
    ("essay", "textarea", []),
    ("amount", "number", []),
    ("due", "date", []),
    ("flag", "boolean", []),
    ("size", "select", ["s", "m", "l"]),
    ("topics", "multiselect", ["a", "b"]),
    ("mail", "email", []),
    ("site", "url", []),
    ("tel", "phone", []),
]

VALUE_CASES: list[tuple[str, Any, str | None]] = [
    ("words", "hello", None),
    ("words", "x" * 1001, "at most 1000 characters"),
    ("words", 5, "expected a string"),
    ("essay", "x" * 10000, None),
    ("amount", -3.25, None),
    ("amount", "3", "expected a number"),
    ("due", "2028-02-29", None),
    ("due", "2027-02-29", "not a calendar date"),
    ("due", "2027-13-01", "not a calendar date"),
    ("due", "2027-1-1", "expected a date, YYYY-MM-DD"),
    ("flag", False, None),
    ("flag", "false", "expected true or false"),
    ("size", "m", None),
    ("size", "xl", "not one of the options"),
    ("size", ["m"], "expected a string"),
    ("topics", ["a", "b"], None),
    ("topics", [], None),
    ("topics", ["c"], "not among the options"),
    ("topics", "a", "expected a list of options (strings)"),
    ("topics", [1], "expected a list of options (strings)"),
    ("mail", "a@b.co", None),
    ("mail", "a@b", "not a valid email address"),
    ("site", "https://x.example/p?q=1", None),
    ("site", "javascript:alert(1)", "not a valid http(s) URL"),
    ("tel", "+44 20 7946 0958", None),
    ("tel", "call me", "not a valid phone number"),
    ("tel", "(030) 1234-56", None),
    ("tel", "+1 2", "not a valid phone number"),
    ("due", 20270101, "expected a date, YYYY-MM-DD"),
    ("words", None, None),  # JSON null: no value
]


async def define_fields(conn: asyncpg.Connection, owner: uuid.UUID) -> None:
    for name, kind, options in DEFINITIONS:
        await conn.execute(
            "insert into public.lead_custom_fields (user_id, field_name, field_label, field_type, options)"
            " values ($1, $2, $2, $3, $4::jsonb)",
            owner,
            name,
            kind,
            json.dumps(options),
        )


@pytest.mark.parametrize(("name", "value", "problem"), VALUE_CASES, ids=[f"{c[0]}={c[1]!r:.20}" for c in VALUE_CASES])
async def test_custom_value_problems(db: asyncpg.Connection, name: str, value: Any, problem: str | None) -> None:
    kind, options = next((k, o) for n, k, o in DEFINITIONS if n == name)
    found = await db.fetchval(
        "select leadgen.custom_value_problem($1, $2::jsonb, $3::jsonb)", kind, json.dumps(options), json.dumps(value)
    )
    assert found == problem


async def test_the_trigger_checks_what_a_write_changes(db: asyncpg.Connection) -> None:
    owner = await add_user(db)
    await define_fields(db, owner)
    insert = "insert into public.leads (user_id, custom_fields) values ($1, $2::jsonb) returning id"
    with pytest.raises(asyncpg.CheckViolationError, match="amount: expected a number; size: not one of the options"):
        async with db.transaction():
            await db.fetchval(insert, owner, '{"amount": "many", "size": "xl", "words": "ok"}')
    lead = await db.fetchval(insert, owner, '{"amount": 2, "extra": {"any": "thing"}}')  # unknown keys are allowed
    # the field changed type (before such a change was refused, tests/test_custom_field_definitions.py): the stored
    # value went stale, yet other changes go through ...
    await db.execute("set local session_replication_role = replica")
    await db.execute(
        "update public.lead_custom_fields set field_type = 'text' where user_id = $1 and field_name = 'amount'", owner
    )
    await db.execute("set local session_replication_role = origin")
    await db.execute(
        """update public.leads set custom_fields = custom_fields || '{"flag": true}' where id = $1""", lead
    )
    await db.execute("update public.leads set first_name = 'Ada' where id = $1", lead)
    # ... while writing a new value of the wrong type does not
    with pytest.raises(asyncpg.CheckViolationError) as raised:
        async with db.transaction():
            await db.execute("""update public.leads set custom_fields = '{"amount": 3}' where id = $1""", lead)
    assert raised.value.constraint_name == "leads_custom_fields_check"


async def test_service_role_is_held_to_it_too(db: asyncpg.Connection) -> None:
    owner = await add_user(db)
    await define_fields(db, owner)
    lead = await db.fetchval("insert into public.leads (user_id) values ($1) returning id", owner)
    await db.execute("set local role service_role")
    with pytest.raises(asyncpg.CheckViolationError):
        async with db.transaction():
            await db.execute("""update public.leads set custom_fields = '{"due": "tomorrow"}' where id = $1""", lead)
    await db.execute("""update public.leads set custom_fields = '{"due": "2027-05-01"}' where id = $1""", lead)


async def test_moving_a_lead_checks_all_its_values_in_the_new_scope(db: asyncpg.Connection) -> None:
    owner = await add_user(db)
    space = await db.fetchval("insert into public.spaces (name, created_by) values ('S', $1) returning id", owner)
    await db.execute(
        "insert into public.lead_custom_fields (user_id, space_id, field_name, field_label, field_type)"
        " values ($1, $2, 'words', 'Words', 'number')",
        owner,
        space,
    )
    await define_fields(db, owner)
    lead = await db.fetchval(
        """insert into public.leads (user_id, custom_fields) values ($1, '{"words": "hi"}') returning id""", owner
    )
    with pytest.raises(asyncpg.CheckViolationError, match="words: expected a number"):
        async with db.transaction():
            await db.execute("update public.leads set space_id = $2 where id = $1", lead, space)


async def test_custom_field_problems_follow_rls(db: asyncpg.Connection) -> None:
    """As an API caller the function sees the definitions RLS shows: another user's fields are unknown to you."""
    owner, stranger = await add_user(db), await add_user(db)
    await define_fields(db, owner)
    sql = "select field_name, problem from leadgen.custom_field_problems($1::jsonb, $2, null, true)"
    values = json.dumps({"size": "xl", "flag": True, "nope": 1})
    assert [tuple(r) for r in await db.fetch(sql, values, owner)] == [
        ("nope", "unknown custom field"),
        ("size", "not one of the options"),
    ]
    await db.execute("set local role authenticated")
    for caller, expected in ((owner, 2), (stranger, 3)):
        claims = json.dumps(user_claims(caller))
        await db.execute("select set_config('request.jwt.claims', $1, true)", claims)
        assert len(await db.fetch(sql, values, owner)) == expected


# ---------------------------------------------------------------------------------------------------------
# Moving a lead (db/pipeline.MOVE_LEAD: moveLead and the workflow action change_stage) in racing sessions
# ---------------------------------------------------------------------------------------------------------


async def test_the_second_of_two_identical_moves_finds_the_lead_moved(cluster: PgCluster, fresh_db: str) -> None:
    """Two sessions as the lead's owner move it to the same stage at once: the second waits on the first's row
    lock and, once the first commits, reports the lead as already there (unchanged), not as refused."""
    admin = await asyncpg.connect(cluster.dsn(fresh_db))
    first = await asyncpg.connect(cluster.dsn(fresh_db, user="leadgen_api"))
    second = await asyncpg.connect(cluster.dsn(fresh_db, user="leadgen_api"))
    try:
        owner = await add_user(admin)
        lead = await admin.fetchval(
            "insert into public.leads (user_id, email) values ($1, 'racing@example.test') returning id", owner
        )
        as_owner = begin_statement(Caller("authenticated", user_claims(owner)), readonly=False)
        for n in range(5):
            stage = uuid.UUID(default_stage_id(owner, DEFAULT_STAGES[n % 2]))
            await first.execute(as_owner)
            moved = await first.fetchrow(pipeline.MOVE_LEAD, lead, stage)
            assert moved is not None and (moved["unchanged"], moved["moved"]) == (False, 1)
            await second.execute(as_owner)
            racing = asyncio.create_task(second.fetchrow(pipeline.MOVE_LEAD, lead, stage))
            await wait_until_blocked(admin, second.get_server_pid(), "the second move")
            await first.execute("commit")
            result = await racing
            await second.execute("commit")
            assert result is not None
            assert dict(result) == {"lead_visible": True, "stage_in_scope": True, "unchanged": True, "moved": 0}, n
        logged = "select count(*) from public.lead_activities where lead_id = $1 and activity_type = 'stage_changed'"
        assert await admin.fetchval(logged, lead) == 5
    finally:
        for conn in (first, second, admin):
            await conn.close()
