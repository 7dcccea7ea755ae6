"""The RLS matrix: every table in `public` x {select, insert, update, delete} x nine personas, plus escapes.

Postgres is the security boundary (DESIGN.md, principle 1), so these tests talk to Postgres exactly as the
API does: logged in as `leadgen_api`, switching transaction-locally to `anon`/`authenticated` with
`request.jwt.claims` set like PostgREST (tests.support.roles.acting_as), and always rolling back.

Outcomes are asserted precisely:
- allowed: select returns the row; insert/update/delete affect exactly one row, and the stored row (read past
  RLS inside the same transaction, tests.support.rls_fixtures.probe_row) shows the change;
- hidden: select returns nothing; update/delete affect 0 rows (a USING clause hides the row) and the stored
  row is unchanged;
- denied: SQLSTATE 42501 (missing grant, or a WITH CHECK violation) and nothing changed.
Escape attempts may also expect 23503 (the leads/customers scope triggers) or 23514 (last owner).
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from tests.support.databases import PgCluster
from tests.support.rls_fixtures import (
    ADMIN,
    INVITATION,
    MEMBER,
    NEWCOMER,
    NEWCOMER_EMAIL,
    OP,
    OUTSIDER,
    OWNER,
    PLATFORM_ADMIN,
    S_OWNER_ACTIVITY,
    SCOPED_TABLES,
    SOLO,
    SPACE_S,
    SPACE_T,
    TEAMMATE,
    VIEWER,
    P,
    S,
    Scope,
    T,
    build_world,
    install_probe,
    membership_id,
    probe_row,
    row_id,
    uid,
)
from tests.support.roles import ANON_CLAIMS, acting_as, user_claims

Statement = tuple[str, tuple[Any, ...]]


# --------------------------------------------------------------------------------------------------------
# Personas


@dataclass(frozen=True)
class Actor:
    """Who runs a statement: a user (or anon), with the claims of their access token."""

    label: str
    user: uuid.UUID | None
    platform_admin: bool = False
    user_metadata: dict[str, Any] | None = None
    email: str | None = None  # the token's email claim (default: one of no invitation)
    is_anonymous: bool = False  # a Supabase anonymous sign-in

    def claims(self) -> dict[str, Any]:
        if self.user is None:
            return dict(ANON_CLAIMS)
        claims = user_claims(self.user, email=self.email, platform_admin=self.platform_admin)
        if self.user_metadata is not None:
            claims["user_metadata"] = self.user_metadata
        claims["is_anonymous"] = self.is_anonymous
        return claims


class Persona(enum.Enum):
    PERSONAL_OWNER = Actor("personal_owner", SOLO)
    SPACE_OWNER = Actor("space_owner", OWNER)
    SPACE_ADMIN = Actor("space_admin", ADMIN)
    SPACE_MEMBER = Actor("space_member", MEMBER)
    SPACE_VIEWER = Actor("space_viewer", VIEWER)
    NON_MEMBER = Actor("non_member", OUTSIDER)
    ANON = Actor("anon", None)
    PLATFORM_ADMIN = Actor("platform_admin", PLATFORM_ADMIN, platform_admin=True)
    # the owner of S (with personal rows too) in a token of a Supabase anonymous sign-in: may do what anon may
    ANONYMOUS_SIGN_IN = Actor("anonymous_sign_in", OWNER, is_anonymous=True)


SOLO_ACTOR = Persona.PERSONAL_OWNER.value
OWNER_ACTOR = Persona.SPACE_OWNER.value
ADMIN_ACTOR = Persona.SPACE_ADMIN.value
MEMBER_ACTOR = Persona.SPACE_MEMBER.value
VIEWER_ACTOR = Persona.SPACE_VIEWER.value
OUTSIDER_ACTOR = Persona.NON_MEMBER.value
ANON_ACTOR = Persona.ANON.value
PLATFORM_ADMIN_ACTOR = Persona.PLATFORM_ADMIN.value
ANONYMOUS_SIGN_IN_ACTOR = Persona.ANONYMOUS_SIGN_IN.value
# A user who wrote leadgen_role into the user-editable user_metadata: that must not make them an admin.
FORGED_ADMIN_ACTOR = Actor("forged_admin", OUTSIDER, user_metadata={"leadgen_role": "admin"})


class Op(enum.Enum):
    SELECT = "select"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


class Outcome(enum.Enum):
    ALLOWED = "A"
    HIDDEN = "H"  # select: no row; update/delete: 0 rows, row unchanged
    DENIED = "D"  # SQLSTATE 42501, nothing changed


# --------------------------------------------------------------------------------------------------------
# The table of expectations: for each access class, per persona, the outcome of select/insert/update/delete
# on that persona's target rows (see `targets`). Letters: A allowed, H hidden (0 rows), D denied (42501).

Access = dict[Persona, str]

# Data rows: members write; owners/admins also delete. (lead_activities: the space's activity was logged by
# the member, who may edit their own activities; deleting one takes owner/admin.)
DATA: Access = {
    Persona.PERSONAL_OWNER: "AAAA",
    Persona.SPACE_OWNER: "AAAA",
    Persona.SPACE_ADMIN: "AAAA",
    Persona.SPACE_MEMBER: "AAAH",
    Persona.SPACE_VIEWER: "ADHH",
    Persona.NON_MEMBER: "HDHH",
    Persona.ANON: "DDDD",
    Persona.PLATFORM_ADMIN: "ADHH",
    Persona.ANONYMOUS_SIGN_IN: "HDHH",
}
# Campaign associations: members also remove a lead from a campaign.
ASSOCIATIONS: Access = {**DATA, Persona.SPACE_MEMBER: "AAAA"}
# Configuration (and its child rows): only owners/admins write.
CONFIG: Access = {**DATA, Persona.SPACE_MEMBER: "ADHH"}
# spaces: members read; anyone authenticated creates one; owners/admins rename; owners delete.
SPACES: Access = {
    Persona.PERSONAL_OWNER: "HAHH",
    Persona.SPACE_OWNER: "AAAA",
    Persona.SPACE_ADMIN: "AAAH",
    Persona.SPACE_MEMBER: "AAHH",
    Persona.SPACE_VIEWER: "AAHH",
    Persona.NON_MEMBER: "HAHH",
    Persona.ANON: "DDDD",
    Persona.PLATFORM_ADMIN: "AAHH",
    Persona.ANONYMOUS_SIGN_IN: "HDHH",
}
# space_members (target: the teammate's 'member' membership; insert: add the newcomer as 'member';
# update: make the teammate a viewer): members read the list; owners and admins change roles and remove
# members/viewers; nobody adds a member (an invitee joins by accepting: leadgen.accept_invitation).
MEMBERSHIPS: Access = {
    Persona.PERSONAL_OWNER: "HDHH",
    Persona.SPACE_OWNER: "ADAA",
    Persona.SPACE_ADMIN: "ADAA",
    Persona.SPACE_MEMBER: "ADHH",
    Persona.SPACE_VIEWER: "ADHH",
    Persona.NON_MEMBER: "HDHH",
    Persona.ANON: "DDDD",
    Persona.PLATFORM_ADMIN: "ADHH",
    Persona.ANONYMOUS_SIGN_IN: "HDHH",
}
# space_invitations (target: the newcomer's pending invitation to S): the space's owners and admins (and the
# invitee: escapes below) read them; API roles write them only through the leadgen functions.
INVITATIONS: Access = {
    Persona.PERSONAL_OWNER: "HDDD",
    Persona.SPACE_OWNER: "ADDD",
    Persona.SPACE_ADMIN: "ADDD",
    Persona.SPACE_MEMBER: "HDDD",
    Persona.SPACE_VIEWER: "HDDD",
    Persona.NON_MEMBER: "HDDD",
    Persona.ANON: "DDDD",
    Persona.PLATFORM_ADMIN: "HDDD",
    Persona.ANONYMOUS_SIGN_IN: "HDDD",
}
# profiles (target: one's own profile for the personal owner, the teammate's for everyone else): readable by
# the user, their teammates and platform admins; created by a trigger only; edited by their user only.
PROFILES: Access = {
    Persona.PERSONAL_OWNER: "ADAD",
    Persona.SPACE_OWNER: "ADHD",
    Persona.SPACE_ADMIN: "ADHD",
    Persona.SPACE_MEMBER: "ADHD",
    Persona.SPACE_VIEWER: "ADHD",
    Persona.NON_MEMBER: "HDHD",
    Persona.ANON: "DDDD",
    Persona.PLATFORM_ADMIN: "ADHD",
    Persona.ANONYMOUS_SIGN_IN: "HDHD",
}


# --------------------------------------------------------------------------------------------------------
# How to insert a new row and update an existing one, per table


def owner_of_new_row(scope: Scope, caller: uuid.UUID | None) -> uuid.UUID | None:
    """user_id of a new row: the scope owner's in a personal scope, else the caller's own."""
    return scope.user if scope.space is None else caller


def scoped_insert(table: str, scope: Scope, user_id: uuid.UUID | None, new_id: uuid.UUID, *, refs: bool) -> Statement:
    """A new row of a table with (user_id, space_id); with `refs`, pointing at rows of its scope."""
    columns, values = SCOPED_COLUMNS[table]
    args: list[Any] = [new_id, user_id, scope.space]
    if refs and table == "leads":
        columns += ", company_id, stage_id, source_id, form_id, customer_id, assigned_to"
        values += ", $4, $5, $6, $7, $8, $9"
        args += [scope[t] for t in ("companies", "lead_stages", "lead_sources", "lead_forms", "customers")]
        args.append(scope.user)
    elif refs and table == "customers":
        columns += ", company_id"
        values += ", $4"
        args.append(scope["companies"])
    sql = f"insert into public.{table} (id, user_id, space_id, {columns}) values ($1, $2, $3, {values})"
    return sql, tuple(args)


SCOPED_COLUMNS: dict[str, tuple[str, str]] = {
    "companies": ("name", "'Matrix company'"),
    "customers": ("name", "'Matrix customer'"),
    "lead_stages": ("name, stage_order", "'Matrix stage', 5"),
    "lead_sources": ("name, type", "'Matrix source', 'event'"),
    "lead_forms": ("name", "'Matrix form'"),
    "leads": ("first_name, email", "'Matrix', 'matrix@example.com'"),
    "lead_scoring_rules": (
        "name, criteria_type, condition, value, points",
        "'Matrix', 'industry', 'equals', 'SaaS', 5",
    ),
    "lead_workflows": ("name", "'Matrix workflow'"),
    "lead_campaigns": ("name", "'Matrix campaign'"),
    "lead_integrations": (
        "integration_type, integration_name, credentials",
        """'webhook', 'Matrix hook', '{"v": 1, "ciphertext": "new"}'""",
    ),
    "lead_custom_fields": ("field_name, field_label, field_type", "'matrix_field', 'Matrix field', 'text'"),
}
assert set(SCOPED_COLUMNS) == set(SCOPED_TABLES)

InsertBuilder = Callable[[Scope, uuid.UUID | None, uuid.UUID], Statement]


def _scoped(table: str) -> InsertBuilder:
    return lambda scope, caller, new_id: scoped_insert(table, scope, owner_of_new_row(scope, caller), new_id, refs=True)


def _child(sql: str, *parents: str) -> InsertBuilder:
    """Insert of a child row: $1 is the new id, then the scope's parent rows ('@caller', '@campaign2': special)."""

    def build(scope: Scope, caller: uuid.UUID | None, new_id: uuid.UUID) -> Statement:
        args: list[Any] = [new_id]
        for parent in parents:
            if parent == "@caller":
                args.append(caller)
            elif parent == "@campaign2":
                args.append(scope.campaign2)
            else:
                args.append(scope[parent])
        return sql, tuple(args)

    return build


@dataclass(frozen=True)
class TableSpec:
    name: str
    access: Access
    insert: InsertBuilder
    update_column: str
    update_value: str  # SQL literal
    expected: Any  # the column's JSON value after the update (None: just "different")
    has_personal_rows: bool = True  # a row in the personal scope P exists
    foreign_personal_target: bool = True  # outsiders are also tested against P's row


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in [
        TableSpec(
            "spaces",
            SPACES,
            lambda scope, caller, new_id: (
                "insert into public.spaces (id, name, created_by) values ($1, 'Matrix space', $2)",
                (new_id, caller),
            ),
            "name",
            "'Renamed'",
            "Renamed",
            has_personal_rows=False,
        ),
        TableSpec(
            "space_members",
            MEMBERSHIPS,
            lambda scope, caller, new_id: (
                "insert into public.space_members (id, space_id, user_id, role) values ($1, $2, $3, 'member')",
                (new_id, SPACE_S, NEWCOMER),
            ),
            "role",
            "'viewer'",
            "viewer",
            has_personal_rows=False,
        ),
        TableSpec(
            "space_invitations",
            INVITATIONS,
            lambda scope, caller, new_id: (
                "insert into public.space_invitations (id, space_id, email, role)"
                " values ($1, $2, 'x@example.org', 'member')",
                (new_id, SPACE_S),
            ),
            "role",
            "'viewer'",
            "viewer",
            has_personal_rows=False,
        ),
        TableSpec(
            "profiles",
            PROFILES,
            lambda scope, caller, new_id: (
                "insert into public.profiles (id, email) values ($1, 'new@example.com')",
                (caller or new_id,),
            ),
            "full_name",
            "'Renamed'",
            "Renamed",
            foreign_personal_target=False,  # P's row is solo's profile, which solo's teammates may read
        ),
        TableSpec("companies", DATA, _scoped("companies"), "name", "'Renamed'", "Renamed"),
        TableSpec("customers", DATA, _scoped("customers"), "name", "'Renamed'", "Renamed"),
        TableSpec("leads", DATA, _scoped("leads"), "first_name", "'Renamed'", "Renamed"),
        TableSpec(
            "lead_activities",
            DATA,
            _child(
                "insert into public.lead_activities (id, lead_id, user_id, activity_type, description)"
                " values ($1, $2, $3, 'note', 'Matrix note')",
                "leads",
                "@caller",
            ),
            "description",
            "'Renamed'",
            "Renamed",
        ),
        TableSpec(
            "lead_campaign_associations",
            ASSOCIATIONS,
            _child(
                "insert into public.lead_campaign_associations (id, lead_id, campaign_id) values ($1, $2, $3)",
                "leads",
                "@campaign2",
            ),
            "associated_at",
            "'2000-06-15 12:00:00+00'",
            None,
        ),
        TableSpec("lead_stages", CONFIG, _scoped("lead_stages"), "name", "'Renamed'", "Renamed"),
        TableSpec("lead_sources", CONFIG, _scoped("lead_sources"), "name", "'Renamed'", "Renamed"),
        TableSpec("lead_forms", CONFIG, _scoped("lead_forms"), "title", "'Renamed'", "Renamed"),
        TableSpec(
            "lead_form_fields",
            CONFIG,
            _child(
                "insert into public.lead_form_fields (id, form_id, field_name, field_type, label)"
                " values ($1, $2, 'matrix_field', 'text', 'Matrix field')",
                "lead_forms",
            ),
            "label",
            "'Renamed'",
            "Renamed",
        ),
        TableSpec("lead_scoring_rules", CONFIG, _scoped("lead_scoring_rules"), "points", "-30", -30),
        TableSpec("lead_workflows", CONFIG, _scoped("lead_workflows"), "name", "'Renamed'", "Renamed"),
        TableSpec(
            "lead_workflow_triggers",
            CONFIG,
            _child(
                "insert into public.lead_workflow_triggers (id, workflow_id, trigger_type) values ($1, $2, 'manual')",
                "lead_workflows",
            ),
            "trigger_conditions",
            """'{"renamed": true}'""",
            {"renamed": True},
        ),
        TableSpec(
            "lead_workflow_actions",
            CONFIG,
            _child(
                "insert into public.lead_workflow_actions (id, workflow_id, action_type, action_order)"
                " values ($1, $2, 'wait', 7)",
                "lead_workflows",
            ),
            "delay_seconds",
            "60",
            60,
        ),
        TableSpec(
            "lead_workflow_executions",
            CONFIG,
            _child(
                "insert into public.lead_workflow_executions (id, workflow_id, lead_id) values ($1, $2, $3)",
                "lead_workflows",
                "leads",
            ),
            "status",
            "'running'",
            "running",
        ),
        TableSpec("lead_campaigns", CONFIG, _scoped("lead_campaigns"), "name", "'Renamed'", "Renamed"),
        TableSpec(
            "lead_integrations", CONFIG, _scoped("lead_integrations"), "integration_name", "'Renamed'", "Renamed"
        ),
        TableSpec("lead_custom_fields", CONFIG, _scoped("lead_custom_fields"), "field_label", "'Renamed'", "Renamed"),
    ]
}


def targets(spec: TableSpec, persona: Persona) -> tuple[Scope, ...]:
    """The scopes whose fixture rows a persona's statements aim at."""
    if persona is Persona.PERSONAL_OWNER:
        return (P,) if spec.has_personal_rows else (S,)
    if persona is Persona.ANONYMOUS_SIGN_IN:  # the space's rows, and the owner's own personal ones
        return (S, OP) if spec.has_personal_rows else (S,)
    if persona in (Persona.NON_MEMBER, Persona.ANON, Persona.PLATFORM_ADMIN):
        return (S, P) if spec.has_personal_rows and spec.foreign_personal_target else (S,)
    return (S,)


@dataclass(frozen=True)
class MatrixCase:
    table: str
    op: Op
    persona: Persona
    expected: Outcome

    @property
    def id(self) -> str:
        return f"{self.table}-{self.op.value}-{self.persona.name.lower()}-{self.expected.name.lower()}"


def build_matrix() -> list[MatrixCase]:
    cases: list[MatrixCase] = []
    for spec in TABLES.values():
        assert set(spec.access) == set(Persona), spec.name
        for persona in Persona:
            letters = spec.access[persona]
            assert len(letters) == len(Op), (spec.name, persona)
            for op, letter in zip(Op, letters, strict=True):
                cases.append(MatrixCase(spec.name, op, persona, Outcome(letter)))
    return cases


MATRIX = build_matrix()


# --------------------------------------------------------------------------------------------------------
# Running statements


@dataclass(frozen=True)
class Result:
    rows: int | None = None  # rows affected/returned, when the statement succeeded
    error: asyncpg.PostgresError | None = None

    def describe(self) -> str:
        if self.error is not None:
            return f"{type(self.error).__name__} [{self.error.sqlstate}]: {self.error}"
        return f"{self.rows} row(s)"


async def run(conn: asyncpg.Connection, sql: str, *args: Any) -> Result:
    """Run one statement in a savepoint, so that a failure leaves the caller's transaction usable."""
    try:
        async with conn.transaction():
            status = await conn.execute(sql, *args)
    except asyncpg.PostgresError as exc:
        return Result(error=exc)
    return Result(rows=int(status.rsplit(" ", 1)[-1]))


def assert_denied(result: Result, context: str) -> None:
    assert isinstance(result.error, asyncpg.InsufficientPrivilegeError), (
        f"{context}: expected 42501, got {result.describe()}"
    )


def assert_rows(result: Result, rows: int, context: str) -> None:
    assert result.error is None and result.rows == rows, f"{context}: expected {rows} row(s), got {result.describe()}"


async def check_matrix_case(conn: asyncpg.Connection, case: MatrixCase, scope: Scope) -> None:
    spec = TABLES[case.table]
    actor = case.persona.value
    context = f"{case.id} on {scope.key}"
    if case.op is Op.INSERT:
        new_id = uid(f"new.{case.id}.{scope.key}")
        if spec.name == "profiles" and actor.user is not None:
            new_id = actor.user  # one's own profile, the only one that could make sense
        sql, args = spec.insert(scope, actor.user, new_id)
        before = await probe_row(conn, spec.name, new_id)
        result = await run(conn, sql, *args)
        after = await probe_row(conn, spec.name, new_id)
        if case.expected is Outcome.ALLOWED:
            assert_rows(result, 1, context)
            assert after is not None, f"{context}: the new row is not there"
        else:
            assert_denied(result, context)
            assert after == before, f"{context}: a denied insert changed the data"
        return

    target = row_id(scope, spec.name)
    before = await probe_row(conn, spec.name, target)
    assert before is not None, f"{context}: fixture row {target} missing"
    if case.op is Op.SELECT:
        result = await run(conn, f"select id from public.{spec.name} where id = $1", target)
    elif case.op is Op.UPDATE:
        result = await run(
            conn, f"update public.{spec.name} set {spec.update_column} = {spec.update_value} where id = $1", target
        )
    else:
        result = await run(conn, f"delete from public.{spec.name} where id = $1", target)
    after = await probe_row(conn, spec.name, target)

    if case.expected is Outcome.DENIED:
        assert_denied(result, context)
    elif case.expected is Outcome.HIDDEN:
        assert_rows(result, 0, context)
    else:
        assert_rows(result, 1, context)

    if case.op is Op.UPDATE and case.expected is Outcome.ALLOWED:
        assert after is not None
        column = spec.update_column
        assert after[column] != before[column], f"{context}: {column} did not change"
        if spec.expected is not None:
            assert after[column] == spec.expected, f"{context}: {column} is {after[column]!r}"
    elif case.op is Op.DELETE and case.expected is Outcome.ALLOWED:
        assert after is None, f"{context}: the row is still there"
    else:
        assert after == before, f"{context}: the stored row changed"


# --------------------------------------------------------------------------------------------------------
# Escape attempts (and a few controls that show the attempt's legitimate twin works)


class Expect(enum.Enum):
    DENIED = "42501"
    FOREIGN_KEY = "23503"  # the scope triggers of leads/customers
    CHECK = "23514"  # a space keeps an owner
    NO_ROWS = "0 rows"  # hidden by a USING clause: nothing happens
    ONE_ROW = "1 row"  # control: the legitimate action succeeds


FAILURES = (Expect.DENIED, Expect.FOREIGN_KEY, Expect.CHECK, Expect.NO_ROWS)


@dataclass(frozen=True)
class Attempt:
    id: str
    actor: Actor
    sql: str
    args: tuple[Any, ...]
    expect: Expect
    watch: tuple[str, uuid.UUID] | None = None  # a row that must be unchanged unless the attempt succeeded
    setup: tuple[Statement, ...] = ()  # run first as the same actor; must succeed

    @property
    def is_escape(self) -> bool:
        return self.expect in FAILURES


ESCAPES: list[Attempt] = []


def attempt(
    id: str,
    actor: Actor,
    sql: str,
    *args: Any,
    expect: Expect,
    watch: tuple[str, uuid.UUID] | None = None,
    setup: tuple[Statement, ...] = (),
) -> None:
    ESCAPES.append(Attempt(id, actor, sql, args, expect, watch, setup))


def detach(table: str) -> str:
    """SET items that drop a row's references to other rows of its scope (so a move is decided by RLS alone)."""
    if table == "leads":
        return (
            ", company_id = null, stage_id = null, source_id = null, form_id = null, customer_id = null,"
            " assigned_to = null"
        )
    if table == "customers":
        return ", company_id = null, lead_id = null"
    return ""


def move(table: str, scope: Scope, space: uuid.UUID | None) -> Statement:
    return f"update public.{table} set space_id = $1{detach(table)} where id = $2", (space, scope[table])


def new_space(actor: Actor, key: str) -> tuple[uuid.UUID, Statement]:
    space = uid(f"escape.space.{key}")
    return space, ("insert into public.spaces (id, name, created_by) values ($1, 'Mine', $2)", (space, actor.user))


# Statements and rows shared by the escape attempts below.
IMMUTABLE_VALUE = {
    "id": "gen_random_uuid()",
    "user_id": f"'{OUTSIDER}'::uuid",
    "created_by": f"'{OUTSIDER}'::uuid",
    "created_at": "now() - interval '1 year'",
    "updated_at": "now() - interval '1 year'",
    "space_id": f"'{SPACE_T}'::uuid",
    "form_id": f"'{T['lead_forms']}'::uuid",
    "workflow_id": f"'{T['lead_workflows']}'::uuid",
    "lead_id": f"'{T['leads']}'::uuid",
    "campaign_id": f"'{T['lead_campaigns']}'::uuid",
    "last_activity_at": "now()",
    "email": "'stolen@example.com'",
}
BASE_IMMUTABLE = ("id", "created_at", "updated_at")
IMMUTABLE: dict[str, tuple[str, ...]] = {
    "spaces": ("created_by",),
    "space_members": ("space_id", "user_id"),
    "space_invitations": ("space_id", "email"),
    "profiles": ("email",),
    **{table: ("user_id",) for table in SCOPED_TABLES},
    "leads": ("user_id", "last_activity_at"),
    "lead_form_fields": ("form_id",),
    "lead_activities": ("lead_id", "user_id"),
    "lead_workflow_triggers": ("workflow_id",),
    "lead_workflow_actions": ("workflow_id",),
    "lead_workflow_executions": ("workflow_id", "lead_id"),
    "lead_campaign_associations": ("lead_id", "campaign_id"),
}
LEAD_LINKS: list[tuple[str, Actor, str, uuid.UUID, uuid.UUID]] = [
    ("company-of-own-personal-scope", OWNER_ACTOR, "company_id", S["leads"], OP["companies"]),
    ("company-of-another-space", OWNER_ACTOR, "company_id", S["leads"], T["companies"]),
    ("stage-of-own-personal-scope", OWNER_ACTOR, "stage_id", S["leads"], OP["lead_stages"]),
    ("stage-of-another-space-by-member", MEMBER_ACTOR, "stage_id", S["leads"], T["lead_stages"]),
    ("source-of-own-personal-scope", OWNER_ACTOR, "source_id", S["leads"], OP["lead_sources"]),
    ("form-of-another-space", OWNER_ACTOR, "form_id", S["leads"], T["lead_forms"]),
    ("customer-of-own-personal-scope", OWNER_ACTOR, "customer_id", S["leads"], OP["customers"]),
    ("assignee-outside-the-space", OWNER_ACTOR, "assigned_to", S["leads"], OUTSIDER),
    ("assignee-in-no-space", MEMBER_ACTOR, "assigned_to", S["leads"], NEWCOMER),
    ("personal-lead-assigned-to-another-user", SOLO_ACTOR, "assigned_to", P["leads"], OWNER),
    ("personal-lead-with-company-of-a-space", SOLO_ACTOR, "company_id", P["leads"], T["companies"]),
]
ASSOCIATE = "insert into public.lead_campaign_associations (id, lead_id, campaign_id) values ($1, $2, $3)"
EXECUTE = "insert into public.lead_workflow_executions (id, workflow_id, lead_id) values ($1, $2, $3)"
ACTIVITY = (
    "insert into public.lead_activities (id, lead_id, user_id, activity_type, description)"
    " values ($1, $2, $3, 'note', 'Escape')"
)
FIELD = (
    "insert into public.lead_form_fields (id, form_id, field_name, field_type, label)"
    " values ($1, $2, 'escape', 'text', 'Escape')"
)
TRIGGER = "insert into public.lead_workflow_triggers (id, workflow_id, trigger_type) values ($1, $2, 'manual')"
ACTION = (
    "insert into public.lead_workflow_actions (id, workflow_id, action_type, action_order) values ($1, $2, 'wait', 9)"
)
CHILDREN: list[tuple[str, Actor, str, tuple[Any, ...]]] = [
    ("association/space-lead-with-personal-campaign", OWNER_ACTOR, ASSOCIATE, (S["leads"], OP["lead_campaigns"])),
    ("association/personal-lead-with-space-campaign", OWNER_ACTOR, ASSOCIATE, (OP["leads"], S["lead_campaigns"])),
    ("association/personal-lead-with-campaign-of-viewers-space", SOLO_ACTOR, ASSOCIATE, (P["leads"], T.campaign2)),
    ("association/viewer", VIEWER_ACTOR, ASSOCIATE, (S["leads"], S.campaign2)),
    ("association/non-member", OUTSIDER_ACTOR, ASSOCIATE, (S["leads"], S.campaign2)),
    ("association/viewer-of-lead-space", SOLO_ACTOR, ASSOCIATE, (T["leads"], T.campaign2)),
    ("execution/space-workflow-on-personal-lead", OWNER_ACTOR, EXECUTE, (S["lead_workflows"], OP["leads"])),
    ("execution/personal-workflow-on-space-lead", OWNER_ACTOR, EXECUTE, (OP["lead_workflows"], S["leads"])),
    ("execution/member", MEMBER_ACTOR, EXECUTE, (S["lead_workflows"], S["leads"])),
    ("execution/non-member", OUTSIDER_ACTOR, EXECUTE, (S["lead_workflows"], S["leads"])),
    ("activity/viewer", VIEWER_ACTOR, ACTIVITY, (S["leads"], VIEWER)),
    ("activity/non-member", OUTSIDER_ACTOR, ACTIVITY, (S["leads"], OUTSIDER)),
    ("activity/viewer-of-lead-space", SOLO_ACTOR, ACTIVITY, (T["leads"], SOLO)),
    ("activity/platform-admin", PLATFORM_ADMIN_ACTOR, ACTIVITY, (S["leads"], PLATFORM_ADMIN)),
    ("activity/other-users-personal-lead", OUTSIDER_ACTOR, ACTIVITY, (P["leads"], OUTSIDER)),
    ("form-field/member", MEMBER_ACTOR, FIELD, (S["lead_forms"],)),
    ("form-field/non-member", OUTSIDER_ACTOR, FIELD, (S["lead_forms"],)),
    ("form-field/viewer-of-form-space", SOLO_ACTOR, FIELD, (T["lead_forms"],)),
    ("form-field/platform-admin", PLATFORM_ADMIN_ACTOR, FIELD, (S["lead_forms"],)),
    ("workflow-trigger/member", MEMBER_ACTOR, TRIGGER, (S["lead_workflows"],)),
    ("workflow-trigger/viewer-of-workflow-space", SOLO_ACTOR, TRIGGER, (T["lead_workflows"],)),
    ("workflow-action/member", MEMBER_ACTOR, ACTION, (S["lead_workflows"],)),
    ("workflow-action/non-member", OUTSIDER_ACTOR, ACTION, (S["lead_workflows"],)),
]
INTEGRATION = S["lead_integrations"]
TEAMMATE_MEMBERSHIP = membership_id(SPACE_S, TEAMMATE)
OWNER_MEMBERSHIP = membership_id(SPACE_S, OWNER)
ADMIN_MEMBERSHIP = membership_id(SPACE_S, ADMIN)
MEMBER_MEMBERSHIP = membership_id(SPACE_S, MEMBER)
VIEWER_MEMBERSHIP = membership_id(SPACE_S, VIEWER)
SET_ROLE = "update public.space_members set role = $1 where id = $2"
ADD_MEMBER = "insert into public.space_members (id, space_id, user_id, role) values ($1, $2, $3, $4)"
LEAVE = "delete from public.space_members where id = $1"
PROMOTE_TEAMMATE = (SET_ROLE, ("owner", TEAMMATE_MEMBERSHIP))
# A member who leaves loses the rows they created in the space along with the space.
LEFT_LEAD = uid("escape.lead.of-member-who-left")
MEMBER_LEAVES = (
    scoped_insert("leads", S, MEMBER, LEFT_LEAD, refs=False),
    (LEAVE, (MEMBER_MEMBERSHIP,)),
)


def _rows_of_other_users() -> None:
    """Rows written as another user."""
    for table in SCOPED_TABLES:
        sql, args = scoped_insert(table, S, OWNER, uid(f"escape.{table}.as-owner"), refs=False)
        attempt(f"insert-as-other-user/{table}/admin-as-owner-in-space", ADMIN_ACTOR, sql, *args, expect=Expect.DENIED)
        sql, args = scoped_insert(table, P, OUTSIDER, uid(f"escape.{table}.as-outsider"), refs=False)
        attempt(f"insert-as-other-user/{table}/personal-as-outsider", SOLO_ACTOR, sql, *args, expect=Expect.DENIED)
    attempt(
        "insert-as-other-user/lead_activities/member-logs-as-owner",
        MEMBER_ACTOR,
        "insert into public.lead_activities (id, lead_id, user_id, activity_type) values ($1, $2, $3, 'note')",
        uid("escape.activity.as-owner"),
        S["leads"],
        OWNER,
        expect=Expect.DENIED,
    )


def _moves() -> None:
    """Moving rows into a space the caller cannot write, or out of one without the right to delete there."""
    for table in SCOPED_TABLES:
        sql, args = move(table, P, SPACE_T)
        attempt(
            f"move/{table}/personal-into-viewers-space",
            SOLO_ACTOR,
            sql,
            *args,
            expect=Expect.DENIED,
            watch=(table, P[table]),
        )
        sql, args = move(table, P, SPACE_S)
        attempt(
            f"move/{table}/personal-into-foreign-space",
            SOLO_ACTOR,
            sql,
            *args,
            expect=Expect.DENIED,
            watch=(table, P[table]),
        )
        sql, args = move(table, S, SPACE_T)
        attempt(
            f"move/{table}/space-into-foreign-space",
            OWNER_ACTOR,
            sql,
            *args,
            expect=Expect.DENIED,
            watch=(table, S[table]),
        )

    for table in ("companies", "customers", "leads"):
        # A member may write these but not delete them: taking one out of the space is a deletion for the space.
        space, make_space = new_space(MEMBER_ACTOR, f"member.{table}")
        sql, args = move(table, S, space)
        attempt(
            f"move/{table}/member-takes-row-to-own-new-space",
            MEMBER_ACTOR,
            sql,
            *args,
            expect=Expect.DENIED,
            watch=(table, S[table]),
            setup=(make_space,),
        )
        own = uid(f"escape.{table}.member-own")
        insert_own = scoped_insert(table, S, MEMBER, own, refs=False)
        attempt(
            f"move/{table}/member-takes-own-row-to-personal",
            MEMBER_ACTOR,
            f"update public.{table} set space_id = null where id = $1",
            own,
            expect=Expect.DENIED,
            watch=(table, own),
            setup=(insert_own,),
        )
        space, make_space = new_space(ADMIN_ACTOR, f"admin.{table}")
        sql, args = move(table, S, space)
        attempt(
            f"move/{table}/admin-moves-row-to-own-space (control)",
            ADMIN_ACTOR,
            sql,
            *args,
            expect=Expect.ONE_ROW,
            setup=(make_space,),
        )


def _immutable_columns() -> None:
    """Immutable columns (column-level UPDATE grants), on rows the actor may otherwise update."""
    for table in TABLES:
        actor, scope = (SOLO_ACTOR, P) if table == "profiles" else (OWNER_ACTOR, S)
        target = row_id(scope, table)
        for column in (*BASE_IMMUTABLE, *IMMUTABLE[table]):
            attempt(
                f"immutable/{table}.{column}",
                actor,
                f"update public.{table} set {column} = {IMMUTABLE_VALUE[column]} where id = $1",
                target,
                expect=Expect.DENIED,
                watch=(table, target),
            )


def _links() -> None:
    """A lead (or customer) pointing at rows of another scope: the scope triggers reject it (23503)."""
    for name, actor, column, lead, ref in LEAD_LINKS:
        attempt(
            f"link/leads/{name}",
            actor,
            f"update public.leads set {column} = $1 where id = $2",
            ref,
            lead,
            expect=Expect.FOREIGN_KEY,
            watch=("leads", lead),
        )
    attempt(
        "link/leads/insert-with-company-of-own-personal-scope",
        OWNER_ACTOR,
        "insert into public.leads (id, user_id, space_id, company_id) values ($1, $2, $3, $4)",
        uid("escape.lead.foreign-company"),
        OWNER,
        SPACE_S,
        OP["companies"],
        expect=Expect.FOREIGN_KEY,
    )
    attempt(
        "link/leads/assignee-viewer-of-the-space (control)",
        MEMBER_ACTOR,
        "update public.leads set assigned_to = $1 where id = $2",
        VIEWER,
        S["leads"],
        expect=Expect.ONE_ROW,
    )
    for name, column, ref in (
        ("lead-of-own-personal-scope", "lead_id", OP["leads"]),
        ("company-of-another-space", "company_id", T["companies"]),
    ):
        attempt(
            f"link/customers/{name}",
            OWNER_ACTOR,
            f"update public.customers set {column} = $1 where id = $2",
            ref,
            S["customers"],
            expect=Expect.FOREIGN_KEY,
            watch=("customers", S["customers"]),
        )


def _children() -> None:
    """Children attached across scopes, or to a parent the caller cannot write."""
    for name, actor, sql, parents in CHILDREN:
        attempt(f"attach/{name}", actor, sql, uid(f"escape.attach.{name}"), *parents, expect=Expect.DENIED)
    attempt(
        "attach/activity/member-edits-activity-logged-by-owner",
        MEMBER_ACTOR,
        "update public.lead_activities set description = 'Rewritten' where id = $1",
        S_OWNER_ACTIVITY,
        expect=Expect.NO_ROWS,
        watch=("lead_activities", S_OWNER_ACTIVITY),
    )
    attempt(
        "attach/activity/admin-edits-activity-logged-by-owner (control)",
        ADMIN_ACTOR,
        "update public.lead_activities set description = 'Edited' where id = $1",
        S_OWNER_ACTIVITY,
        expect=Expect.ONE_ROW,
    )


def _credentials() -> None:
    """lead_integrations.credentials is write-only."""
    for name, actor, sql in [
        ("select-credentials", OWNER_ACTOR, "select credentials from public.lead_integrations where id = $1"),
        ("select-star", OWNER_ACTOR, "select * from public.lead_integrations where id = $1"),
        (
            "platform-admin-selects-credentials",
            PLATFORM_ADMIN_ACTOR,
            "select credentials from public.lead_integrations where id = $1",
        ),
        (
            "filter-on-credentials",
            OWNER_ACTOR,
            "select id from public.lead_integrations where id = $1 and credentials ->> 'ciphertext' like 'secret%'",
        ),
        (
            "copy-credentials-into-settings",
            OWNER_ACTOR,
            "update public.lead_integrations set settings = jsonb_build_object('leak', credentials) where id = $1",
        ),
        (
            "update-returning-credentials",
            OWNER_ACTOR,
            "update public.lead_integrations set is_active = true where id = $1 returning credentials",
        ),
    ]:
        attempt(
            f"credentials/{name}",
            actor,
            sql,
            INTEGRATION,
            expect=Expect.DENIED,
            watch=("lead_integrations", INTEGRATION),
        )
    attempt(
        "credentials/insert-returning-credentials",
        OWNER_ACTOR,
        "insert into public.lead_integrations (id, user_id, space_id, integration_type, integration_name, credentials)"
        """ values ($1, $2, $3, 'crm', 'X', '{"v": 1}') returning credentials""",
        uid("escape.integration.returning"),
        OWNER,
        SPACE_S,
        expect=Expect.DENIED,
    )
    attempt(
        "credentials/select-other-columns (control)",
        MEMBER_ACTOR,
        "select id, integration_name, settings, credentials_hint, has_credentials from public.lead_integrations"
        " where id = $1 and has_credentials",
        INTEGRATION,
        expect=Expect.ONE_ROW,
    )
    attempt(
        "credentials/owner-replaces-credentials (control)",
        OWNER_ACTOR,
        """update public.lead_integrations set credentials = '{"v": 1, "ciphertext": "rotated"}' where id = $1""",
        INTEGRATION,
        expect=Expect.ONE_ROW,
    )


def _memberships() -> None:
    """Spaces and memberships."""
    for name, actor, sql, args, expect, watch in [
        (
            "admin-promotes-member-to-owner",
            ADMIN_ACTOR,
            SET_ROLE,
            ("owner", TEAMMATE_MEMBERSHIP),
            Expect.DENIED,
            TEAMMATE_MEMBERSHIP,
        ),
        (
            "admin-promotes-member-to-admin",
            ADMIN_ACTOR,
            SET_ROLE,
            ("admin", TEAMMATE_MEMBERSHIP),
            Expect.DENIED,
            TEAMMATE_MEMBERSHIP,
        ),
        (
            "admin-promotes-self-to-owner",
            ADMIN_ACTOR,
            SET_ROLE,
            ("owner", ADMIN_MEMBERSHIP),
            Expect.NO_ROWS,
            ADMIN_MEMBERSHIP,
        ),
        ("admin-demotes-owner", ADMIN_ACTOR, SET_ROLE, ("member", OWNER_MEMBERSHIP), Expect.NO_ROWS, OWNER_MEMBERSHIP),
        ("admin-removes-owner", ADMIN_ACTOR, LEAVE, (OWNER_MEMBERSHIP,), Expect.NO_ROWS, OWNER_MEMBERSHIP),
        (
            "member-promotes-self-to-owner",
            MEMBER_ACTOR,
            SET_ROLE,
            ("owner", MEMBER_MEMBERSHIP),
            Expect.NO_ROWS,
            MEMBER_MEMBERSHIP,
        ),
        (
            "viewer-promotes-self-to-member",
            VIEWER_ACTOR,
            SET_ROLE,
            ("member", VIEWER_MEMBERSHIP),
            Expect.NO_ROWS,
            VIEWER_MEMBERSHIP,
        ),
        ("member-removes-teammate", MEMBER_ACTOR, LEAVE, (TEAMMATE_MEMBERSHIP,), Expect.NO_ROWS, TEAMMATE_MEMBERSHIP),
        ("last-owner-leaves", OWNER_ACTOR, LEAVE, (OWNER_MEMBERSHIP,), Expect.CHECK, OWNER_MEMBERSHIP),
        ("last-owner-demotes-self", OWNER_ACTOR, SET_ROLE, ("admin", OWNER_MEMBERSHIP), Expect.CHECK, OWNER_MEMBERSHIP),
        ("member-leaves (control)", MEMBER_ACTOR, LEAVE, (MEMBER_MEMBERSHIP,), Expect.ONE_ROW, None),
        ("viewer-leaves (control)", VIEWER_ACTOR, LEAVE, (VIEWER_MEMBERSHIP,), Expect.ONE_ROW, None),
        ("admin-leaves (control)", ADMIN_ACTOR, LEAVE, (ADMIN_MEMBERSHIP,), Expect.ONE_ROW, None),
        (
            "owner-makes-member-admin (control)",
            OWNER_ACTOR,
            SET_ROLE,
            ("admin", TEAMMATE_MEMBERSHIP),
            Expect.ONE_ROW,
            None,
        ),
    ]:
        attempt(
            f"membership/{name}", actor, sql, *args, expect=expect, watch=("space_members", watch) if watch else None
        )
    for name, actor, user, role in [
        # nobody adds a member, whatever the role: the invitee joins by accepting an invitation
        ("owner-adds-owner", OWNER_ACTOR, NEWCOMER, "owner"),
        ("owner-adds-member", OWNER_ACTOR, NEWCOMER, "member"),
        ("owner-adds-viewer-who-has-an-invitation", OWNER_ACTOR, NEWCOMER, "viewer"),
        ("admin-adds-member", ADMIN_ACTOR, NEWCOMER, "member"),
        ("admin-adds-owner", ADMIN_ACTOR, NEWCOMER, "owner"),
        ("admin-adds-admin", ADMIN_ACTOR, NEWCOMER, "admin"),
        ("member-adds-viewer", MEMBER_ACTOR, NEWCOMER, "viewer"),
        ("non-member-joins", OUTSIDER_ACTOR, OUTSIDER, "member"),
        ("non-member-joins-as-owner", OUTSIDER_ACTOR, OUTSIDER, "owner"),
        ("platform-admin-joins", PLATFORM_ADMIN_ACTOR, PLATFORM_ADMIN, "viewer"),
        ("viewer-joins-again-as-owner", VIEWER_ACTOR, VIEWER, "owner"),
    ]:
        attempt(
            f"membership/{name}",
            actor,
            ADD_MEMBER,
            uid(f"escape.membership.{name}"),
            SPACE_S,
            user,
            role,
            expect=Expect.DENIED,
        )
    attempt(
        "membership/owner-leaves-when-another-owner-remains (control)",
        OWNER_ACTOR,
        LEAVE,
        OWNER_MEMBERSHIP,
        expect=Expect.ONE_ROW,
        setup=(PROMOTE_TEAMMATE,),
    )
    attempt(
        "space/creator-who-left-reads-the-space",
        OWNER_ACTOR,
        "select id from public.spaces where id = $1",
        SPACE_S,
        expect=Expect.NO_ROWS,
        setup=(PROMOTE_TEAMMATE, (LEAVE, (OWNER_MEMBERSHIP,))),
    )
    attempt(
        "space/creator-who-left-renames-the-space",
        OWNER_ACTOR,
        "update public.spaces set name = 'Mine now' where id = $1",
        SPACE_S,
        expect=Expect.NO_ROWS,
        watch=("spaces", SPACE_S),
        setup=(PROMOTE_TEAMMATE, (LEAVE, (OWNER_MEMBERSHIP,))),
    )
    attempt(
        "space/create-for-another-user",
        MEMBER_ACTOR,
        "insert into public.spaces (id, name, created_by) values ($1, 'Theirs', $2)",
        uid("escape.space.for-other"),
        OWNER,
        expect=Expect.DENIED,
    )
    attempt(
        "space/create-without-creator",
        MEMBER_ACTOR,
        "insert into public.spaces (id, name, created_by) values ($1, 'Nobody''s', null)",
        uid("escape.space.no-creator"),
        expect=Expect.DENIED,
    )
    created, create_space = new_space(VIEWER_ACTOR, "viewer.creates")
    attempt(
        "space/creator-becomes-owner (control)",
        VIEWER_ACTOR,
        "select id from public.space_members where space_id = $1 and user_id = $2 and role = 'owner'",
        created,
        VIEWER,
        expect=Expect.ONE_ROW,
        setup=(create_space,),
    )
    attempt(
        "space/create-returning (control)",
        OUTSIDER_ACTOR,
        "insert into public.spaces (id, name, created_by) values ($1, 'Mine', $2) returning id",
        uid("escape.space.returning"),
        OUTSIDER,
        expect=Expect.ONE_ROW,
    )


INVITEE_ACTOR = Actor("invitee", NEWCOMER, email=NEWCOMER_EMAIL)
READ_INVITATION = "select id from public.space_invitations where id = $1"


def _invitations() -> None:
    """Who sees an invitation (the space's managers, and the invitee by the email claim of the token); nobody writes
    one directly (the leadgen functions do), and nobody reads its token's hash."""
    for name, actor, expect in [
        ("invitee-reads-own (control)", INVITEE_ACTOR, Expect.ONE_ROW),
        (
            "invitee-in-upper-case-reads-own (control)",
            Actor("invitee-upper", NEWCOMER, email="NewComer@RLS.test"),
            Expect.ONE_ROW,
        ),
        (
            "another-user-with-the-invitee-s-address (control)",
            Actor("same-address", OUTSIDER, email=NEWCOMER_EMAIL),
            Expect.ONE_ROW,
        ),
        ("invitee-under-another-address", Actor("other-address", NEWCOMER, email="someone@rls.test"), Expect.NO_ROWS),
        (
            "address-forged-in-user-metadata",
            Actor("forged-address", OUTSIDER, user_metadata={"email": NEWCOMER_EMAIL}),
            Expect.NO_ROWS,
        ),
        (
            "anonymous-sign-in-with-the-address",
            Actor("anonymous-invitee", NEWCOMER, email=NEWCOMER_EMAIL, is_anonymous=True),
            Expect.NO_ROWS,
        ),
        ("member-of-the-space", MEMBER_ACTOR, Expect.NO_ROWS),
        ("platform-admin", PLATFORM_ADMIN_ACTOR, Expect.NO_ROWS),
    ]:
        attempt(f"invitation/{name}", actor, READ_INVITATION, INVITATION, expect=expect)
    for name, actor, sql in [
        ("owner-reads-token-hash", OWNER_ACTOR, "select token_hash from public.space_invitations where id = $1"),
        ("owner-reads-star", OWNER_ACTOR, "select * from public.space_invitations where id = $1"),
        ("invitee-reads-token-hash", INVITEE_ACTOR, "select token_hash from public.space_invitations where id = $1"),
        (
            "invitee-accepts-by-update",
            INVITEE_ACTOR,
            "update public.space_invitations set status = 'accepted' where id = $1",
        ),
        ("invitee-raises-own-role", INVITEE_ACTOR, "update public.space_invitations set role = 'owner' where id = $1"),
        (
            "owner-extends-expiry",
            OWNER_ACTOR,
            "update public.space_invitations set expires_at = 'infinity' where id = $1",
        ),
        ("owner-deletes", OWNER_ACTOR, "delete from public.space_invitations where id = $1"),
    ]:
        attempt(
            f"invitation/{name}", actor, sql, INVITATION, expect=Expect.DENIED, watch=("space_invitations", INVITATION)
        )
    attempt(
        "invitation/invitee-adds-own-membership",
        INVITEE_ACTOR,
        ADD_MEMBER,
        uid("escape.invitation.self-join"),
        SPACE_S,
        NEWCOMER,
        "member",
        expect=Expect.DENIED,
    )
    attempt(
        "invitation/owner-invites-by-insert",
        OWNER_ACTOR,
        "insert into public.space_invitations (space_id, email, role) values ($1, 'x@example.org', 'viewer')",
        SPACE_S,
        expect=Expect.DENIED,
    )
    attempt(
        "invitation/owner-reads-the-invitation-s-columns (control)",
        OWNER_ACTOR,
        "select id, email, role, status, space_name, inviter_name, expires_at from public.space_invitations"
        " where id = $1 and status = 'pending'",
        INVITATION,
        expect=Expect.ONE_ROW,
    )


def _reads() -> None:
    """Reading what is not yours, by id or by space; forged claims."""
    for table in ("spaces", "space_members", "leads", "lead_integrations"):
        column = "id" if table == "spaces" else "space_id"
        attempt(
            f"read/non-member-lists-{table}-of-space",
            OUTSIDER_ACTOR,
            f"select id from public.{table} where {column} = $1",
            SPACE_S,
            expect=Expect.NO_ROWS,
        )
    for table in ("leads", "spaces", "space_members"):
        column = "id" if table == "spaces" else "space_id"
        attempt(
            f"read/forged-admin-in-user-metadata-{table}",
            FORGED_ADMIN_ACTOR,
            f"select id from public.{table} where {column} = $1",
            SPACE_S,
            expect=Expect.NO_ROWS,
        )
    attempt(
        "read/personal-rows-of-another-user",
        OWNER_ACTOR,
        "select id from public.leads where user_id = $1",
        SOLO,
        expect=Expect.NO_ROWS,
    )
    attempt(
        "read/viewer-of-another-space-reads-its-lead (control)",
        SOLO_ACTOR,
        "select id from public.leads where id = $1",
        T["leads"],
        expect=Expect.ONE_ROW,
    )
    for actor in (ANON_ACTOR, OUTSIDER_ACTOR):
        attempt(f"read/auth-users-as-{actor.label}", actor, "select id from auth.users", expect=Expect.DENIED)
        attempt(
            f"read/migration-history-as-{actor.label}",
            actor,
            "select version from supabase_migrations.schema_migrations",
            expect=Expect.DENIED,
        )
    # A predicate that would fail on a hidden row must never run on it (RLS quals come first): no error oracle.
    attempt(
        "read/error-oracle-on-hidden-row",
        OUTSIDER_ACTOR,
        "select id from public.leads where id = $1 and 1 / (score - score) = 0",
        S["leads"],
        expect=Expect.NO_ROWS,
    )
    for op, sql in [
        ("reads", "select id from public.leads where id = $1"),
        ("updates", "update public.leads set first_name = 'Mine' where id = $1"),
        ("deletes", "delete from public.leads where id = $1"),
    ]:
        attempt(
            f"read/member-who-left-{op}-own-lead",
            MEMBER_ACTOR,
            sql,
            LEFT_LEAD,
            expect=Expect.NO_ROWS,
            watch=("leads", LEFT_LEAD),
            setup=MEMBER_LEAVES,
        )


for _section in (
    _rows_of_other_users,
    _moves,
    _immutable_columns,
    _links,
    _children,
    _credentials,
    _memberships,
    _invitations,
    _reads,
):
    _section()

ESCAPE_IDS = [a.id for a in ESCAPES]
assert len(set(ESCAPE_IDS)) == len(ESCAPE_IDS), "duplicate escape ids"


async def check_attempt(conn: asyncpg.Connection, item: Attempt) -> None:
    for sql, args in item.setup:
        await conn.execute(sql, *args)
    before = await probe_row(conn, *item.watch) if item.watch else None
    result = await run(conn, item.sql, *item.args)
    after = await probe_row(conn, *item.watch) if item.watch else None
    context = item.id
    if item.expect is Expect.DENIED:
        assert_denied(result, context)
    elif item.expect is Expect.FOREIGN_KEY:
        assert isinstance(result.error, asyncpg.ForeignKeyViolationError), (
            f"{context}: expected 23503, got {result.describe()}"
        )
    elif item.expect is Expect.CHECK:
        assert isinstance(result.error, asyncpg.CheckViolationError), (
            f"{context}: expected 23514, got {result.describe()}"
        )
    elif item.expect is Expect.NO_ROWS:
        assert_rows(result, 0, context)
    else:
        assert_rows(result, 1, context)
    if item.is_escape and item.watch:
        assert before is not None, f"{context}: watched row missing"
        assert after == before, f"{context}: the stored row changed"


# --------------------------------------------------------------------------------------------------------
# Fixtures and tests


@pytest_asyncio.fixture(scope="module")
async def world(cluster: PgCluster, module_db: str) -> None:
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        await build_world(conn)
        await install_probe(conn)
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="module")
async def api_conn(cluster: PgCluster, module_db: str, world: None) -> AsyncIterator[asyncpg.Connection]:
    """One connection as the API login role, shared by every case (each case is its own rolled-back transaction)."""
    conn = await asyncpg.connect(cluster.dsn(module_db, user="leadgen_api"))
    try:
        yield conn
    finally:
        await conn.close()


@pytest_asyncio.fixture(scope="module")
async def admin_conn(cluster: PgCluster, module_db: str, world: None) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(cluster.dsn(module_db))
    try:
        yield conn
    finally:
        await conn.close()


PUBLIC_RELATIONS = """
select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
where n.nspname = 'public' and c.relkind in ('r', 'p', 'v', 'm', 'f')
order by 1
"""
PRIVATE_FUNCTIONS = """
select p.oid::regprocedure::text as signature, p.proname, p.pronargs, p.proargtypes::regtype[]::text[] as types
from pg_proc p join pg_namespace n on n.oid = p.pronamespace
where n.nspname = 'private'
order by 1
"""


async def test_matrix_covers_every_table_in_public(admin_conn: asyncpg.Connection) -> None:
    found = [r["relname"] for r in await admin_conn.fetch(PUBLIC_RELATIONS)]
    missing = sorted(set(found) - set(TABLES))
    assert not missing, f"tables/views in schema public without RLS matrix rows: {missing}"
    assert sorted(TABLES) == found, f"matrix rows for tables that no longer exist: {sorted(set(TABLES) - set(found))}"


async def test_rls_is_enabled_and_privileges_are_minimal(admin_conn: asyncpg.Connection) -> None:
    """What the matrix relies on, checked on the catalog: RLS on, anon has nothing, nothing bypasses RLS."""
    rows = await admin_conn.fetch(
        """
        select c.relname, c.relrowsecurity,
               has_table_privilege('anon', c.oid, 'select, insert, update, delete, truncate, references, trigger')
                 or has_any_column_privilege('anon', c.oid, 'select, insert, update, references') as anon_has_any,
               -- TRUNCATE ignores RLS; TRIGGER/REFERENCES are never needed by API callers
               has_table_privilege('authenticated', c.oid, 'truncate, references, trigger') as authenticated_extra
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        """
    )
    assert rows
    assert [r["relname"] for r in rows if not r["relrowsecurity"]] == []
    assert [r["relname"] for r in rows if r["anon_has_any"]] == []
    assert [r["relname"] for r in rows if r["authenticated_extra"]] == []
    loose = await admin_conn.fetch(
        "select tablename, policyname, roles::text from pg_policies"
        " where schemaname = 'public' and roles <> '{authenticated}'::name[]"
    )
    assert [dict(r) for r in loose] == [], "policies must apply to authenticated only (anon has no privilege)"
    bypass = await admin_conn.fetch(
        "select r.rolname from pg_roles r where r.rolname in ('leadgen_api', 'anon', 'authenticated')"
        " and (r.rolsuper or r.rolbypassrls)"
    )
    assert bypass == []


@pytest.mark.parametrize("case", MATRIX, ids=[c.id for c in MATRIX])
async def test_rls_matrix(case: MatrixCase, api_conn: asyncpg.Connection) -> None:
    for scope in targets(TABLES[case.table], case.persona):
        async with acting_as(api_conn, case.persona.value.claims()) as conn:
            await check_matrix_case(conn, case, scope)


@pytest.mark.parametrize("item", ESCAPES, ids=ESCAPE_IDS)
async def test_escape(item: Attempt, api_conn: asyncpg.Connection) -> None:
    async with acting_as(api_conn, item.actor.claims()) as conn:
        await check_attempt(conn, item)


@pytest.mark.parametrize("actor", [ANON_ACTOR, OUTSIDER_ACTOR], ids=lambda a: a.label)
async def test_private_helpers_are_not_callable(
    actor: Actor, api_conn: asyncpg.Connection, admin_conn: asyncpg.Connection
) -> None:
    """Every function in schema private (security-definer helpers included) is out of reach of API roles."""
    functions = await admin_conn.fetch(PRIVATE_FUNCTIONS)
    assert len(functions) >= 10
    for fn in functions:
        args = ", ".join(f"null::{t}" for t in fn["types"])
        sql = f"select * from private.{fn['proname']}({args})"
        async with acting_as(api_conn, actor.claims()) as conn:
            result = await run(conn, sql)
        assert_denied(result, f"{actor.label} calling {fn['signature']}")


@pytest.mark.parametrize("role", ["service_role", "postgres"])
async def test_claims_cannot_choose_another_database_role(role: str, api_conn: asyncpg.Connection) -> None:
    """The API login role can only become anon or authenticated, whatever a token says its role is."""
    claims = user_claims(OUTSIDER)
    claims["role"] = role
    with pytest.raises(asyncpg.InsufficientPrivilegeError):
        async with acting_as(api_conn, claims):
            pass


async def test_zz_report_matrix_size(capsys: pytest.CaptureFixture[str], admin_conn: asyncpg.Connection) -> None:
    functions = len(await admin_conn.fetch(PRIVATE_FUNCTIONS))
    escapes = sum(1 for a in ESCAPES if a.is_escape)
    controls = len(ESCAPES) - escapes
    with capsys.disabled():
        print(
            f"\nRLS matrix: {len(MATRIX)} cases ({len(TABLES)} tables x {len(Op)} operations x {len(Persona)} personas)"
            f" + {escapes} escape attempts (+ {controls} controls) + {functions} private functions x 2 callers"
        )
