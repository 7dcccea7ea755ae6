"""The cost of an operation before it runs: how many objects its response may hold at most.

Every object a field can return counts once per parent: a connection's `nodes`/`edges` count its page size
(`first`, or the default page size) per parent, a plain list counts the length of its `ids` argument or an
estimate (the default page size: such lists are short by nature), a to-one field counts one. Nested counts
multiply; aliases and fragments add up as graphql-core merges them (a field selected twice under one key
counts once). Introspection is left out: it is static, and MaxIntrospectionDepthRule bounds its nesting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
)
from graphql.execution.collect_fields import FieldDetails, FragmentDetails, collect_fields, collect_subfields
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.language import DocumentNode, FragmentDefinitionNode


@dataclass(frozen=True)
class CostLimits:
    max_cost: int = 50_000
    default_page_size: int = 20
    max_page_size: int = 100  # a larger `first` is refused by its field, with its name: count it as the maximum
    # a list without paging arguments (form fields, workflow steps, score breakdowns): this many objects per parent
    list_estimate: int = 20


class CostError(Exception):
    """The operation's variables do not fit its definitions: the general path reports it as usual."""


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: dict[str, Any],
    limits: CostLimits,
) -> int:
    fragments = {
        d.name.value: FragmentDetails(d) for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    values = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(values, list):
        raise CostError("the variables do not fit the operation")
    root = _root_type(schema, operation.operation)
    try:
        collected = collect_fields(schema, fragments, values, root, operation)
    except GraphQLError as exc:
        raise CostError(str(exc)) from exc
    walk = _Walk(schema, fragments, values, operation, limits)
    return walk.fields(root, collected.grouped_field_set, 1, None)


def _root_type(schema: GraphQLSchema, kind: OperationType) -> GraphQLObjectType:
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
        OperationType.SUBSCRIPTION: schema.subscription_type,
    }[kind]
    if root is None:
        raise CostError(f"the schema has no {kind.value} type")
    return root


def _is_connection(type_: Any) -> bool:
    return isinstance(type_, GraphQLObjectType) and "pageInfo" in type_.fields and "nodes" in type_.fields


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDetails],
        values: VariableValues,
        operation: OperationDefinitionNode,
        limits: CostLimits,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.values = values
        self.operation = operation
        self.limits = limits

    def fields(
        self, parent: GraphQLObjectType, grouped: dict[str, list[FieldDetails]], parents: int, page: int | None
    ) -> int:
        """The objects under `parents` objects of type `parent`; `page` is set inside a connection."""
        total = 0
        for details in grouped.values():
            name = details[0].node.name.value
            if name.startswith("__"):
                continue
            field = parent.fields[name]
            named = get_named_type(field.type)
            if not is_composite_type(named):
                continue
            rows = parents * self._per_parent(field, details, page)
            total += rows
            inner_page = self._page_size(field, details) if _is_connection(named) else None
            types: list[GraphQLObjectType] = (
                list(self.schema.get_possible_types(named)) if is_abstract_type(named) else [named]  # type: ignore[list-item]
            )
            total += max(
                (self.fields(t, self._subfields(t, details), rows, inner_page) for t in types),
                default=0,
            )
        return total

    def _subfields(self, type_: Any, details: list[FieldDetails]) -> dict[str, list[FieldDetails]]:
        assert isinstance(type_, GraphQLObjectType)
        try:
            collected = collect_subfields(self.schema, self.fragments, self.values, self.operation, type_, details)
        except GraphQLError as exc:
            raise CostError(str(exc)) from exc
        return collected.grouped_field_set

    def _arguments(self, field: GraphQLField, details: list[FieldDetails]) -> dict[str, Any]:
        first = details[0]
        try:
            return get_argument_values(field, first.node, self.values, first.fragment_variable_values)
        except GraphQLError as exc:
            raise CostError(str(exc)) from exc

    def _page_size(self, field: GraphQLField, details: list[FieldDetails]) -> int:
        first = self._arguments(field, details).get("first")
        if first is None:
            return self.limits.default_page_size
        return min(max(0, int(first)), self.limits.max_page_size)

    def _per_parent(self, field: GraphQLField, details: list[FieldDetails], page: int | None) -> int:
        if not isinstance(get_nullable_type(field.type), GraphQLList):
            return 1
        if page is not None:  # a connection's nodes or edges
            return page
        ids = self._arguments(field, details).get("ids") if "ids" in field.args else None
        return len(ids) if isinstance(ids, list) else self.limits.list_estimate
