"""Pages of leads read scope by scope (sql_builder.scoped_lead_source) are exactly the plain RLS query's pages.

The scoped form only chooses where to look; if it missed a scope the policy admits, rows would silently go
missing. So every persona, every scoped ordering, a few filters and pages after cursors are compared with the
plain query, and the policy's shape is pinned: a change to leads_select fails here until the union follows.
"""

from __future__ import annotations

import asyncpg
import pytest

from db import sql_builder as sb
from db.catalog import table
from db.session import Caller, begin_statement
from db.sql import Sql
from tests.support.api import ALICE, BOB, CAROL, DAVE, ERIN, PLATFORM_ADMIN, ApiClient
from tests.support.roles import user_claims

PERSONAS = {"alice": ALICE, "bob": BOB, "carol": CAROL, "dave": DAVE, "erin": ERIN, "admin": PLATFORM_ADMIN}
FILTERS: dict[str, sb.FilterNode | None] = {
    "none": None,
    "status": sb.Cond("status", "in", ["qualified", "new"]),
    "or": sb.AnyOf((sb.Cond("score", "gte", 60), sb.Cond("status", "eq", "lost"))),
}
PAGE = 7
PAGES = 4


def _caller(user: str) -> Caller:
    return Caller("authenticated", user_claims(user, platform_admin=user == PLATFORM_ADMIN))


async def _page(conn: asyncpg.Connection, args: sb.PageArgs, *, scoped: bool) -> list[asyncpg.Record]:
    leads = table("leads")
    order = sb.ordering(leads, args.order)
    if scoped:
        source, where = sb.scoped_lead_source(leads, args, "t"), Sql("true")
    else:
        source, where = Sql("public.leads t"), sb.page_where(leads, args, "t")
    sql = Sql(
        "select t.id, ",
        sb.cursor_sql(args.order, order, "t"),
        " as _cursor from ",
        source,
        " where ",
        where,
        " order by ",
        sb.order_sql(order, "t"),
        f" limit {sb.page_limit(args.first)}",
    ).render()
    return list(await conn.fetch(sql.text, *sql.values))


async def test_the_policy_is_the_one_the_scoped_pages_mirror(api: ApiClient) -> None:
    conn = await asyncpg.connect(api.admin_dsn)
    try:
        qual = await conn.fetchval(
            "select qual from pg_policies where schemaname = 'public' and tablename = 'leads' "
            "and policyname = 'leads_select'"
        )
        roles = await conn.fetchval(
            "select roles::text[] from pg_policies where schemaname = 'public' and tablename = 'leads' "
            "and cmd in ('SELECT', 'ALL') and policyname = 'leads_select'"
        )
        others = await conn.fetchval(
            "select count(*) from pg_policies where schemaname = 'public' and tablename = 'leads' "
            "and cmd in ('SELECT', 'ALL') and policyname <> 'leads_select' and permissive = 'PERMISSIVE'"
        )
    finally:
        await conn.close()
    # three disjuncts: personal leads, readable spaces, platform admins; no other policy admits reads (a restrictive
    # one, such as leads_no_anonymous_sign_ins, only narrows them, and applies to the scoped pages' rows alike)
    assert qual.count(" OR ") == 2, qual
    for part in ("space_id IS NULL", "auth.uid()", "private.readable_space_ids()", "private.is_platform_admin()"):
        assert part in qual, (part, qual)
    assert roles == ["authenticated"] and others == 0


@pytest.mark.parametrize("persona", list(PERSONAS))
async def test_scoped_pages_equal_the_plain_query(api: ApiClient, persona: str) -> None:
    conn = await asyncpg.connect(api.admin_dsn)
    compared = 0
    try:
        await conn.execute(begin_statement(_caller(PERSONAS[persona]), readonly=True))
        for order in sorted(sb.SCOPED_LEAD_ORDERS):
            for name, node in FILTERS.items():
                after: sb.Keyset | None = None
                for _ in range(PAGES):
                    args = sb.PageArgs(filter=node, order=order, first=PAGE, after=after)
                    plain = await _page(conn, args, scoped=False)
                    scoped = await _page(conn, args, scoped=True)
                    assert [r["id"] for r in scoped] == [r["id"] for r in plain], (persona, order, name)
                    compared += len(plain)
                    if len(plain) <= PAGE:
                        break
                    after = sb.decode_cursor(plain[PAGE - 1]["_cursor"], order)
        await conn.execute("rollback")
    finally:
        await conn.close()
    print(f"{persona}: {compared} rows compared")
    assert compared > 0 or persona == "erin"
