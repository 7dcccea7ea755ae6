"""Turn create/patch inputs into column values: IDs decoded, enums stored as text, each value validated."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from strawberry import UNSET

from domain.errors import bad_input
from gql.ids import decode_id

Validator = Callable[[Any, str], Any]


@dataclass(frozen=True)
class Column:
    """Where an input field goes: a column, the node type its ID must be, and a validator."""

    name: str
    id_type: str | tuple[str, ...] | None = None
    validate: Validator | None = None
    required: bool = False  # may not be set to null


# input class -> {python field name: Column}
INPUT_COLUMNS: dict[type, dict[str, Column]] = {}


def columns_of(cls: type, columns: dict[str, Column]) -> None:
    INPUT_COLUMNS[cls] = columns


def to_values(value: Any, path: str = "input") -> dict[str, Any]:
    """The columns to write; fields left out (UNSET) are not written, explicit nulls are."""
    values: dict[str, Any] = {}
    for name, column in INPUT_COLUMNS[type(value)].items():
        given = getattr(value, name)
        if given is UNSET:
            continue
        field = f"{path}.{_camel(name)}"
        if given is None:
            if column.required:
                raise bad_input(field, f"{field}: must not be null")
            values[column.name] = None
            continue
        if isinstance(given, Enum):
            given = given.value
        if column.id_type is not None:
            given = decode_id(str(given), column.id_type, field)
        if column.validate is not None:
            given = column.validate(given, field)
        values[column.name] = given
    return values


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
