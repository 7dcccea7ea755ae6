"""Plan a validated read operation for one SQL statement, when every field of it is understood.

The planner reads the operation the way graphql-core executes it (fragments, aliases, variables,
@include/@skip resolved by collect_fields), converts arguments with Strawberry exactly as the resolvers
receive them, and maps fields to the catalog: a plain field is the column of the same name, a field made
from the catalog (gql/types/fields.py) says in its metadata which relation, computed value or collection it
answers. Anything else raises `Unsupported`, and the operation goes through the general Strawberry +
DataLoader path.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLObjectType,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from db import plan as p
from db.catalog import ToMany, ToOne, table
from domain.errors import AppError
from gql.ids import parse_global_id
from gql.inputs.filters import to_filter_node
from gql.registry import TABLE_OF_TYPE, TYPE_OF_TABLE
from gql.types.fields import CallerRow, ComputedValue, RelatedConnection, Relation, RootConnection, RowById, tag_of
from resolvers.context import Limits
from resolvers.pagination import page_args

DEFINITION = "strawberry-definition"


class Unsupported(Exception):
    """The operation has something the compiled path does not handle; use the general path."""


class ReadPlanner:
    def __init__(self, schema: strawberry.Schema, limits: Limits) -> None:
        self._schema = schema
        self._graphql = schema._schema
        self._limits = limits

    def plan(self, document: DocumentNode, operation_name: str | None, variables: dict[str, Any]) -> p.ReadPlan:
        operation = self._operation(document, operation_name)
        fragments: dict[str, FragmentDetails] = {}
        for definition in document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                if definition.variable_definitions:
                    raise Unsupported("fragment variables")
                fragments[definition.name.value] = FragmentDetails(definition)
        values = get_variable_values(self._graphql, operation.variable_definitions or (), variables)
        if isinstance(values, list):
            raise Unsupported("invalid variables")
        walk = _Walk(self, fragments, values, operation)
        root = self._graphql.query_type
        assert root is not None
        collected = collect_fields(self._graphql, fragments, values, root, operation)
        if collected.new_defer_usages:
            raise Unsupported("@defer")
        fields = tuple(walk.root_field(key, details) for key, details in collected.grouped_field_set.items())
        if all(isinstance(field, p.Constant) for field in fields):
            # nothing to read (`{ __typename }`): the general path answers without opening a transaction
            raise Unsupported("no data")
        return p.ReadPlan(fields)

    @staticmethod
    def _operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operation_name is not None:
            operations = [o for o in operations if o.name is not None and o.name.value == operation_name]
        if len(operations) != 1 or operations[0].operation is not OperationType.QUERY:
            raise Unsupported("not a single query")
        return operations[0]


class _Walk:
    def __init__(
        self,
        planner: ReadPlanner,
        fragments: dict[str, FragmentDetails],
        values: VariableValues,
        operation: OperationDefinitionNode,
    ) -> None:
        self.planner = planner
        self.schema = planner._graphql
        self.fragments = fragments
        self.values = values
        self.operation = operation

    def subfields(self, parent: GraphQLObjectType, details: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
        collected = collect_subfields(self.schema, self.fragments, self.values, self.operation, parent, details)
        if collected.new_defer_usages:
            raise Unsupported("@defer")
        return collected.grouped_field_set

    def arguments(self, field: GraphQLField, details: list[FieldDetails]) -> dict[str, Any]:
        first = details[0]
        raw = get_argument_values(field, first.node, self.values, first.fragment_variable_values)
        definition = _definition(field)
        return convert_arguments(
            raw,
            definition.arguments,
            scalar_registry=self.planner._schema.schema_converter.scalar_registry,
            config=self.planner._schema.config,
        )

    def root_field(self, key: str, details: list[FieldDetails]) -> p.RootField:
        name = details[0].node.name.value
        if name == "__typename":
            return p.Constant(key, "Query")
        root = self.schema.query_type
        assert root is not None
        field = root.fields[name]
        tag = tag_of(_definition(field))
        if isinstance(tag, RootConnection):
            return self.connection(key, field, details, None)
        if isinstance(tag, CallerRow):
            return p.CallerRow(key, tag.table, self.selection(TYPE_OF_TABLE[tag.table], field, details))
        if isinstance(tag, RowById):
            parsed = parse_global_id(str(self.arguments(field, details)["id"]))
            if parsed is None or parsed[0] not in TABLE_OF_TYPE or tag.only not in (None, parsed[0]):
                raise Unsupported("an ID the general path must judge")
            type_name, row_id = parsed
            return p.RowById(key, TABLE_OF_TYPE[type_name], str(row_id), self.selection(type_name, field, details))
        raise Unsupported(f"root field {name}")

    def selection(self, type_name: str, field: GraphQLField, details: list[FieldDetails]) -> p.Selection:
        graphql_type = self.schema.get_type(type_name)
        assert isinstance(graphql_type, GraphQLObjectType)
        table_name = TABLE_OF_TYPE[type_name]
        spec = table(table_name)
        fields: list[p.Field] = []
        for key, sub in self.subfields(graphql_type, details).items():
            name = sub[0].node.name.value
            if name == "__typename":
                fields.append(p.Constant(key, type_name))
                continue
            sub_field = graphql_type.fields[name]
            definition = _definition(sub_field)
            python_name, tag = definition.python_name, tag_of(definition)
            if python_name == "id":
                fields.append(p.GlobalId(key, type_name))
            elif definition.base_resolver is None and python_name in spec.columns:
                fields.append(p.Column(key, python_name, spec.columns[python_name]))
            elif isinstance(tag, Relation | RelatedConnection):
                fields.append(self.relation(key, sub_field, sub, spec.relations[tag.name]))
            elif isinstance(tag, ComputedValue):
                computed = spec.computed[tag.name]
                fields.append(p.ComputedValue(key, computed.expr, computed.kind))
            else:
                raise Unsupported(f"{type_name}.{name}")
        return p.Selection(table_name, tuple(fields))

    def relation(self, key: str, field: GraphQLField, details: list[FieldDetails], relation: ToOne | ToMany) -> p.Field:
        target_type = TYPE_OF_TABLE[relation.target]
        if isinstance(relation, ToOne):
            return p.One(key, relation, self.selection(target_type, field, details))
        if not relation.paginated:
            return p.Many(key, relation, self.selection(target_type, field, details))
        return self.connection(key, field, details, relation)

    def connection(
        self, key: str, field: GraphQLField, details: list[FieldDetails], relation: ToMany | None
    ) -> p.Connection:
        connection_type = get_named_type(field.type)
        assert isinstance(connection_type, GraphQLObjectType)
        node_type = get_named_type(connection_type.fields["nodes"].type).name
        table_name = TABLE_OF_TYPE[node_type]
        kwargs = self.arguments(field, details)
        order = kwargs.get("order_by")
        try:
            args = page_args(
                table(table_name),
                to_filter_node(kwargs.get("filter")),
                order.value if order is not None else None,
                kwargs.get("first"),
                kwargs.get("after"),
                self.planner._limits,
            )
        except AppError as exc:  # the general path reports it, with its path and locations
            raise Unsupported("invalid arguments") from exc
        parts = [
            self.connection_part(part_key, sub, connection_type, node_type)
            for part_key, sub in self.subfields(connection_type, details).items()
        ]
        return p.Connection(key, table_name, args, tuple(parts), relation)

    def connection_part(
        self, key: str, details: list[FieldDetails], connection_type: GraphQLObjectType, node_type: str
    ) -> p.ConnectionPart:
        name = details[0].node.name.value
        if name == "__typename":
            return p.ConnectionPart(key, name, constant=connection_type.name)
        field = connection_type.fields[name]
        if name == "nodes":
            return p.ConnectionPart(key, name, selection=self.selection(node_type, field, details))
        if name == "totalCount":
            return p.ConnectionPart(key, name)
        sub_type = get_named_type(field.type)
        assert isinstance(sub_type, GraphQLObjectType)
        if name == "pageInfo":
            info = tuple(
                p.PageInfoPart(k, d[0].node.name.value, sub_type.name if d[0].node.name.value == "__typename" else None)
                for k, d in self.subfields(sub_type, details).items()
            )
            return p.ConnectionPart(key, name, page_info_parts=info)
        edges: list[p.EdgePart] = []
        for edge_key, sub in self.subfields(sub_type, details).items():
            edge_name = sub[0].node.name.value
            if edge_name == "node":
                edges.append(p.EdgePart(edge_key, edge_name, self.selection(node_type, sub_type.fields["node"], sub)))
            elif edge_name == "__typename":
                edges.append(p.EdgePart(edge_key, edge_name, constant=sub_type.name))
            else:
                edges.append(p.EdgePart(edge_key, edge_name))
        return p.ConnectionPart(key, name, edge_parts=tuple(edges))


def _definition(field: GraphQLField) -> StrawberryField:
    definition = (field.extensions or {}).get(DEFINITION)
    if not isinstance(definition, StrawberryField):
        raise Unsupported("a field without a Strawberry definition")
    return definition
