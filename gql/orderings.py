"""Ordering enums of the connections: one per ordering group of the catalog, each value an ordering of it."""

from __future__ import annotations

from enum import Enum

import strawberry

from db.catalog import TABLES, table

DESCRIPTIONS = {
    "Lead": "Orderings of leads; ties are broken by id in the same direction.",
    "Named": "Orderings by time or name; ties are broken by id.",
    "Time": "Orderings by time; ties are broken by id.",
    "Stage": "Orderings of pipeline stages; ties are broken by id.",
    "Campaign": "Orderings of campaigns; ties are broken by id.",
}


def _enum(group: str, names: list[str]) -> type[Enum]:
    members = Enum(f"{group}OrderBy", [(name.upper(), name) for name in names])  # type: ignore[misc]
    return strawberry.enum(members, description=DESCRIPTIONS[group])


ORDER_ENUMS: dict[str, type[Enum]] = {}
for _spec in TABLES.values():
    if _spec.ordering_group and _spec.ordering_group not in ORDER_ENUMS:
        ORDER_ENUMS[_spec.ordering_group] = _enum(_spec.ordering_group, list(_spec.orderings))


def order_enum(table_name: str) -> type[Enum]:
    """The enum of the orderings a connection of the table offers."""
    return ORDER_ENUMS[table(table_name).ordering_group]
