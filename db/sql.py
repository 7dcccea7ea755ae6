"""SQL from parts: values kept apart from the text and numbered when rendered; literals and names checked."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def ident(name: str) -> str:
    """A table, column, alias or schema name as SQL text: plain lower-case names only, which need no quotes."""
    if len(name) > 63 or _NAME.fullmatch(name) is None:
        raise ValueError(f"not a plain SQL name: {name!r}")
    return name


def literal(text: str) -> str:
    """A SQL string literal. Doubling quotes is enough with standard_conforming_strings (db.pool pins it on)."""
    if "\x00" in text:
        raise ValueError("NUL in a SQL literal")
    return "'" + text.replace("'", "''") + "'"


class Param:
    """A value bound as `$n::pg_type`. Identity matters: one Param written twice in a statement is bound once.

    A named Param is a slot: its value comes when the statement runs (Rendered.args), such as the parent ids of
    a DataLoader's batch, so that one rendered statement serves every batch."""

    __slots__ = ("name", "pg_type", "value")

    def __init__(self, value: Any, pg_type: str, name: str = "") -> None:
        self.value = value
        self.pg_type = pg_type
        self.name = name


class Sql:
    """A piece of SQL: text and Params in order. Pieces nest; `render` numbers the placeholders."""

    __slots__ = ("parts",)

    def __init__(self, *parts: str | Sql | Param) -> None:
        flat: list[str | Param] = []
        for part in parts:
            if isinstance(part, Sql):
                flat.extend(part.parts)
            elif isinstance(part, Param) or part:
                flat.append(part)
        self.parts: tuple[str | Param, ...] = tuple(flat)

    def __add__(self, other: str | Sql) -> Sql:
        return Sql(self, other)

    def __radd__(self, other: str) -> Sql:
        return Sql(other, self)

    def join(self, items: Iterable[str | Sql]) -> Sql:
        """The items with this piece between each two (like str.join)."""
        parts: list[str | Sql] = []
        for item in items:
            if parts:
                parts.append(self)
            parts.append(item)
        return Sql(*parts)

    def render(self) -> Rendered:
        """The text with `$1`, `$2`, ... and the Params they stand for: slots first, then bound values, each in
        order of first appearance."""
        params: list[Param] = []
        for part in self.parts:
            if isinstance(part, Param) and part.name and all(part is not p for p in params):
                params.append(part)
        numbers = {id(param): n for n, param in enumerate(params, start=1)}
        text: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                text.append(part)
                continue
            number = numbers.get(id(part))
            if number is None:
                params.append(part)
                number = numbers[id(part)] = len(params)
            text.append(f"${number}::{part.pg_type}")
        return Rendered("".join(text), tuple(params))


@dataclass(frozen=True)
class Rendered:
    """A statement's text and its parameters, in placeholder order."""

    text: str
    params: tuple[Param, ...]

    @property
    def values(self) -> list[Any]:
        """The bound values of a statement without slots."""
        return self.args()

    def args(self, **slots: Any) -> list[Any]:
        """The bound values, with the value of each slot given by name."""
        missing = {p.name for p in self.params if p.name and p.name not in slots}
        if missing:
            raise ValueError(f"no value for the slots {sorted(missing)}")
        return [slots[p.name] if p.name else p.value for p in self.params]


def value(given: Any, pg_type: str) -> Sql:
    """A bound value: `$n::pg_type` once rendered."""
    return Sql(Param(given, pg_type))


def slot(name: str, pg_type: str) -> Param:
    """A placeholder whose value is given when the statement runs (Rendered.args(name=...))."""
    return Param(None, pg_type, name)
