"""The catalog (db/catalog/) is the one description of what the API reads: the rest agrees with it, both ways."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import pytest
from graphql import GraphQLEnumType, GraphQLField, GraphQLInputObjectType, GraphQLObjectType, get_named_type
from strawberry.types.base import StrawberryOptional, get_object_definition
from strawberry.types.field import StrawberryField

from db.catalog import TABLES, FilterField, Kind, ToMany
from gql.enums import COLUMN_ENUMS
from gql.fast_path import CompiledReads
from gql.ids import global_id
from gql.registry import TABLE_OF_TYPE, TYPE_BY_NAME, TYPE_OF_TABLE
from gql.schema import build_schema
from gql.types.fields import tag_of
from resolvers.context import Limits

SCHEMA = build_schema()
GRAPHQL = SCHEMA._schema
READS = CompiledReads(SCHEMA, Limits())
# Resolver fields of entity types that are not catalog fields: the general path answers them, by design.
GENERAL_PATH_ONLY = {
    "Lead.scoreBreakdown",
    "LeadForm.submissions",
    "LeadForm.publicUrl",  # depends on the request's address when LEADGEN_PUBLIC_URL is not set
    "LeadForm.embedSnippet",
    "User.invitations",
    "WorkflowExecution.steps",
}
PG_TYPES = {
    Kind.UUID: "uuid",
    Kind.TEXT: "text",
    Kind.ENUM: "text",
    Kind.INT: "integer",
    Kind.BOOL: "boolean",
    Kind.TIMESTAMPTZ: "timestamp with time zone",
    Kind.DATE: "date",
    Kind.NUMERIC: "numeric",
    Kind.JSONB: "jsonb",
}


def _fields(cls: type) -> list[StrawberryField]:
    return get_object_definition(cls, strict=True).fields


def _plain(field: StrawberryField) -> bool:
    return field.base_resolver is None and field.python_name not in ("id", "row")


def _connections() -> list[tuple[str, str, GraphQLField]]:
    """(owner type, field name, field) of every connection field over a catalog table, root ones included."""
    found = []
    for type_name in ["Query", *TYPE_BY_NAME]:
        graphql_type = GRAPHQL.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        for name, field in graphql_type.fields.items():
            if "filter" in field.args:
                found.append((type_name, name, field))
    return found


def _target(field: GraphQLField) -> str:
    connection = get_named_type(field.type)
    assert isinstance(connection, GraphQLObjectType)
    return TABLE_OF_TYPE[get_named_type(connection.fields["nodes"].type).name]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def test_plain_fields_are_catalog_columns_and_catalog_columns_are_real(conn: asyncpg.Connection) -> None:
    rows = await conn.fetch(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'public'"
    )
    real = {(r["table_name"], r["column_name"]): r["data_type"] for r in rows}
    for type_name, cls in TYPE_BY_NAME.items():
        spec = TABLES[TABLE_OF_TYPE[type_name]]
        for field in _fields(cls):
            if _plain(field):
                assert field.python_name in spec.columns, f"{type_name}.{field.python_name} is not a catalog column"
    for spec in TABLES.values():
        for column, kind in spec.columns.items():
            assert real.get((spec.name, column)) == PG_TYPES[kind], f"{spec.name}.{column} is not a {kind} column"


def test_enum_columns_have_their_enum_on_the_type() -> None:
    for spec in TABLES.values():
        enums = [c for c, k in spec.columns.items() if k is Kind.ENUM] + [
            c for c, v in spec.computed.items() if v.kind is Kind.ENUM
        ]
        for column in enums:
            assert (spec.name, column) in COLUMN_ENUMS, f"{spec.name}.{column} has no enum in gql.enums.COLUMN_ENUMS"
    for (table_name, column), enum in COLUMN_ENUMS.items():
        field = next(f for f in _fields(TYPE_BY_NAME[TYPE_OF_TABLE[table_name]]) if f.python_name == column)
        shown = field.type.of_type if isinstance(field.type, StrawberryOptional) else field.type
        assert getattr(shown, "wrapped_cls", shown) is enum, f"{table_name}.{column}: not {enum.__name__} on the type"


def test_filters_and_orderings_of_connections_are_the_catalogs() -> None:
    for owner, name, field in _connections():
        spec = TABLES[_target(field)]
        filter_type = get_named_type(field.args["filter"].type)
        assert isinstance(filter_type, GraphQLInputObjectType)
        shown = [f for f in filter_type.fields if f not in ("and", "or", "not")]
        assert shown == [_camel(f) for f in spec.filters], f"{owner}.{name}: {filter_type.name}"
        order_type = get_named_type(field.args["orderBy"].type)
        assert isinstance(order_type, GraphQLEnumType)
        assert [v.value for v in order_type.values.values()] == list(spec.orderings), f"{owner}.{name}: orderings"
        assert spec.default_order in spec.orderings, f"{spec.name}: default order {spec.default_order}"


def test_every_catalog_filter_and_ordering_is_reachable() -> None:
    reachable_filters: set[tuple[str, str]] = set()
    reachable_orders: set[tuple[str, str]] = set()
    for _, _, field in _connections():
        spec = TABLES[_target(field)]
        reachable_filters |= {(spec.name, f) for f in spec.filters}
        reachable_orders |= {(spec.name, o) for o in spec.orderings}
    for spec in TABLES.values():
        for relation in spec.relations.values():
            if isinstance(relation, ToMany) and not relation.paginated:
                reachable_orders.add((relation.target, relation.default_order))
    declared_filters = {(s.name, f) for s in TABLES.values() for f in s.filters}
    declared_orders = {(s.name, o) for s in TABLES.values() for o in s.orderings}
    assert declared_filters - reachable_filters == set()
    assert declared_orders - reachable_orders == set()


def test_ordering_groups_are_the_same_orderings_and_filters_name_real_things() -> None:
    groups: dict[str, list[str]] = {}
    for spec in TABLES.values():
        if spec.ordering_group:
            assert groups.setdefault(spec.ordering_group, list(spec.orderings)) == list(spec.orderings), spec.name
        for api_name, f in spec.filters.items():
            assert f.column == "" or f.column in spec.columns, f"{spec.name}.{api_name}: no column {f.column}"
            assert (f.kind is Kind.UUID) == bool(f.refs), f"{spec.name}.{api_name}: an ID filter names its table"
            assert f.refs == "" or f.refs in TYPE_OF_TABLE, f"{spec.name}.{api_name}: {f.refs} has no type"


SAMPLES = {Kind.TEXT: "ad", Kind.INT: 3, Kind.TIMESTAMPTZ: "2026-01-01T00:00:00+00:00", Kind.DATE: "2026-01-01"}
# Operators an input offers that the catalog refuses: the general path answers them with an error.
REFUSED_OPERATORS = {("leads", "campaign", "neq"), ("leads", "campaign", "is_null")}


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _sample(spec: FilterField, table_name: str, api_name: str, operators: GraphQLInputObjectType | None) -> Any:
    """A value of the filter's input using every operator it offers (all of them allowed by the catalog)."""
    if spec.kind is Kind.JSONB:
        return [{"name": "tier", "eq": "gold", "in": ["a", 1]}, {"name": "size", "gt": 3, "isNull": False}]
    if operators is None:
        return True if spec.kind is Kind.BOOL else "garcia"
    if spec.kind is Kind.UUID:
        one: Any = global_id(TYPE_OF_TABLE[spec.refs], uuid.uuid4())
    elif spec.kind is Kind.ENUM:
        one = next(iter(COLUMN_ENUMS[(table_name, spec.column)])).name
    else:
        one = SAMPLES[spec.kind]
    value: dict[str, Any] = {}
    for name in operators.fields:
        op = _snake(name)
        if (table_name, api_name, op) in REFUSED_OPERATORS:
            assert op not in spec.ops
            continue
        assert op in spec.ops, f"{table_name}.{api_name}: the input offers {name}, the catalog refuses it"
        value[name] = [one] if op == "in" else (False if op == "is_null" else one)
    return value


def _query(owner: str, selection: str, variables: str = "") -> str:
    if owner == "Query":
        return f"query Q({variables}) {{ {selection} }}" if variables else f"{{ {selection} }}"
    declared = f"$id: ID!, {variables}" if variables else "$id: ID!"
    return f"query Q({declared}) {{ node(id: $id) {{ ... on {owner} {{ {selection} }} }} }}"


def _compiles(owner: str, selection: str, variables: dict[str, Any], declared: str = "") -> bool:
    if owner != "Query":
        variables = {**variables, "id": global_id(owner, uuid.uuid4())}
    return READS.compile_text(_query(owner, selection, declared), None, variables) is not None


@pytest.mark.parametrize(("owner", "name"), [(o, n) for o, n, _ in _connections()], ids=lambda v: v)
def test_every_connection_is_planned_with_every_filter_and_ordering(owner: str, name: str) -> None:
    field = next(f for o, n, f in _connections() if (o, n) == (owner, name))
    spec = TABLES[_target(field)]
    filter_type = get_named_type(field.args["filter"].type).name
    parts = "totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } nodes { id }"
    for order in spec.orderings:
        assert _compiles(owner, f"{name}(first: 2, orderBy: {order.upper()}) {{ {parts} }}", {}), (name, order)
    input_type = get_named_type(field.args["filter"].type)
    assert isinstance(input_type, GraphQLInputObjectType)
    for api_name, spec_filter in spec.filters.items():
        operators = get_named_type(input_type.fields[_camel(api_name)].type)
        sample = _sample(
            spec_filter, spec.name, api_name, operators if isinstance(operators, GraphQLInputObjectType) else None
        )
        value = {_camel(api_name): sample}
        selection = f"{name}(first: 2, filter: $f) {{ {parts} }}"
        assert _compiles(owner, selection, {"f": value}, f"$f: {filter_type}"), (name, api_name, value)


def test_catalog_fields_are_planned_and_the_others_are_the_known_general_path_ones() -> None:
    unplanned = set()
    for type_name, cls in TYPE_BY_NAME.items():
        for field in _fields(cls):
            graphql_name = _camel(field.python_name)
            if field.python_name == "row":
                continue
            shape = get_named_type(GRAPHQL.get_type(type_name).fields[graphql_name].type)  # type: ignore[union-attr]
            inner = "" if not isinstance(shape, GraphQLObjectType) else " { __typename }"
            if "Connection" in getattr(shape, "name", ""):
                inner = " { totalCount }"
            planned = _compiles(type_name, f"{graphql_name}{inner}", {})
            assert planned == (_plain(field) or field.python_name == "id" or tag_of(field) is not None), (
                f"{type_name}.{graphql_name}"
            )
            if not planned:
                unplanned.add(f"{type_name}.{graphql_name}")
    assert unplanned == GENERAL_PATH_ONLY
