"""Production introspection: no schema, and of `__type(name:)` only its name and kind.

Clients and conformance checks ask `__type(name: "...") { name }` to see that a server speaks GraphQL; that
reveals no more than whether a type of that name exists. Fields, arguments, enum values and the schema stay
hidden (with name suggestions also off), as with introspection disabled.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule

ALLOWED_TYPE_FIELDS = frozenset({"name", "kind", "__typename"})


class NarrowIntrospection(ValidationRule):
    def enter_field(self, node: FieldNode, *_args: Any) -> None:
        name = node.name.value
        if name == "__schema":
            self.report_error(GraphQLError("GraphQL introspection is not allowed here", node))
        elif name == "__type" and node.selection_set is not None:
            for selection in node.selection_set.selections:
                if not isinstance(selection, FieldNode) or selection.name.value not in ALLOWED_TYPE_FIELDS:
                    self.report_error(GraphQLError("GraphQL introspection is not allowed here", node))
                    return
