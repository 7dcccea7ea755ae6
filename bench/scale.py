"""How much data a benchmark scale holds, and the deterministic ids and times every generated row uses.

A *scale unit* is one self-contained slice of the data (by default 100 users, 20 spaces, 10,000 companies,
100,000 leads, ...). Scale N is units 0..N-1; unit k always generates the same rows, disjoint from every
other unit's, so scale 2 is scale 1 plus unit 1.

Ids: ``be4c4000-TTTT-4UUU-8III-IIIIIIIIIIII`` (T table code, U unit, I row index): valid version-4 UUIDs,
ordered by (table, unit, index), all inside ``[be4c4000-0000-..., be4c4001-0000-...)``, so the bench rows of
a table or of a unit are one id range.
"""

from __future__ import annotations

import enum
import random
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import Any

# Bump when the generated data changes (the marker of a loaded unit records it).
GENERATOR_VERSION = 2  # 2: activities and associations carry the lead scope

# Every generated timestamp is an offset back from this instant (the demo seed's), never now().
REFERENCE_TIME = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
DAY = 86_400

ID_PREFIX = 0xBE4C4000
MAX_UNITS = 1 << 12
MAX_INDEX = (1 << 60) - 1
BENCH_ID_FIRST = uuid.UUID(int=ID_PREFIX << 96)
BENCH_ID_END = uuid.UUID(int=(ID_PREFIX + 1) << 96)  # exclusive


class Table(enum.IntEnum):
    """Table codes inside the ids. profiles share their user's id."""

    USERS = 1
    SPACES = 2
    SPACE_MEMBERS = 3
    COMPANIES = 4
    LEAD_STAGES = 5
    LEAD_SOURCES = 6
    SCORING_RULES = 7
    LEADS = 8
    ACTIVITIES = 9
    CAMPAIGNS = 10
    CAMPAIGN_ASSOCIATIONS = 11


def bench_id(table: Table, unit: int, index: int) -> uuid.UUID:
    """The id of row `index` of `table` in scale unit `unit`."""
    if not 0 <= unit < MAX_UNITS or not 0 <= index <= MAX_INDEX:
        raise ValueError(f"bench id out of range: unit {unit}, index {index}")
    return uuid.UUID(int=(ID_PREFIX << 96) | (int(table) << 80) | (0x4 << 76) | (unit << 64) | (0x8 << 60) | index)


def id_range(table: Table, unit: int) -> tuple[uuid.UUID, uuid.UUID]:
    """[first, end) of the ids of `table` in `unit`."""
    return bench_id(table, unit, 0), uuid.UUID(int=bench_id(table, unit, MAX_INDEX).int + 1)


def unit_id_ranges(unit: int) -> list[tuple[uuid.UUID, uuid.UUID]]:
    return [id_range(table, unit) for table in Table]


def rng_for(unit: int, stream: str) -> random.Random:
    """The random stream of one table (or plan) of one unit: seeded by a string (SHA-512), so portable."""
    return random.Random(f"leadgen-bench/v{GENERATOR_VERSION}/unit-{unit}/{stream}")


def at(seconds_before_reference: int) -> datetime:
    return REFERENCE_TIME - timedelta(seconds=seconds_before_reference)


@dataclass(frozen=True)
class Scale:
    """Units to generate and the per-unit row counts (defaults: issue 4)."""

    unit_count: int = 1
    users: int = 100
    spaces: int = 20
    companies: int = 10_000
    leads: int = 100_000
    activities: int = 500_000
    campaigns: int = 200
    campaign_associations: int = 300_000

    def __post_init__(self) -> None:
        if not 1 <= self.unit_count <= MAX_UNITS:
            raise ValueError(f"the scale must be between 1 and {MAX_UNITS} units")
        if self.users < 4 or self.spaces < 1 or self.companies < 1 or self.leads < 1 or self.campaigns < 1:
            raise ValueError("a scale unit needs at least 4 users and one space, company, lead and campaign")
        if not 0 <= self.activities <= 20 * self.leads:
            raise ValueError("activities per lead must average between 0 and 20")
        if not 0 <= self.campaign_associations <= 12 * self.leads:
            raise ValueError("campaign associations per lead must average between 0 and 12")

    @classmethod
    def units(cls, count: int, fraction: float = 1.0) -> Scale:
        """`count` units; `fraction` < 1 shrinks every unit (tests) keeping the per-lead ratios."""
        if not 0 < fraction <= 1:
            raise ValueError("fraction must be in (0, 1]")
        full = cls(unit_count=count)
        if fraction == 1:
            return full
        leads = max(40, round(full.leads * fraction))
        return replace(
            full,
            users=max(12, round(full.users * fraction)),
            spaces=max(3, round(full.spaces * fraction)),
            companies=max(10, round(full.companies * fraction)),
            leads=leads,
            activities=leads * full.activities // full.leads,
            campaigns=max(6, round(full.campaigns * fraction)),
            campaign_associations=leads * full.campaign_associations // full.leads,
        )

    @property
    def unit_range(self) -> range:
        return range(self.unit_count)

    def per_unit(self) -> dict[str, Any]:
        """The per-unit parameters (what a loaded unit's marker records)."""
        return {k: v for k, v in asdict(self).items() if k != "unit_count"}

    @classmethod
    def from_per_unit(cls, unit_count: int, params: dict[str, Any]) -> Scale:
        known = {f.name for f in fields(cls)} - {"unit_count"}
        return cls(unit_count=unit_count, **{k: int(v) for k, v in params.items() if k in known})
