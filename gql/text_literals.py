"""A validation rule: string literals in the document may not hold NUL characters (Postgres stores none)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError, StringValueNode, ValidationRule


class NoNulInStringLiterals(ValidationRule):
    """Refuses `"a\\u0000b"` where it is written, instead of a database error without a field later."""

    def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
        if "\x00" in node.value:
            self.report_error(GraphQLError("text must not contain NUL (\\u0000) characters", node))
