"""A deterministic world for the RLS matrix: users, two spaces, and one row per table in four scopes.

Everything here is plain data computed at import time (ids are uuid5 of a name), so the test cases can be
generated at collection time; `build_world` writes it to a database as the superuser, and
`install_probe` adds a test-only SECURITY DEFINER function that reads a row past RLS *inside* the caller's
own transaction (to prove that a statement changed a row, or did not).

Scopes:
- P:  the personal rows of `solo` (no space).
- S:  the rows of space S (created by `owner`; `admin`, `member`, `viewer`, `teammate` are members).
- OP: the personal rows of `owner` (a second scope that the owner of S can write: cross-scope links).
- T:  the rows of space T (created by `outsider`; `solo` is a viewer there).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

NAMESPACE = uuid.UUID("6f1d9a52-3a43-4f0e-9c55-2f1b1a7c0e01")


def uid(name: str) -> uuid.UUID:
    """A stable id for a fixture object."""
    return uuid.uuid5(NAMESPACE, name)


# Users (auth.users). Personas of the matrix, plus the targets of membership changes.
SOLO = uid("user.solo")  # personal owner; viewer of space T
OWNER = uid("user.owner")  # creator (owner) of space S; also has personal rows (scope OP)
ADMIN = uid("user.admin")
MEMBER = uid("user.member")
VIEWER = uid("user.viewer")
TEAMMATE = uid("user.teammate")  # a plain member of S whose membership is the target of membership changes
NEWCOMER = uid("user.newcomer")  # in no space: the user that membership inserts try to add
OUTSIDER = uid("user.outsider")  # member of no space but T (which it created): the non-member persona
PLATFORM_ADMIN = uid("user.platform_admin")  # app_metadata.leadgen_role = admin, member of nothing

USERS: dict[str, uuid.UUID] = {
    "solo": SOLO,
    "owner": OWNER,
    "admin": ADMIN,
    "member": MEMBER,
    "viewer": VIEWER,
    "teammate": TEAMMATE,
    "newcomer": NEWCOMER,
    "outsider": OUTSIDER,
    "platform_admin": PLATFORM_ADMIN,
}

SPACE_S = uid("space.S")
SPACE_T = uid("space.T")

# Memberships besides the creators' (the spaces' AFTER INSERT trigger adds those as owners).
MEMBERSHIPS: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str]] = [
    (uid("membership.S.admin"), SPACE_S, ADMIN, "admin"),
    (uid("membership.S.member"), SPACE_S, MEMBER, "member"),
    (uid("membership.S.viewer"), SPACE_S, VIEWER, "viewer"),
    (uid("membership.S.teammate"), SPACE_S, TEAMMATE, "member"),
    (uid("membership.T.solo"), SPACE_T, SOLO, "viewer"),
]


# The creators' memberships, made by the trigger; build_world gives them these ids.
CREATOR_MEMBERSHIPS: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID, str]] = [
    (uid("membership.S.owner"), SPACE_S, OWNER, "owner"),
    (uid("membership.T.outsider"), SPACE_T, OUTSIDER, "owner"),
]


# A pending invitation of the newcomer (by the address of their account) to space S, made by its owner.
INVITATION = uid("invitation.S.newcomer")
NEWCOMER_EMAIL = "newcomer@rls.test"


def membership_id(space: uuid.UUID, user: uuid.UUID) -> uuid.UUID:
    for mid, sid, user_id, _ in (*CREATOR_MEMBERSHIPS, *MEMBERSHIPS):
        if sid == space and user_id == user:
            return mid
    raise KeyError((space, user))


# Tables that carry (user_id, space_id) themselves, in an order that satisfies their foreign keys.
SCOPED_TABLES = (
    "companies",
    "lead_stages",
    "lead_sources",
    "lead_forms",
    "customers",
    "leads",
    "lead_scoring_rules",
    "lead_workflows",
    "lead_campaigns",
    "lead_integrations",
    "lead_custom_fields",
)
# Child tables (access follows a parent row).
CHILD_TABLES = (
    "lead_form_fields",
    "lead_activities",
    "lead_workflow_triggers",
    "lead_workflow_actions",
    "lead_workflow_executions",
    "lead_campaign_associations",
)


@dataclass(frozen=True)
class Scope:
    """One row per table in one scope (a space, or a user's personal rows)."""

    key: str
    user: uuid.UUID  # user_id of the scope's rows
    space: uuid.UUID | None
    activity_author: uuid.UUID
    rows: dict[str, uuid.UUID] = field(default_factory=dict)

    def __getitem__(self, table: str) -> uuid.UUID:
        return self.rows[table]

    @property
    def campaign2(self) -> uuid.UUID:
        """A second campaign, with no association yet (for association inserts)."""
        return uid(f"{self.key}.lead_campaigns.2")


def _scope(key: str, user: uuid.UUID, space: uuid.UUID | None, activity_author: uuid.UUID) -> Scope:
    rows = {table: uid(f"{key}.{table}") for table in (*SCOPED_TABLES, *CHILD_TABLES)}
    return Scope(key=key, user=user, space=space, activity_author=activity_author, rows=rows)


P = _scope("P", SOLO, None, SOLO)
# The space's activity is logged by the member, so that members editing their own activities is covered.
S = _scope("S", OWNER, SPACE_S, MEMBER)
OP = _scope("OP", OWNER, None, OWNER)
T = _scope("T", OUTSIDER, SPACE_T, OUTSIDER)
SCOPES = (P, S, OP, T)

# A second activity in S, logged by the owner: a member may not edit it.
S_OWNER_ACTIVITY = uid("S.lead_activities.by_owner")


def row_id(scope: Scope, table: str) -> uuid.UUID:
    """The fixture row of `table` in `scope`.

    spaces: the space; space_members: the teammate's membership of S; space_invitations: the newcomer's invitation
    to S; profiles: the scope owner's own profile (personal scope) or the teammate's (space S).
    """
    if table == "spaces":
        if scope.space is None:
            raise ValueError("a personal scope has no space row")
        return scope.space
    if table == "space_members":
        if scope.space != SPACE_S:
            raise ValueError("only space S has a target membership")
        return membership_id(SPACE_S, TEAMMATE)
    if table == "space_invitations":
        if scope.space != SPACE_S:
            raise ValueError("only space S has an invitation")
        return INVITATION
    if table == "profiles":
        # a personal scope's own profile; in a space, a teammate's profile
        return scope.user if scope.space is None else TEAMMATE
    return scope[table]


def _scope_rows(sc: Scope) -> list[tuple[str, tuple[Any, ...]]]:
    u, s, k = sc.user, sc.space, sc.key
    return [
        (
            "insert into public.companies (id, user_id, space_id, name, website) values ($1, $2, $3, $4, $5)",
            (sc["companies"], u, s, f"{k} Company", "https://example.com"),
        ),
        (
            "insert into public.lead_stages (id, user_id, space_id, name, stage_order)"
            " values ($1, $2, $3, 'Fixture stage', 6)",
            (sc["lead_stages"], u, s),
        ),
        (
            "insert into public.lead_sources (id, user_id, space_id, name, type) values ($1, $2, $3, 'Web', 'website')",
            (sc["lead_sources"], u, s),
        ),
        (
            "insert into public.lead_forms (id, user_id, space_id, name, is_published) values ($1, $2, $3, $4, true)",
            (sc["lead_forms"], u, s, f"{k} contact form"),
        ),
        (
            "insert into public.lead_form_fields (id, form_id, field_name, field_type, label)"
            " values ($1, $2, 'email', 'email', 'Email')",
            (sc["lead_form_fields"], sc["lead_forms"]),
        ),
        (  # a second field: the published form keeps one when the matrix deletes the first
            "insert into public.lead_form_fields (form_id, field_name, field_type, label)"
            " values ($1, 'name', 'text', 'Name')",
            (sc["lead_forms"],),
        ),
        (
            "insert into public.customers (id, user_id, space_id, name, company_id) values ($1, $2, $3, $4, $5)",
            (sc["customers"], u, s, f"{k} Customer", sc["companies"]),
        ),
        (
            "insert into public.leads (id, user_id, space_id, company_id, stage_id, source_id, form_id, customer_id,"
            " assigned_to, first_name, email) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            (
                sc["leads"],
                u,
                s,
                sc["companies"],
                sc["lead_stages"],
                sc["lead_sources"],
                sc["lead_forms"],
                sc["customers"],
                u,
                f"{k} Lead",
                f"lead.{k.lower()}@example.com",
            ),
        ),
        (
            "insert into public.lead_activities (id, lead_id, user_id, activity_type, description)"
            " values ($1, $2, $3, 'note', 'Called them')",
            (sc["lead_activities"], sc["leads"], sc.activity_author),
        ),
        (
            "insert into public.lead_scoring_rules (id, user_id, space_id, name, criteria_type, condition, value,"
            " points) values ($1, $2, $3, 'CEO', 'job_title', 'contains', 'CEO', 20)",
            (sc["lead_scoring_rules"], u, s),
        ),
        (
            "insert into public.lead_workflows (id, user_id, space_id, name) values ($1, $2, $3, 'Welcome')",
            (sc["lead_workflows"], u, s),
        ),
        (
            "insert into public.lead_workflow_triggers (id, workflow_id, trigger_type) values ($1, $2, 'lead_created')",
            (sc["lead_workflow_triggers"], sc["lead_workflows"]),
        ),
        (
            "insert into public.lead_workflow_actions (id, workflow_id, action_type, action_order)"
            " values ($1, $2, 'add_note', 0)",
            (sc["lead_workflow_actions"], sc["lead_workflows"]),
        ),
        (
            "insert into public.lead_workflow_executions (id, workflow_id, lead_id) values ($1, $2, $3)",
            (sc["lead_workflow_executions"], sc["lead_workflows"], sc["leads"]),
        ),
        (
            "insert into public.lead_campaigns (id, user_id, space_id, name) values ($1, $2, $3, 'Spring'),"
            " ($4, $2, $3, 'Autumn')",
            (sc["lead_campaigns"], u, s, sc.campaign2),
        ),
        (
            "insert into public.lead_campaign_associations (id, lead_id, campaign_id) values ($1, $2, $3)",
            (sc["lead_campaign_associations"], sc["leads"], sc["lead_campaigns"]),
        ),
        (
            "insert into public.lead_integrations (id, user_id, space_id, integration_type, integration_name,"
            " credentials, credentials_hint) values ($1, $2, $3, 'crm', 'HubSpot', $4, '...abcd')",
            (sc["lead_integrations"], u, s, json.dumps({"v": 1, "ciphertext": f"secret-of-{k}"})),
        ),
        (
            "insert into public.lead_custom_fields (id, user_id, space_id, field_name, field_label, field_type)"
            " values ($1, $2, $3, 'region', 'Region', 'text')",
            (sc["lead_custom_fields"], u, s),
        ),
    ]


async def build_world(conn: asyncpg.Connection) -> None:
    """Write the world (as the superuser, in one transaction)."""
    async with conn.transaction():
        for name, user_id in USERS.items():
            await conn.execute(
                "insert into auth.users (id, email) values ($1, $2)", user_id, f"{name.replace('_', '.')}@rls.test"
            )
        await conn.execute(
            "insert into public.spaces (id, name, created_by) values ($1, 'Acme (client S)', $2),"
            " ($3, 'Outsider''s space T', $4)",
            SPACE_S,
            OWNER,
            SPACE_T,
            OUTSIDER,
        )
        for mid, sid, user_id, role in CREATOR_MEMBERSHIPS:
            renamed = await conn.execute(
                "update public.space_members set id = $1 where space_id = $2 and user_id = $3 and role = $4",
                mid,
                sid,
                user_id,
                role,
            )
            assert renamed == "UPDATE 1", "the spaces trigger did not make the creator an owner"
        await conn.executemany(
            "insert into public.space_members (id, space_id, user_id, role) values ($1, $2, $3, $4)", MEMBERSHIPS
        )
        await conn.execute(
            "insert into public.space_invitations (id, space_id, email, role, invited_by)"
            " values ($1, $2, $3, 'member', $4)",
            INVITATION,
            SPACE_S,
            NEWCOMER_EMAIL,
            OWNER,
        )
        for sc in SCOPES:
            for sql, args in _scope_rows(sc):
                await conn.execute(sql, *args)
        await conn.execute(
            "insert into public.lead_activities (id, lead_id, user_id, activity_type, description)"
            " values ($1, $2, $3, 'call_made', 'Owner called')",
            S_OWNER_ACTIVITY,
            S["leads"],
            OWNER,
        )


# Test-only: read a row past RLS from inside the caller's transaction (it sees the transaction's own
# uncommitted changes). Never part of the migrations.
PROBE_SQL = """
create schema rls_probe;
create function rls_probe.row_of(p_table text, p_id uuid) returns jsonb
language plpgsql security definer
set search_path = ''
as $$
declare
  result jsonb;
begin
  execute format('select to_jsonb(t) from public.%I t where t.id = $1', p_table) into result using p_id;
  return result;
end
$$;
grant usage on schema rls_probe to anon, authenticated;
grant execute on function rls_probe.row_of(text, uuid) to anon, authenticated;
"""
PROBE_ROW = "select rls_probe.row_of($1, $2)"


async def install_probe(conn: asyncpg.Connection) -> None:
    await conn.execute(PROBE_SQL)


async def probe_row(conn: asyncpg.Connection, table: str, row: uuid.UUID) -> dict[str, Any] | None:
    """The row as stored (past RLS), as seen by the current transaction; None if there is none."""
    raw = await conn.fetchval(PROBE_ROW, table, row)
    if raw is None:
        return None
    value = json.loads(raw)
    assert isinstance(value, dict)
    return value
