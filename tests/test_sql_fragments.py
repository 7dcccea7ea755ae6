"""SQL fragments (db/sql.py): text and values apart, placeholders numbered when rendered; literals and names."""

from __future__ import annotations

import json

import asyncpg
import pytest

from db.catalog import ToMany, table
from db.pool import create_api_pool
from db.related_sql import children_list_sql
from db.session import Caller, RequestSession
from db.sql import Sql, ident, literal, slot, value
from tests.support.api import ALICE
from tests.support.databases import PgCluster


def test_placeholders_are_numbered_in_order_of_appearance_and_a_param_written_twice_is_bound_once() -> None:
    key = value("tier", "text")
    sql = Sql("select ", value(1, "integer"), " where a = ", key, " or b = ", key, " and c = ", value(2, "integer"))
    rendered = sql.render()
    assert rendered.text == "select $1::integer where a = $2::text or b = $2::text and c = $3::integer"
    assert rendered.values == [1, "tier", 2]


def test_slots_come_first_and_are_given_when_the_statement_runs() -> None:
    parents = slot("parents", "uuid[]")
    sql = Sql("select ", value("x", "text"), " from unnest(", parents, ") p").render()
    assert sql.text == "select $2::text from unnest($1::uuid[]) p"
    assert sql.args(parents=["a"]) == [["a"], "x"]
    with pytest.raises(ValueError, match="parents"):
        _ = sql.values


def test_join_and_concatenation_keep_values_apart() -> None:
    items = Sql(" and ").join([Sql("a = ", value(1, "integer")), "true", Sql("b = ", value("'; drop", "text"))])
    rendered = ("(" + items + ")").render()
    assert rendered.text == "(a = $1::integer and true and b = $2::text)"
    assert rendered.values == [1, "'; drop"]


def test_literals_double_quotes_and_refuse_nul() -> None:
    assert literal("it's") == "'it''s'"
    assert literal("back\\slash") == "'back\\slash'"
    with pytest.raises(ValueError, match="NUL"):
        literal("a\x00b")


@pytest.mark.parametrize("name", ["leads", "t1", "_parent", "custom_fields"])
def test_plain_names_pass(name: str) -> None:
    assert ident(name) == name


@pytest.mark.parametrize("name", ["", "Leads", "1t", "a.b", 'a"b', "a b", "t; drop", "x" * 64])
def test_other_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a plain SQL name"):
        ident(name)


async def test_claims_with_backslashes_and_quotes_reach_postgres_intact(cluster: PgCluster, fresh_db: str) -> None:
    """The pool pins standard_conforming_strings: a database defaulting it off cannot turn a backslash in the
    claims into an escape (which would break out of the literal of the BEGIN statement)."""
    admin = await asyncpg.connect(cluster.dsn(fresh_db))
    try:
        await admin.execute(f"alter database {ident(fresh_db)} set standard_conforming_strings = off")
    finally:
        await admin.close()
    claims = {"sub": ALICE, "role": "authenticated", "note": "a\\' or true; -- \\\\ '' \\"}
    pool = await create_api_pool(cluster.dsn(fresh_db, user="leadgen_api"), min_size=1, max_size=1)
    try:
        session = RequestSession(pool, Caller("authenticated", claims), readonly=True)
        try:
            seen = await session.fetchval("select current_setting('request.jwt.claims', true)")
            conforming = await session.fetchval("show standard_conforming_strings")
        finally:
            await session.finish(commit=False)
    finally:
        await pool.close()
    assert json.loads(seen) == claims
    assert conforming == "on"


async def test_a_list_through_a_join_table_reads_the_join_table(cluster: PgCluster, seeded_template: str) -> None:
    """children_list_sql and the compiled path share related_from: a join-table relation as a plain list."""
    campaigns = ToMany(
        "lead_campaigns",
        via="lead_campaign_associations",
        via_fk="lead_id",
        via_target_fk="campaign_id",
        paginated=False,
        default_order="created_at_desc",
    )
    name = await cluster.clone_from(seeded_template, "sql")
    conn = await asyncpg.connect(cluster.dsn(name))
    try:
        expected = await conn.fetch(
            "select a.lead_id, a.campaign_id from public.lead_campaign_associations a "
            "join public.lead_campaigns c on c.id = a.campaign_id order by a.lead_id, c.created_at desc, c.id desc"
        )
        leads = sorted({row["lead_id"] for row in expected})
        assert leads, "the demo data links leads to campaigns"
        sql = children_list_sql(campaigns, table("lead_campaigns")).render()
        rows = await conn.fetch(sql.text, *sql.args(parents=leads))
    finally:
        await conn.close()
        await cluster.drop(name)
    got = sorted(((row["_parent"], row["id"]) for row in rows), key=lambda pair: leads.index(pair[0]))
    assert got == [(row["lead_id"], row["campaign_id"]) for row in expected]
