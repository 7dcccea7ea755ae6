"""The small, eagerly built part of a scale unit: users, spaces and members, the scopes data lives in, and
per scope its stages, sources, scoring rules, companies and campaigns (what the big tables point at).

A *scope* is where a row lives: a space (shared with its members) or one user's personal data. Every
reference a generated row makes stays inside its scope, as the database's triggers and policies require.
"""

from __future__ import annotations

import random
from array import array
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate

from bench import words
from bench.scale import DAY, Scale, rng_for

SPACE_SHARE = 0.8  # of leads, companies and campaigns (the rest is personal to a user)
NO_SPACE_SHARE = 0.1  # of users: in no space at all (personal data only)
PERSONAL_SHARE_OF_MEMBERS = 0.3  # of users in spaces who also keep personal data
ROLE_WEIGHTS = (("admin", 15), ("member", 55), ("viewer", 30))
WRITER_ROLES = frozenset({"owner", "admin", "member"})


@dataclass(frozen=True)
class User:
    index: int
    email: str
    full_name: str
    age: int  # created: seconds before the reference time


@dataclass(frozen=True)
class Space:
    index: int
    name: str
    created_by: int
    age: int


@dataclass(frozen=True)
class Member:
    index: int
    space: int
    user: int
    role: str
    age: int


@dataclass(frozen=True)
class Scope:
    key: int
    space: int | None
    owner: int  # the space's creator (an owner), or the user of a personal scope
    writers: tuple[int, ...]  # owner/admin/member of the space; the user alone for a personal scope
    readers: tuple[int, ...]  # every member (viewers too); the user alone for a personal scope
    weight: float
    age: int


@dataclass(frozen=True)
class Config:
    """A stage, source or scoring rule of a scope: `spec` indexes the word lists (stage order for stages)."""

    index: int
    scope: int
    spec: int
    age: int


@dataclass
class World:
    unit: int
    scale: Scale
    users: list[User] = field(default_factory=list)
    spaces: list[Space] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)
    scopes: list[Scope] = field(default_factory=list)
    stages: list[Config] = field(default_factory=list)
    sources: list[Config] = field(default_factory=list)
    rules: list[Config] = field(default_factory=list)
    scope_sources: list[tuple[int, ...]] = field(default_factory=list)
    company_scope: array[int] = field(default_factory=lambda: array("I"))
    company_domain: list[str] = field(default_factory=list)
    company_name: list[str] = field(default_factory=list)
    scope_companies: list[list[int]] = field(default_factory=list)
    campaign_scope: array[int] = field(default_factory=lambda: array("I"))
    scope_campaigns: list[list[int]] = field(default_factory=list)
    scope_cum_weights: list[float] = field(default_factory=list)

    def stage_index(self, scope: int, order: int) -> int:
        return scope * len(words.STAGES) + order

    def readable_scopes(self, user: int) -> list[int]:
        return [s.key for s in self.scopes if user in s.readers]


def build_world(scale: Scale, unit: int) -> World:
    world = World(unit=unit, scale=scale)
    _users(world, rng_for(unit, "users"))
    _spaces_and_members(world, rng_for(unit, "space_members"))
    _scopes(world, rng_for(unit, "scopes"))
    _configuration(world, rng_for(unit, "configuration"))
    world.scope_cum_weights = list(accumulate(s.weight for s in world.scopes))
    _companies(world, rng_for(unit, "company_names"))
    _campaigns(world, rng_for(unit, "campaign_scopes"))
    return world


def pick_scope(world: World, r: float) -> int:
    """The scope for a uniform draw r in [0, 1), by the scopes' weights."""
    cum = world.scope_cum_weights
    return min(bisect(cum, r * cum[-1]), len(cum) - 1)


def _cube(x: float) -> float:
    return x * x * x  # plain arithmetic: identical on every machine, unlike libm's pow()


def _users(world: World, rng: random.Random) -> None:
    n = world.scale.users
    for i in range(n):
        number = world.unit * n + i
        first = words.FIRST_NAMES[int(rng.random() * len(words.FIRST_NAMES))]
        last = words.LAST_NAMES[int(rng.random() * len(words.LAST_NAMES))]
        age = 900 * DAY - i * 50 * DAY // n - int(rng.random() * 3600)  # before any space
        world.users.append(User(i, f"bench-user-{number:04d}@bench.example", f"{first} {last}", age))


def _spaces_and_members(world: World, rng: random.Random) -> None:
    n_users, n_spaces = world.scale.users, world.scale.spaces
    loners = [u for u in range(n_users) if rng.random() < NO_SPACE_SHARE]
    if not loners:  # some users belong to no space
        loners.append(n_users - 1)
    while n_users - len(loners) < 2:
        loners.pop()
    joiners = [u for u in range(n_users) if u not in loners]
    roster: list[list[int]] = [[] for _ in range(n_spaces)]
    memberships = dict.fromkeys(joiners, 0)
    for u in joiners:
        r = rng.random()
        k = min(1 if r < 0.55 else 2 if r < 0.85 else 3, n_spaces)
        for s in rng.sample(range(n_spaces), k):
            roster[s].append(u)
            memberships[u] += 1
    for s in range(n_spaces):  # every space has at least two members
        while len(roster[s]) < 2:
            free = [u for u in joiners if u not in roster[s] and memberships[u] < 3] or [
                u for u in joiners if u not in roster[s]
            ]
            u = free[int(rng.random() * len(free))]
            roster[s].append(u)
            memberships[u] += 1
    total_role_weight = sum(w for _, w in ROLE_WEIGHTS)
    for s in range(n_spaces):
        members = sorted(roster[s])
        creator = members[int(rng.random() * len(members))]
        name = words.SPACE_NAMES[(world.unit * n_spaces + s) % len(words.SPACE_NAMES)]
        if world.unit * n_spaces + s >= len(words.SPACE_NAMES):
            name = f"{name} {(world.unit * n_spaces + s) // len(words.SPACE_NAMES) + 1}"
        space_age = 760 * DAY - s * DAY
        world.spaces.append(Space(s, name, creator, space_age))
        for u in members:
            if u == creator:
                role, age = "owner", space_age
            else:
                draw, role = rng.random() * total_role_weight, ROLE_WEIGHTS[-1][0]
                for candidate, weight in ROLE_WEIGHTS:
                    if draw < weight:
                        role = candidate
                        break
                    draw -= weight
                age = space_age - int(rng.random() * 30 * DAY)
            world.members.append(Member(len(world.members), s, u, role, age))


def _scopes(world: World, rng: random.Random) -> None:
    by_space: list[list[Member]] = [[] for _ in world.spaces]
    for m in world.members:
        by_space[m.space].append(m)
    in_space = {m.user for m in world.members}
    personal = [u.index for u in world.users if u.index not in in_space or rng.random() < PERSONAL_SHARE_OF_MEMBERS]
    space_weights = [0.25 + 3 * _cube(rng.random()) for _ in world.spaces]
    personal_weights = [0.2 + rng.random() for _ in personal]
    space_total = SPACE_SHARE if personal else 1.0
    for space, w in zip(world.spaces, space_weights, strict=True):
        members = by_space[space.index]
        world.scopes.append(
            Scope(
                key=len(world.scopes),
                space=space.index,
                owner=space.created_by,
                writers=tuple(m.user for m in members if m.role in WRITER_ROLES),
                readers=tuple(m.user for m in members),
                weight=space_total * w / sum(space_weights),
                age=space.age - 3600,
            )
        )
    for u, w in zip(personal, personal_weights, strict=True):
        world.scopes.append(
            Scope(
                key=len(world.scopes),
                space=None,
                owner=u,
                writers=(u,),
                readers=(u,),
                weight=(1 - space_total) * w / sum(personal_weights),
                age=world.users[u].age - 7200,
            )
        )


def _configuration(world: World, rng: random.Random) -> None:
    for scope in world.scopes:
        for order in range(len(words.STAGES)):
            world.stages.append(Config(len(world.stages), scope.key, order, scope.age - 60 * order))
        extra = 3 + int(rng.random() * 3)
        chosen = [0, *sorted(rng.sample(range(1, len(words.SOURCES)), extra))]
        mine = []
        for position, spec in enumerate(chosen):
            mine.append(len(world.sources))
            world.sources.append(Config(len(world.sources), scope.key, spec, scope.age - 3600 - 60 * position))
        world.scope_sources.append(tuple(mine))
        for position, spec in enumerate(sorted(rng.sample(range(len(words.SCORING_RULES)), 2 + int(rng.random() * 4)))):
            world.rules.append(Config(len(world.rules), scope.key, spec, scope.age - 7200 - 60 * position))


def _companies(world: World, rng: random.Random) -> None:
    world.scope_companies = [[] for _ in world.scopes]
    seen: dict[str, int] = {}
    p, c, s = words.COMPANY_PREFIXES, words.COMPANY_CORES, words.COMPANY_SUFFIXES
    for i in range(world.scale.companies):
        scope = pick_scope(world, rng.random())
        world.company_scope.append(scope)
        world.scope_companies[scope].append(i)
        prefix, core, suffix = (
            p[int(rng.random() * len(p))],
            c[int(rng.random() * len(c))],
            s[int(rng.random() * len(s))],
        )
        slug = f"{prefix}{core}-{suffix}".lower()
        seen[slug] = seen.get(slug, 0) + 1
        world.company_name.append(f"{prefix}{core} {suffix}")
        world.company_domain.append(f"{slug}{'' if seen[slug] == 1 else seen[slug]}.example.com")


def _campaigns(world: World, rng: random.Random) -> None:
    world.scope_campaigns = [[] for _ in world.scopes]
    for i in range(world.scale.campaigns):
        scope = pick_scope(world, rng.random())
        world.campaign_scope.append(scope)
        world.scope_campaigns[scope].append(i)
