"""The deterministic benchmark data of one scale unit, table by table, as lazily generated row tuples.

`generate_unit(scale, unit)` builds the unit's small eager part (`World`) and its lead plans; `TABLES` lists
every table in load order with its columns and row generator. Rows carry their final values, including
what triggers would otherwise maintain (profiles, the creator's owner membership, last_activity_at and
updated_at), because the loader runs with triggers disabled.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from bench import words
from bench.leads import (
    ACTIVITY_COLUMNS,
    ASSOCIATION_COLUMNS,
    BUDGETS,
    LEAD_COLUMNS,
    LeadPlans,
    activity_rows,
    association_rows,
    build_plans,
    cumulative,
    lead_rows,
    weighted,
)
from bench.scale import DAY, REFERENCE_TIME, Scale, Table, at, bench_id, rng_for
from bench.world import World, build_world

Row = tuple[Any, ...]
CENT = Decimal("0.01")
APP_METADATA = json.dumps({"provider": "email", "providers": ["email"]})
INSTANCE_ID = uuid.UUID(int=0)


@dataclass(frozen=True)
class UnitData:
    world: World
    plans: LeadPlans

    @property
    def unit(self) -> int:
        return self.world.unit


@dataclass(frozen=True)
class TableSpec:
    schema: str
    name: str
    code: Table  # the ids of its rows (profiles: the users')
    columns: tuple[str, ...]
    rows: Callable[[UnitData], Iterator[Row]]
    count: Callable[[UnitData], int]

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


def generate_unit(scale: Scale, unit: int) -> UnitData:
    world = build_world(scale, unit)
    return UnitData(world, build_plans(world))


def _uid(d: UnitData, table: Table, index: int) -> Any:
    return bench_id(table, d.unit, index)


def _users(d: UnitData) -> Iterator[Row]:
    for u in d.world.users:
        created = at(u.age)
        meta = json.dumps({"full_name": u.full_name})
        yield (
            INSTANCE_ID, _uid(d, Table.USERS, u.index), "authenticated", "authenticated", u.email, APP_METADATA, meta,
            created + timedelta(minutes=10), "", "", "", "", created, created,
        )  # fmt: skip


def _profiles(d: UnitData) -> Iterator[Row]:
    for u in d.world.users:
        created = at(u.age)
        yield _uid(d, Table.USERS, u.index), u.email, u.full_name, created, created


def _spaces(d: UnitData) -> Iterator[Row]:
    for s in d.world.spaces:
        yield _uid(d, Table.SPACES, s.index), s.name, _uid(d, Table.USERS, s.created_by), at(s.age), at(s.age)


def _members(d: UnitData) -> Iterator[Row]:
    for m in d.world.members:
        sid, uid = _uid(d, Table.SPACES, m.space), _uid(d, Table.USERS, m.user)
        yield _uid(d, Table.SPACE_MEMBERS, m.index), sid, uid, m.role, at(m.age), at(m.age)


def _scope_ids(d: UnitData, scope: int) -> tuple[Any, Any]:
    """(user_id, space_id) of configuration rows of a scope: its owner, and its space."""
    s = d.world.scopes[scope]
    return _uid(d, Table.USERS, s.owner), None if s.space is None else _uid(d, Table.SPACES, s.space)


def _stages(d: UnitData) -> Iterator[Row]:
    for c in d.world.stages:
        name, color = words.STAGES[c.spec]
        yield (
            _uid(d, Table.LEAD_STAGES, c.index),
            *_scope_ids(d, c.scope),
            name,
            c.spec,
            color,
            True,
            at(c.age),
            at(c.age),
        )


def _sources(d: UnitData) -> Iterator[Row]:
    for c in d.world.sources:
        yield (
            _uid(d, Table.LEAD_SOURCES, c.index),
            *_scope_ids(d, c.scope),
            *words.SOURCES[c.spec],
            at(c.age),
            at(c.age),
        )


def _rules(d: UnitData) -> Iterator[Row]:
    rng = rng_for(d.unit, "scoring_rules")
    for c in d.world.rules:
        name, criteria, field, condition, value, points = words.SCORING_RULES[c.spec]
        yield (
            _uid(d, Table.SCORING_RULES, c.index), *_scope_ids(d, c.scope), name,
            f"Adds {points} points: {name.lower()}.", criteria, field, condition, value, points,
            rng.random() < 0.85, at(c.age), at(c.age),
        )  # fmt: skip


def _writer(d: UnitData, scope: int, r: float) -> Any:
    writers = d.world.scopes[scope].writers
    return _uid(d, Table.USERS, writers[int(r * len(writers))])


def _companies(d: UnitData) -> Iterator[Row]:
    w, rng = d.world, rng_for(d.unit, "companies")
    sizes = cumulative(words.COMPANY_SIZE_WEIGHTS)
    n = w.scale.companies
    for i in range(n):
        scope = w.company_scope[i]
        age = max(7200, int(760 * DAY * (1 - (i + rng.random()) / n)))
        data = "{}"
        if rng.random() < 0.6:
            city = words.CITIES[int(rng.random() * len(words.CITIES))]
            data = json.dumps({"headquarters": city, "founded": 1960 + int(rng.random() * 64)})
        space = w.scopes[scope].space
        yield (
            _uid(d, Table.COMPANIES, i), _writer(d, scope, rng.random()),
            None if space is None else _uid(d, Table.SPACES, space), w.company_name[i],
            f"https://{w.company_domain[i]}", words.INDUSTRIES[int(rng.random() * len(words.INDUSTRIES))],
            words.COMPANY_SIZES[weighted(sizes, rng.random())], data, rng.random() >= 0.05, at(age), at(age),
        )  # fmt: skip


def _campaigns(d: UnitData) -> Iterator[Row]:
    w, rng = d.world, rng_for(d.unit, "campaigns")
    types, statuses = words.CAMPAIGN_TYPES, words.CAMPAIGN_STATUSES
    type_cum, status_cum = cumulative(tuple(x for _, x in types)), cumulative(tuple(x for _, x in statuses))
    for i in range(w.scale.campaigns):
        theme = words.CAMPAIGN_THEMES[int(rng.random() * len(words.CAMPAIGN_THEMES))]
        start = REFERENCE_TIME.date() - timedelta(days=int(rng.random() * 700))
        end = start + timedelta(days=14 + int(rng.random() * 106))
        kind = types[weighted(type_cum, rng.random())][0]
        status = statuses[weighted(status_cum, rng.random())][0]
        budget = BUDGETS[int(rng.random() * len(BUDGETS))] * 5
        share = 0 if status in ("draft", "scheduled") else int(rng.random() * 101)
        created = at((REFERENCE_TIME.date() - start).days * DAY + 7 * DAY)
        yield (
            _uid(d, Table.CAMPAIGNS, i), *_scope_ids(d, w.campaign_scope[i]), f"{theme} {start.year}",
            f"{theme}: {kind.replace('_', ' ')} campaign starting {start.isoformat()}.", kind, status, start, end,
            budget, (budget * share / 100).quantize(CENT),
            created, created,
        )  # fmt: skip


def _fixed(attribute: str) -> Callable[[UnitData], int]:
    return lambda d: len(getattr(d.world, attribute))


USER_COLUMNS = (
    "instance_id", "id", "aud", "role", "email", "raw_app_meta_data", "raw_user_meta_data", "email_confirmed_at",
    "confirmation_token", "recovery_token", "email_change_token_new", "email_change", "created_at", "updated_at",
)  # fmt: skip
SCOPED = ("id", "user_id", "space_id")
STAMPS = ("created_at", "updated_at")


def _leads(d: UnitData) -> Iterator[Row]:
    return lead_rows(d.world, d.plans)


def _activities(d: UnitData) -> Iterator[Row]:
    return activity_rows(d.world, d.plans)


def _associations(d: UnitData) -> Iterator[Row]:
    return association_rows(d.world, d.plans)


RULE_COLUMNS = (
    *SCOPED, "name", "description", "criteria_type", "criteria_field", "condition", "value", "points", "is_active",
    *STAMPS,
)  # fmt: skip
COMPANY_COLUMNS = (*SCOPED, "name", "website", "industry", "company_size", "company_data", "is_active", *STAMPS)
CAMPAIGN_COLUMNS = (
    *SCOPED, "name", "description", "campaign_type", "status", "start_date", "end_date", "budget", "spent", *STAMPS,
)  # fmt: skip
SOURCE_COLUMNS = (*SCOPED, "name", "type", "utm_source", "utm_medium", "utm_campaign", *STAMPS)
MEMBER_COLUMNS = ("id", "space_id", "user_id", "role", *STAMPS)
STAGE_COLUMNS = (*SCOPED, "name", "stage_order", "color", "is_default", *STAMPS)
Count = Callable[[UnitData], int]
COUNT: dict[str, Count] = {
    "companies": lambda d: d.world.scale.companies,
    "campaigns": lambda d: d.world.scale.campaigns,
    "leads": lambda d: d.world.scale.leads,
    "activities": lambda d: d.plans.activities,
    "associations": lambda d: d.plans.campaign_associations,
}

ASSOCIATIONS = (ASSOCIATION_COLUMNS, _associations, COUNT["associations"])

# In load order (parents first).
TABLES: tuple[TableSpec, ...] = (
    TableSpec("auth", "users", Table.USERS, USER_COLUMNS, _users, _fixed("users")),
    TableSpec("public", "profiles", Table.USERS, ("id", "email", "full_name", *STAMPS), _profiles, _fixed("users")),
    TableSpec("public", "spaces", Table.SPACES, ("id", "name", "created_by", *STAMPS), _spaces, _fixed("spaces")),
    TableSpec("public", "space_members", Table.SPACE_MEMBERS, MEMBER_COLUMNS, _members, _fixed("members")),
    TableSpec("public", "lead_stages", Table.LEAD_STAGES, STAGE_COLUMNS, _stages, _fixed("stages")),
    TableSpec("public", "lead_sources", Table.LEAD_SOURCES, SOURCE_COLUMNS, _sources, _fixed("sources")),
    TableSpec("public", "lead_scoring_rules", Table.SCORING_RULES, RULE_COLUMNS, _rules, _fixed("rules")),
    TableSpec("public", "companies", Table.COMPANIES, COMPANY_COLUMNS, _companies, COUNT["companies"]),
    TableSpec("public", "lead_campaigns", Table.CAMPAIGNS, CAMPAIGN_COLUMNS, _campaigns, COUNT["campaigns"]),
    TableSpec("public", "leads", Table.LEADS, LEAD_COLUMNS, _leads, COUNT["leads"]),
    TableSpec("public", "lead_activities", Table.ACTIVITIES, ACTIVITY_COLUMNS, _activities, COUNT["activities"]),
    TableSpec("public", "lead_campaign_associations", Table.CAMPAIGN_ASSOCIATIONS, *ASSOCIATIONS),
)


def expected_counts(data: UnitData) -> dict[str, int]:
    """Rows per table (qualified name) that the unit generates."""
    return {t.qualified: t.count(data) for t in TABLES}


def fingerprint(data: UnitData) -> str:
    """A digest of every generated row of the unit: equal on every machine for the same scale and unit."""
    digest = hashlib.sha256()
    for table in TABLES:
        digest.update(table.qualified.encode())
        for row in table.rows(data):
            digest.update(repr(row).encode())
    return digest.hexdigest()
