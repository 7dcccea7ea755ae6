"""What a catalog entry says: columns, relations, computed values, filters and orderings of a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from db.sql import Sql, ident


class Kind(Enum):
    """How a column's value is typed in SQL, filtered, and rendered as JSON."""

    UUID = "uuid"
    TEXT = "text"
    ENUM = "enum"  # text holding lower_snake values; GraphQL shows them UPPER_SNAKE
    INT = "integer"
    BOOL = "boolean"
    TIMESTAMPTZ = "timestamptz"
    DATE = "date"
    NUMERIC = "numeric"  # rendered as a string, exact
    JSONB = "jsonb"
    FLOAT = "double precision"  # computed values only (ratios)


# An SQL expression of a row, given the row's table alias.
Expr = Callable[[str], Sql]
# A condition of a row (its alias) on an operand (see FilterField).
Test = Callable[[str, Sql], Sql]


@dataclass(frozen=True)
class ToOne:
    """This row's `fk` column points at `target.id`."""

    target: str
    fk: str


@dataclass(frozen=True)
class ToMany:
    """Rows of `target` whose `fk` column points at this row's id; or, with `via`, rows of `target`
    linked through the join table `via` (`via_fk` -> this row, `via_target_fk` -> target)."""

    target: str
    fk: str = ""
    via: str = ""
    via_fk: str = ""
    via_target_fk: str = ""
    paginated: bool = True  # a connection; False: a plain list in `default_order`
    default_order: str = ""


ID_OPS = frozenset({"eq", "neq", "in", "is_null"})
TEXT_OPS = frozenset({"eq", "neq", "in", "is_null", "contains", "starts_with"})
ENUM_OPS = frozenset({"eq", "neq", "in"})
RANGE_OPS = frozenset({"eq", "neq", "in", "gt", "gte", "lt", "lte", "is_null"})
BOOL_OPS = frozenset({"eq"})
SEARCH_OPS = frozenset({"search"})
# on a key of a JSON object (custom fields): equality and `in`, ranges (numbers, dates), an option of a list
JSON_KEY_OPS = frozenset({"eq", "in", "gt", "gte", "lt", "lte", "contains", "is_null"})


@dataclass(frozen=True)
class FilterField:
    """A filter of a collection, under its API name (its key in Table.filters; the filter input's field).

    Either a column compared by the operators `ops` allows, or a condition `test(alias, operand)`: the operand
    is the bound value, or with `any_of` the comparison `= any(<values>)` of eq and in. `refs` names the table
    whose ids an ID filter takes; `description` is the input field's."""

    kind: Kind
    ops: frozenset[str]
    column: str = ""
    test: Test | None = None
    any_of: bool = False
    refs: str = ""
    description: str = ""

    def expr(self, alias: str) -> Sql:
        return Sql(f"{alias}.{self.column}")


@dataclass(frozen=True)
class Ordering:
    """A sort key (never null) and its direction; ties broken by id in the same direction."""

    key: Expr
    kind: Kind
    descending: bool


@dataclass(frozen=True)
class Computed:
    """A value computed in SQL for each row, never stored.

    The compiled read path inlines `expr`; the general path loads every computed value of a batch of rows in
    one statement (sql_builder.computed_by_ids_sql), so both answer alike."""

    expr: Expr
    kind: Kind


@dataclass(frozen=True)
class Table:
    """A table as the API reads it. Orderings of one `ordering_group` (the API's `<group>OrderBy` enum) are the
    same for every table of the group; a table without a group is read only in lists, in their default order."""

    name: str
    columns: dict[str, Kind]
    relations: dict[str, ToOne | ToMany] = field(default_factory=dict)
    computed: dict[str, Computed] = field(default_factory=dict)
    filters: dict[str, FilterField] = field(default_factory=dict)
    orderings: dict[str, Ordering] = field(default_factory=dict)
    ordering_group: str = ""
    default_order: str = "created_at_desc"

    @property
    def qualified(self) -> str:
        return f"public.{self.name}"


U, T, E, I, B, TS, D, N, J = (  # noqa: E741 - short names keep the column tables readable
    Kind.UUID,
    Kind.TEXT,
    Kind.ENUM,
    Kind.INT,
    Kind.BOOL,
    Kind.TIMESTAMPTZ,
    Kind.DATE,
    Kind.NUMERIC,
    Kind.JSONB,
)
STAMPS = {"created_at": TS, "updated_at": TS}
SCOPE = {"user_id": U, "space_id": U}
# The operators of a column filter, by the column's kind.
OPS = {U: ID_OPS, T: TEXT_OPS, E: ENUM_OPS, I: RANGE_OPS, TS: RANGE_OPS, D: RANGE_OPS, B: BOOL_OPS, J: JSON_KEY_OPS}


def on(column: str) -> Expr:
    """The column of the row: `alias.column`."""
    name = ident(column)
    return lambda t: Sql(f"{t}.{name}")


def col(column: str, kind: Kind, *, refs: str = "", description: str = "") -> FilterField:
    """A filter on a column, with the operators of its kind (IDs name the table they refer to)."""
    return FilterField(kind, OPS[kind], column=column, refs=refs, description=description)


def ownership(table_name: str) -> dict[str, FilterField]:
    """id, space and owner filters of a table whose rows belong to a user and, optionally, a space."""
    return {
        "id": col("id", U, refs=table_name),
        "space": col("space_id", U, refs="spaces"),
        "owner": col("user_id", U, refs="profiles"),
    }


def timestamps() -> dict[str, FilterField]:
    return {"created_at": col("created_at", TS), "updated_at": col("updated_at", TS)}


def created_orderings() -> dict[str, Ordering]:
    return {
        "created_at_desc": Ordering(on("created_at"), TS, True),
        "created_at_asc": Ordering(on("created_at"), TS, False),
    }


def time_orderings() -> dict[str, Ordering]:
    return {
        **created_orderings(),
        "updated_at_desc": Ordering(on("updated_at"), TS, True),
        "updated_at_asc": Ordering(on("updated_at"), TS, False),
    }


def name_orderings(column: str = "name") -> dict[str, Ordering]:
    name = ident(column)

    def key(t: str) -> Sql:
        return Sql(f"lower({t}.{name})")

    return {"name_asc": Ordering(key, T, False), "name_desc": Ordering(key, T, True)}


def owned_relations() -> dict[str, ToOne | ToMany]:
    return {"owner": ToOne("profiles", "user_id"), "space": ToOne("spaces", "space_id")}


TABLES: dict[str, Table] = {}


def register(spec: Table) -> Table:
    """Add a table to the catalog; its names must be plain SQL names (they are written into statements)."""
    names = [spec.name, *spec.columns, *(f.column for f in spec.filters.values() if f.column)]
    for relation in spec.relations.values():
        names += [relation.target, relation.fk]
        if isinstance(relation, ToMany):
            names += [relation.via, relation.via_fk, relation.via_target_fk]
    for name in names:
        if name:
            ident(name)
    TABLES[spec.name] = spec
    return spec


def table(name: str) -> Table:
    return TABLES[name]
