"""Post-load checks of one scale unit: what `session_replication_role = replica` skipped during the load.

Replica mode disables triggers, and with them the foreign-key (RI) triggers and this schema's integrity
triggers (a lead's references stay in its scope, last_activity_at, profiles, the creator's owner membership).
CHECK, NOT NULL and UNIQUE constraints are not triggers: COPY enforced them row by row. So this module checks
every foreign key of the loaded rows and every trigger-kept invariant, set-based, over the unit's id ranges.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from bench.generator import TABLES
from bench.scale import Table, id_range

FOREIGN_KEYS = """
select c.conname, c.conrelid::regclass::text as child, c.confrelid::regclass::text as parent,
       array(select quote_ident(a.attname) from unnest(c.conkey) with ordinality k (attnum, n)
             join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum order by k.n) as child_columns,
       array(select quote_ident(a.attname) from unnest(c.confkey) with ordinality k (attnum, n)
             join pg_attribute a on a.attrelid = c.confrelid and a.attnum = k.attnum order by k.n) as parent_columns
from pg_constraint c
where c.contype = 'f' and c.conrelid = $1::text::regclass
order by c.conname
"""

# Each returns the number of violating rows of the unit; $1/$2 bound the ids of the table named in the key.
INVARIANTS: dict[str, tuple[Table, str]] = {
    "lead references outside the lead's scope (company, stage, source or assignee)": (
        Table.LEADS,
        """
        select count(*) from public.leads l
        left join public.companies c on c.id = l.company_id
        left join public.lead_stages s on s.id = l.stage_id
        left join public.lead_sources o on o.id = l.source_id
        where l.id >= $1 and l.id < $2
          and ((l.company_id is not null and not private.same_scope(c.user_id, c.space_id, l.user_id, l.space_id))
            or (l.stage_id is not null and not private.same_scope(s.user_id, s.space_id, l.user_id, l.space_id))
            or (l.source_id is not null and not private.same_scope(o.user_id, o.space_id, l.user_id, l.space_id))
            or (l.assigned_to is not null and not case
                  when l.space_id is null then l.assigned_to = l.user_id
                  else exists (select 1 from public.space_members m
                               where m.space_id = l.space_id and m.user_id = l.assigned_to) end))
        """,
    ),
    "leads whose creator may not write in the lead's space": (
        Table.LEADS,
        """
        select count(*) from public.leads l
        where l.id >= $1 and l.id < $2 and l.space_id is not null
          and not exists (select 1 from public.space_members m where m.space_id = l.space_id
                          and m.user_id = l.user_id and m.role in ('owner', 'admin', 'member'))
        """,
    ),
    "leads whose last_activity_at is not their latest activity, or with an activity before the lead": (
        Table.LEADS,
        """
        select count(*) from public.leads l
        left join (select a.lead_id, max(a.created_at) as latest, min(a.created_at) as first
                   from public.lead_activities a where a.lead_id >= $1 and a.lead_id < $2
                   group by a.lead_id) a on a.lead_id = l.id
        where l.id >= $1 and l.id < $2
          and (l.last_activity_at is distinct from a.latest or a.first <= l.created_at
               or l.updated_at < l.created_at)
        """,
    ),
    "campaign associations across scopes": (
        Table.CAMPAIGN_ASSOCIATIONS,
        """
        select count(*) from public.lead_campaign_associations x
        join public.leads l on l.id = x.lead_id
        join public.lead_campaigns c on c.id = x.campaign_id
        where x.id >= $1 and x.id < $2 and not private.same_scope(c.user_id, c.space_id, l.user_id, l.space_id)
        """,
    ),
    "activities whose copy of the lead's scope is wrong": (
        Table.ACTIVITIES,
        """
        select count(*) from public.lead_activities a join public.leads l on l.id = a.lead_id
        where a.id >= $1 and a.id < $2
          and (a.lead_owner_id is distinct from l.user_id or a.space_id is distinct from l.space_id)
        """,
    ),
    "campaign associations whose copy of the lead's scope is wrong": (
        Table.CAMPAIGN_ASSOCIATIONS,
        """
        select count(*) from public.lead_campaign_associations a join public.leads l on l.id = a.lead_id
        where a.id >= $1 and a.id < $2
          and (a.lead_owner_id is distinct from l.user_id or a.space_id is distinct from l.space_id)
        """,
    ),
    "users without a matching profile": (
        Table.USERS,
        """
        select count(*) from auth.users u left join public.profiles p on p.id = u.id
        where u.id >= $1 and u.id < $2 and (p.id is null or p.email is distinct from u.email)
        """,
    ),
    "spaces whose creator is not an owner": (
        Table.SPACES,
        """
        select count(*) from public.spaces s
        where s.id >= $1 and s.id < $2
          and not exists (select 1 from public.space_members m
                          where m.space_id = s.id and m.user_id = s.created_by and m.role = 'owner')
        """,
    ),
}

# Rows of a space created by someone who is not a member of it.
SCOPED_OWNER = """
select count(*) from {table} r
where r.id >= $1 and r.id < $2 and r.space_id is not null
  and not exists (select 1 from public.space_members m where m.space_id = r.space_id and m.user_id = r.user_id)
"""
SCOPED_TABLES = (
    "public.companies", "public.lead_stages", "public.lead_sources", "public.lead_scoring_rules",
    "public.lead_campaigns", "public.leads",
)  # fmt: skip


@dataclass(frozen=True)
class Violation:
    check: str
    rows: int


async def validate_unit(conn: asyncpg.Connection, unit: int) -> list[Violation]:
    """Every check that found violating rows in the unit (empty: the unit is sound)."""
    found: list[Violation] = []
    for table in TABLES:
        first, end = id_range(table.code, unit)
        for fk in await conn.fetch(FOREIGN_KEYS, table.qualified):
            found += await _count(conn, f"foreign key {fk['conname']}", _fk_sql(fk), first, end)
    for check, (code, sql) in INVARIANTS.items():
        found += await _count(conn, check, sql, *id_range(code, unit))
    codes = {t.qualified: t.code for t in TABLES}
    for name in SCOPED_TABLES:
        found += await _count(
            conn, f"{name} rows created by a non-member of their space", SCOPED_OWNER.format(table=name),
            *id_range(codes[name], unit),
        )  # fmt: skip
    return found


def _fk_sql(fk: asyncpg.Record) -> str:
    child_cols: list[str] = fk["child_columns"]
    parent_cols: list[str] = fk["parent_columns"]
    present = " and ".join(f"c.{col} is not null" for col in child_cols)
    match = " and ".join(f"p.{p} = c.{c}" for c, p in zip(child_cols, parent_cols, strict=True))
    return (
        f"select count(*) from {fk['child']} c where c.id >= $1 and c.id < $2 and {present} "
        f"and not exists (select 1 from {fk['parent']} p where {match})"
    )


async def _count(conn: asyncpg.Connection, check: str, sql: str, first: uuid.UUID, end: uuid.UUID) -> list[Violation]:
    rows = int(await conn.fetchval(sql, first, end))
    return [Violation(check, rows)] if rows else []
