"""The big tables of a scale unit: leads, their activities and their campaign associations.

`build_plans` decides, per lead and in compact arrays, what the three tables must agree on (scope, creation
time, creator and assignee, how many activities and when, how many campaigns); each table's rows are then
generated lazily from the plans with the table's own random stream, so they can be streamed into COPY one
table at a time without holding the rows in memory.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bench import words
from bench.scale import DAY, Table, at, bench_id, rng_for
from bench.world import World, pick_scope

BLOCK = 4  # leads whose activity and campaign counts are drawn together (exact totals, skewed per lead)
MAX_ACTIVITIES = 20
MAX_CAMPAIGNS = 12
SPAN = 730 * DAY  # leads were created over the two years before the reference time
ACTIVITY_WINDOW = 180 * DAY  # a lead's activities fall within this long after its creation

LEAD_COLUMNS = (
    "id", "user_id", "space_id", "company_id", "assigned_to", "first_name", "last_name", "email", "phone",
    "job_title", "stage_id", "source_id", "score", "status", "custom_fields", "budget", "authority", "need",
    "timeline", "enriched_data", "converted_to_customer", "last_activity_at", "created_at", "updated_at",
)  # fmt: skip
ACTIVITY_COLUMNS = (
    "id",
    "lead_id",
    "user_id",
    "activity_type",
    "description",
    "activity_data",
    "created_at",
    "updated_at",
    "lead_owner_id",
    "space_id",
)
ASSOCIATION_COLUMNS = (
    "id", "lead_id", "campaign_id", "associated_at", "created_at", "updated_at", "lead_owner_id", "space_id"
)  # fmt: skip

CUSTOM_FIELDS = tuple(
    json.dumps(v)
    for v in (
        {"preferred_contact": "email"},
        {"preferred_contact": "phone", "contract_renewal_date": "2027-03-01"},
        {"preferred_contact": "video_call"},
        {"employees_estimate": 250, "segment": "mid-market"},
        {"segment": "enterprise", "employees_estimate": 4000, "procurement_required": True},
        {"referral_partner": "Jordan Blake"},
        {"newsletter_opt_in": True},
        {"newsletter_opt_in": False, "preferred_contact": "email"},
        {"contract_renewal_date": "2027-06-30", "current_vendor": "Competitor A"},
        {"interests": ["SEO", "Paid advertising"], "preferred_contact": "email"},
    )
)
ENRICHED = tuple(
    json.dumps({"seniority": s, "enriched_by": "bench-enrichment", "confidence": c})
    for s, c in (("manager", 0.72), ("director", 0.81), ("vp", 0.9), ("c_level", 0.95), ("individual", 0.6))
)
BUDGETS = tuple(Decimal(f"{500 * k}.00") for k in range(1, 201))
EMAIL_FIRST = tuple(n.lower().replace("'", "").replace("ü", "u") for n in words.FIRST_NAMES)
EMAIL_LAST = tuple(n.lower().replace("'", "").replace("ü", "u") for n in words.LAST_NAMES)
ACTIVITY_DATA = tuple(
    json.dumps({"subject": "Checking in", "template": "follow-up"}) if t == "email_sent" else
    json.dumps({"url": "/pricing", "duration_seconds": 42}) if t == "page_visit" else
    json.dumps({"duration_minutes": 25, "outcome": "interested"}) if t in ("call_made", "meeting") else "{}"
    for t, _, _, _ in words.ACTIVITY_TYPES
)  # fmt: skip
EMPTY = "{}"


def cumulative(weights: tuple[int, ...]) -> list[int]:
    out, total = [], 0
    for w in weights:
        total += w
        out.append(total)
    return out


STAGE_CUM = cumulative(words.STAGE_WEIGHTS)
ACTIVITY_CUM = cumulative(tuple(w for _, w, _, _ in words.ACTIVITY_TYPES))


def weighted(cum: list[int], r: float) -> int:
    """The position a uniform draw r in [0, 1) falls on in cumulative integer weights."""
    target = r * cum[-1]
    for position, bound in enumerate(cum):
        if target < bound:
            return position
    return len(cum) - 1


def allocate(rng: random.Random, total: int, caps: list[int]) -> list[int]:
    """Split `total` (at most sum(caps)) over len(caps) slots at random, no slot above its cap."""
    n = len(caps)
    total = min(total, sum(caps))
    if total <= 0:
        return [0] * n
    cuts = sorted(int(rng.random() * (total + 1)) for _ in range(n - 1))
    parts = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    excess = 0
    for j, cap in enumerate(caps):
        if parts[j] > cap:
            excess, parts[j] = excess + parts[j] - cap, cap
    j = int(rng.random() * n)
    while excess:
        add = min(caps[j] - parts[j], excess)
        parts[j] += add
        excess -= add
        j = (j + 1) % n
    return parts


@dataclass
class LeadPlans:
    scope: array[int] = field(default_factory=lambda: array("I"))
    age: array[int] = field(default_factory=lambda: array("q"))  # seconds before the reference time
    creator: array[int] = field(default_factory=lambda: array("i"))
    assignee: array[int] = field(default_factory=lambda: array("i"))  # -1: unassigned
    activity_start: array[int] = field(default_factory=lambda: array("q", [0]))  # len = leads + 1
    activity_age: array[int] = field(default_factory=lambda: array("q"))  # per lead: oldest first
    campaign_count: array[int] = field(default_factory=lambda: array("B"))

    @property
    def activities(self) -> int:
        return len(self.activity_age)

    @property
    def campaign_associations(self) -> int:
        return sum(self.campaign_count)


def build_plans(world: World) -> LeadPlans:
    """Per lead its scope, age, creator and assignee; then its activity and campaign counts."""
    scale, rng, plans = world.scale, rng_for(world.unit, "lead_plans"), LeadPlans()
    n = scale.leads
    for i in range(n):
        scope = world.scopes[pick_scope(world, rng.random())]
        x = 1 - (i + rng.random()) / n  # older leads first, denser towards the present
        plans.scope.append(scope.key)
        plans.age.append(max(3600, int(SPAN * x * math.sqrt(x))))
        plans.creator.append(scope.writers[int(rng.random() * len(scope.writers))])
        assignee = scope.writers[int(rng.random() * len(scope.writers))]
        plans.assignee.append(-1 if rng.random() < 0.15 else assignee)
    _plan_activities(plans, rng, scale.activities)
    caps = [min(MAX_CAMPAIGNS, len(world.scope_campaigns[s])) for s in plans.scope]
    plans.campaign_count.extend(_spread(rng, scale.campaign_associations, caps))
    return plans


def _spread(rng: random.Random, total: int, caps: list[int]) -> list[int]:
    """Split `total` over the slots, block by block: exact (as far as the caps allow) yet skewed per slot.

    Each block of BLOCK slots gets a share of the total in proportion to its capacity (what is left over
    moves on to the next block) and splits it at random with `allocate`.
    """
    capacity, done, carry, out = sum(caps), 0, 0, []
    for start in range(0, len(caps), BLOCK):
        block = caps[start : start + BLOCK]
        upto = done + sum(block)
        target = (total * upto // capacity - total * done // capacity if capacity else 0) + carry
        counts = allocate(rng, target, block)
        carry, done = target - sum(counts), upto
        out.extend(counts)
    return out


def _plan_activities(plans: LeadPlans, rng: random.Random, total: int) -> None:
    counts = _spread(rng, total, [MAX_ACTIVITIES] * len(plans.age))
    for age, count in zip(plans.age, counts, strict=True):
        window = min(age - 60, ACTIVITY_WINDOW)
        draws = [rng.random() for _ in range(count)]
        plans.activity_age.extend(sorted((age - 60 - int(window * r * r) for r in draws), reverse=True))
        plans.activity_start.append(len(plans.activity_age))


def last_activity_age(plans: LeadPlans, lead: int) -> int | None:
    start, end = plans.activity_start[lead], plans.activity_start[lead + 1]
    return plans.activity_age[end - 1] if end > start else None


def lead_rows(world: World, plans: LeadPlans) -> Iterator[tuple[Any, ...]]:
    rng, unit = rng_for(world.unit, "leads"), world.unit
    rand, spaces = rng.random, _space_ids(world)
    users = _user_ids(world)
    lead_base, company_base = bench_id(Table.LEADS, unit, 0).int, bench_id(Table.COMPANIES, unit, 0).int
    stage_base, source_base = bench_id(Table.LEAD_STAGES, unit, 0).int, bench_id(Table.LEAD_SOURCES, unit, 0).int
    firsts, lasts, titles, free = words.FIRST_NAMES, words.LAST_NAMES, words.JOB_TITLES, words.FREE_EMAIL_DOMAINS
    for i in range(len(plans.scope)):
        key = plans.scope[i]
        companies = world.scope_companies[key]
        company_id, domain = None, free[int(rand() * len(free))]
        if companies and rand() >= 0.1:
            r = rand()
            company = companies[int(len(companies) * r * r)]
            company_id, domain = uuid.UUID(int=company_base + company), world.company_domain[company]
        f, la = int(rand() * len(firsts)), int(rand() * len(lasts))
        email = None
        if rand() >= 0.05:
            suffix = "" if rand() >= 0.2 else str(int(rand() * 99) + 1)
            email = f"{EMAIL_FIRST[f]}.{EMAIL_LAST[la]}{suffix}@{domain}"
        phone = None if rand() < 0.3 else f"+1 555 {int(rand() * 9_000_000) + 1_000_000}"
        title = None if rand() < 0.1 else titles[int(rand() * len(titles))]
        order = weighted(STAGE_CUM, rand())
        sources = world.scope_sources[key]
        r = rand()
        source_id = None if rand() < 0.08 else uuid.UUID(int=source_base + sources[int(len(sources) * r * r)])
        score = round(words.STAGE_SCORE_CENTRES[order] + 20 * (rand() + rand() + rand() + rand() - 2))
        options = words.STATUS_BY_STAGE[order]
        status = options[0][0] if len(options) == 1 or rand() * 100 < options[0][1] else options[1][0]
        r = rand()
        budget = BUDGETS[int(len(BUDGETS) * r * r)] if 1 <= order <= 4 and rand() < 0.6 else None
        authority = words.AUTHORITIES[int(rand() * len(words.AUTHORITIES))] if 2 <= order <= 4 else None
        need = words.NEEDS[int(rand() * len(words.NEEDS))] if 1 <= order <= 4 and rand() < 0.7 else None
        timeline = words.TIMELINES[int(rand() * len(words.TIMELINES))] if 1 <= order <= 4 and rand() < 0.7 else None
        custom = CUSTOM_FIELDS[int(rand() * len(CUSTOM_FIELDS))] if rand() < 0.3 else EMPTY
        enriched = ENRICHED[int(rand() * len(ENRICHED))] if rand() < 0.25 else EMPTY
        created = at(plans.age[i])
        last = last_activity_age(plans, i)
        last_at = None if last is None else at(last)
        assignee = plans.assignee[i]
        yield (
            uuid.UUID(int=lead_base + i), users[plans.creator[i]], spaces[key], company_id,
            None if assignee < 0 else users[assignee], firsts[f], lasts[la], email, phone, title,
            uuid.UUID(int=stage_base + world.stage_index(key, order)), source_id, min(100, max(0, score)), status,
            custom, budget, authority, need, timeline, enriched, order == 4, last_at, created, last_at or created,
        )  # fmt: skip


def activity_rows(world: World, plans: LeadPlans) -> Iterator[tuple[Any, ...]]:
    """Activities in the order they happened (as a real table fills up), ids ascending with time."""
    rng, unit = rng_for(world.unit, "activities"), world.unit
    rand, users, types, spaces = rng.random, _user_ids(world), words.ACTIVITY_TYPES, _space_ids(world)
    lead_base, activity_base = bench_id(Table.LEADS, unit, 0).int, bench_id(Table.ACTIVITIES, unit, 0).int
    starts, ages = plans.activity_start, plans.activity_age
    lead_of = array("I")
    for i in range(len(plans.scope)):
        lead_of.extend([i] * (starts[i + 1] - starts[i]))
    for position, j in enumerate(_oldest_first(ages)):
        i = lead_of[j]
        t = weighted(ACTIVITY_CUM, rand())
        name, _, by_member, description = types[t]
        user = None
        if by_member:
            assignee, writers = plans.assignee[i], world.scopes[plans.scope[i]].writers
            user = users[assignee if assignee >= 0 and rand() < 0.7 else writers[int(rand() * len(writers))]]
        created = at(ages[j])
        lead_id = uuid.UUID(int=lead_base + i)
        yield (
            uuid.UUID(int=activity_base + position),
            lead_id,
            user,
            name,
            description,
            ACTIVITY_DATA[t],
            created,
            created,
            users[plans.creator[i]],  # the lead's scope, which triggers would copy (they are off during COPY)
            spaces[plans.scope[i]],
        )


def association_rows(world: World, plans: LeadPlans) -> Iterator[tuple[Any, ...]]:
    """Campaign associations in the order leads joined campaigns, ids ascending with time."""
    rng, unit = rng_for(world.unit, "campaign_associations"), world.unit
    lead_base, campaign_base = bench_id(Table.LEADS, unit, 0).int, bench_id(Table.CAMPAIGNS, unit, 0).int
    base = bench_id(Table.CAMPAIGN_ASSOCIATIONS, unit, 0).int
    users, spaces = _user_ids(world), _space_ids(world)
    leads, campaigns, ages = array("I"), array("I"), array("q")
    for i in range(len(plans.scope)):
        count, age = plans.campaign_count[i], plans.age[i]
        for campaign in rng.sample(world.scope_campaigns[plans.scope[i]], count) if count else ():
            leads.append(i)
            campaigns.append(campaign)
            ages.append(age - 60 - int((age - 60) * rng.random()))
    for position, k in enumerate(_oldest_first(ages)):
        joined = at(ages[k])
        lead_id, campaign_id = uuid.UUID(int=lead_base + leads[k]), uuid.UUID(int=campaign_base + campaigns[k])
        i = leads[k]
        owner, space = users[plans.creator[i]], spaces[plans.scope[i]]
        yield uuid.UUID(int=base + position), lead_id, campaign_id, joined, joined, joined, owner, space


def _oldest_first(ages: array[int]) -> list[int]:
    """Positions by descending age (stable: ties keep their order)."""
    return sorted(range(len(ages)), key=ages.__getitem__, reverse=True)


def _user_ids(world: World) -> list[uuid.UUID]:
    return [bench_id(Table.USERS, world.unit, u.index) for u in world.users]


def _space_ids(world: World) -> list[uuid.UUID | None]:
    """Per scope: its space's id, or None for a personal scope."""
    return [None if s.space is None else bench_id(Table.SPACES, world.unit, s.space) for s in world.scopes]
