"""`leadgen bench explain`: EXPLAIN every loader and compiled query as `authenticated` on the bench data.

Checks that indexed lookups use indexes (no sequential scan of leads or activities) and that keyset
pagination costs the same on page 1 and page 1,000.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import asyncpg

from db import sql_builder as sb
from db.catalog import TABLES, ToMany, table
from db.pool import SERVER_SETTINGS, init_connection
from db.related_sql import children_count_sql, children_list_sql, children_page_sql
from db.session import Caller, begin_statement
from db.sql import Sql, value
from gql.fast_path import CompiledReads
from gql.schema import build_schema
from resolvers.context import Limits

BIG_TABLES = ("leads", "lead_activities", "lead_campaign_associations", "companies")
PAGE = 25
DEEP_PAGE = 1000
KEYSET_PAGE = 10  # page 1,000 of 10 rows: the busiest bench user sees well over 10,000 leads


@dataclass
class Finding:
    name: str
    seq_scans: list[str]
    ms: float
    buffers: int

    @property
    def ok(self) -> bool:
        return not self.seq_scans


def _walk(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("Plans", []):
        found.extend(_walk(child))
    return found


async def explain(conn: asyncpg.Connection, caller: Caller, name: str, sql: str, args: list[Any]) -> Finding:
    """Run `sql` as the caller under EXPLAIN ANALYZE (rolled back) and summarise its plan."""
    await conn.execute(begin_statement(caller, readonly=True))
    try:
        # warm the cache and the plan first, so that what is compared is steady-state cost
        await conn.fetch(sql, *args)
        started = time.perf_counter()
        raw = await conn.fetchval(f"explain (analyze, buffers, format json) {sql}", *args)
        elapsed = (time.perf_counter() - started) * 1000
    finally:
        await conn.execute("rollback")
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    nodes = _walk(plan)
    seq = [n["Relation Name"] for n in nodes if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG_TABLES]
    buffers = int(plan.get("Shared Hit Blocks", 0)) + int(plan.get("Shared Read Blocks", 0))
    return Finding(name, seq, elapsed, buffers)


async def _busiest_user(admin: asyncpg.Connection) -> Caller:
    user = await admin.fetchval(
        "select m.user_id from public.space_members m join public.leads l on l.space_id = m.space_id "
        "group by m.user_id order by count(*) desc limit 1"
    )
    return Caller("authenticated", {"sub": str(user), "role": "authenticated", "aud": "authenticated"})


async def _visible_ids(conn: asyncpg.Connection, caller: Caller, table_name: str, limit: int) -> list[str]:
    await conn.execute(begin_statement(caller, readonly=True))
    try:
        rows = await conn.fetch(f"select id from public.{table_name} order by id limit $1", limit)
    finally:
        await conn.execute("rollback")
    return [str(r["id"]) for r in rows]


async def loader_statements(conn: asyncpg.Connection, caller: Caller) -> list[tuple[str, str, list[Any]]]:
    """Every DataLoader statement shape: rows by id, related pages, related counts, root pages."""
    statements: list[tuple[str, str, list[Any]]] = []
    for name, spec in TABLES.items():
        ids = await _visible_ids(conn, caller, name, 50)
        statements.append((f"by_id {name}", sb.by_ids_sql(spec), [ids]))
        for relation_name, relation in spec.relations.items():
            if not isinstance(relation, ToMany):
                continue
            target = table(relation.target)
            if relation.paginated:
                args = sb.PageArgs(filter=None, order=target.default_order, first=PAGE)
                page = children_page_sql(relation, target, args).render()
                statements.append((f"page {name}.{relation_name}", page.text, page.args(parents=ids[:25])))
                count = children_count_sql(relation, target, None).render()
                statements.append((f"count {name}.{relation_name}", count.text, count.args(parents=ids[:25])))
            else:
                listed = children_list_sql(relation, target).render()
                statements.append((f"list {name}.{relation_name}", listed.text, listed.args(parents=ids)))
    leads = table("leads")
    for order in leads.orderings:
        root = sb.page_sql(leads, sb.PageArgs(filter=None, order=order, first=PAGE)).render()
        statements.append((f"root leads {order}", root.text, root.values))
    search = sb.PageArgs(filter=sb.Cond("search", "search", "garcia"), order="score_desc", first=PAGE)
    found = sb.page_sql(leads, search).render()
    statements.append(("root leads search", found.text, found.values))
    return statements


COMPILED = {
    "dashboard": "{ leads(first: 25, orderBy: SCORE_DESC) { edges { cursor node { id firstName score "
    "company { name } stage { name } source { name } activities(first: 3) { nodes { id activityType createdAt } } "
    "campaigns(first: 5) { nodes { id name } } } } } }",
    "board": "{ leadStages(first: 20) { nodes { name leads(first: 10, orderBy: SCORE_DESC) { totalCount "
    "nodes { id firstName score } } } } }",
    "search": '{ leads(first: 20, filter: {search: "garcia"}) { totalCount nodes { id email } } }',
    "search-absent": '{ leads(first: 20, filter: {search: "smith"}) { totalCount nodes { id email } } }',
    "activities": "{ activities(first: 25) { nodes { id activityType lead { email } } } }",
}


async def keyset_pages(conn: asyncpg.Connection, caller: Caller) -> tuple[Finding, Finding]:
    """The same page query at page 1 and at page 1,000 (from a cursor taken at that depth)."""
    leads = table("leads")
    order = sb.ordering(leads, "score_desc")
    await conn.execute(begin_statement(caller, readonly=True))
    try:
        deep = Sql(
            "select ",
            sb.cursor_sql("score_desc", order, "t"),
            " from public.leads t order by ",
            sb.order_sql(order, "t"),
            " offset ",
            value(KEYSET_PAGE * (DEEP_PAGE - 1) - 1, "integer"),
            " limit 1",
        ).render()
        cursor = await conn.fetchval(deep.text, *deep.values)
    finally:
        await conn.execute("rollback")
    first_page = sb.page_sql(leads, sb.PageArgs(None, "score_desc", KEYSET_PAGE)).render()
    if cursor is None:
        raise RuntimeError(f"the bench user sees fewer than {KEYSET_PAGE * DEEP_PAGE} leads: seed the bench data")
    deep_args = sb.PageArgs(None, "score_desc", KEYSET_PAGE, sb.decode_cursor(cursor, "score_desc"))
    deep_page = sb.page_sql(leads, deep_args).render()
    return (
        await explain(conn, caller, "keyset page 1", first_page.text, first_page.values),
        await explain(conn, caller, f"keyset page {DEEP_PAGE}", deep_page.text, deep_page.values),
    )


async def run(admin_dsn: str, api_dsn: str) -> int:
    admin = await asyncpg.connect(admin_dsn)
    try:
        caller = await _busiest_user(admin)
    finally:
        await admin.close()
    conn = await asyncpg.connect(api_dsn, server_settings=SERVER_SETTINGS)
    await init_connection(conn)
    findings: list[Finding] = []
    try:
        for name, sql, args in await loader_statements(conn, caller):
            findings.append(await explain(conn, caller, name, sql, args))
        compiler = CompiledReads(build_schema(), Limits())
        for name, query in COMPILED.items():
            compiled = compiler.compile_text(query, None, {})
            assert compiled is not None, name
            findings.append(await explain(conn, caller, f"compiled {name}", compiled.sql, list(compiled.params)))
        first, deep = await keyset_pages(conn, caller)
        findings += [first, deep]
    finally:
        await conn.close()
    width = max(len(f.name) for f in findings)
    for f in findings:
        status = "ok  " if f.ok else "SEQ "
        print(f"{status} {f.name:<{width}}  {f.ms:8.2f} ms  {f.buffers:7d} buffers  {', '.join(f.seq_scans)}")
    flat = deep.buffers <= max(3 * first.buffers, first.buffers + 50)
    print(
        f"keyset: page 1 {first.buffers} buffers / {first.ms:.2f} ms, page {DEEP_PAGE} {deep.buffers} buffers "
        f"/ {deep.ms:.2f} ms -> {'flat' if flat else 'NOT flat'}"
    )
    bad = [f.name for f in findings if not f.ok]
    if bad or not flat:
        print(f"FAILED: {', '.join(bad) or 'keyset pagination'}")
        return 1
    print(f"all {len(findings)} statements use indexes for their lookups")
    return 0
