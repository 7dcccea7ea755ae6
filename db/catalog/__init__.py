"""The catalog: what both read paths (and the writes) know of each table the API serves."""

from __future__ import annotations

from db.catalog import automation, campaigns, forms, leads, people  # noqa: F401 - each registers its tables
from db.catalog.model import (
    TABLES,
    Computed,
    Expr,
    FilterField,
    Kind,
    Ordering,
    Table,
    Test,
    ToMany,
    ToOne,
    table,
)

__all__ = [
    "TABLES",
    "Computed",
    "Expr",
    "FilterField",
    "Kind",
    "Ordering",
    "Table",
    "Test",
    "ToMany",
    "ToOne",
    "table",
]
