"""Every policy calls auth.uid()/auth.jwt() and the membership helpers once per statement, not per row."""

from __future__ import annotations

import re

import asyncpg

from tests.support.databases import PgCluster

# How Postgres deparses `(select auth.uid())`: an InitPlan, evaluated once per statement
WRAPPED = re.compile(r"\( SELECT (auth\.uid\(\)|auth\.jwt\(\)|private\.is_platform_admin\(\)) AS \w+\)")
# Set-returning membership helpers are used as `= ANY (ARRAY( SELECT private.x() AS x))`
WRAPPED_SETS = re.compile(r"ARRAY\( SELECT private\.\w+\(\) AS \w+\)")
PER_STATEMENT_CALLS = re.compile(
    r"auth\.uid\(\)|auth\.jwt\(\)|private\.is_platform_admin\(\)|private\.\w+_space_ids\(\)"
)


async def test_policies_evaluate_caller_functions_once_per_statement(module_db: str, cluster: PgCluster) -> None:
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        policies = await conn.fetch(
            "select tablename, policyname, coalesce(qual, '') as qual, coalesce(with_check, '') as with_check "
            "from pg_policies where schemaname = 'public'"
        )
    finally:
        await conn.close()
    assert len(policies) >= 70
    offenders = []
    for policy in policies:
        for text in (policy["qual"], policy["with_check"]):
            rest = WRAPPED_SETS.sub("", WRAPPED.sub("", text))
            if PER_STATEMENT_CALLS.search(rest):
                offenders.append(f"{policy['tablename']}.{policy['policyname']}: {text}")
    assert offenders == []


async def test_policies_apply_to_api_roles_only(module_db: str, cluster: PgCluster) -> None:
    """`TO authenticated` (never PUBLIC), so the expressions are not even evaluated for other roles."""
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        roles = await conn.fetch(
            "select distinct unnest(roles)::text as role from pg_policies where schemaname = 'public'"
        )
    finally:
        await conn.close()
    assert {r["role"] for r in roles} <= {"authenticated", "anon"}


NOT_ANONYMOUS = "(NOT ( SELECT private.caller_is_anonymous() AS caller_is_anonymous))"


async def test_every_table_keeps_anonymous_sign_ins_out(module_db: str, cluster: PgCluster) -> None:
    """Each table of `public` has `<table>_no_anonymous_sign_ins`: restrictive, every command, `to authenticated`,
    refusing tokens with is_anonymous = true in USING and WITH CHECK. A new table fails this until its migration
    runs `select private.refuse_anonymous_sign_ins('public.<table>')`."""
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        tables = await conn.fetch(
            "select c.relname from pg_class c where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')"
        )
        policies = {
            r["tablename"]: r
            for r in await conn.fetch(
                "select tablename, permissive, cmd, roles::text[] as roles, qual, with_check from pg_policies"
                " where schemaname = 'public' and policyname = tablename || '_no_anonymous_sign_ins'"
            )
        }
    finally:
        await conn.close()
    assert len(tables) >= 21
    missing = sorted(t["relname"] for t in tables if t["relname"] not in policies)
    assert missing == [], f"tables without a policy keeping anonymous sign-ins out: {missing}"
    for name, policy in policies.items():
        shape = (policy["permissive"], policy["cmd"], policy["roles"], policy["qual"], policy["with_check"])
        assert shape == ("RESTRICTIVE", "ALL", ["authenticated"], NOT_ANONYMOUS, NOT_ANONYMOUS), name
