"""The compiled read path: a validated query becomes one cached SQL statement returning the response JSON."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from typing import Any

import strawberry
from graphql import DocumentNode, GraphQLError, parse, specified_rules
from graphql.validation import ASTValidationRule
from strawberry.extensions import AddValidationRules, MaxTokensLimiter
from strawberry.schema.schema import validate_document

from db.compiler import CompiledQuery, TooWide, compile_plan
from db.sql_builder import InvalidCursor
from gql.planner import ReadPlanner, Unsupported
from resolvers.context import Limits

_MISSING = object()


class _Lru(OrderedDict[Any, Any]):
    def __init__(self, size: int) -> None:
        super().__init__()
        self._size = size
        self._lock = threading.Lock()

    def get_or(self, key: Any) -> Any:
        with self._lock:
            value = super().get(key, _MISSING)
            if value is not _MISSING:
                self.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self[key] = value
            self.move_to_end(key)
            while len(self) > self._size:
                self.popitem(last=False)


class CompiledReads:
    """Decides, per (query, operation, variables), whether one SQL statement can answer it, and how."""

    def __init__(self, schema: strawberry.Schema, limits: Limits, cache_size: int = 2048) -> None:
        self._schema = schema
        self._planner = ReadPlanner(schema, limits)
        rules: list[type[ASTValidationRule]] = list(specified_rules)
        self._max_tokens: int | None = None
        # the same validation as Strawberry's execution: its limit extensions become rules here too
        for factory in schema.extensions:
            extension = factory()
            if isinstance(extension, AddValidationRules):
                rules.extend(extension.validation_rules)
            elif isinstance(extension, MaxTokensLimiter):
                self._max_tokens = extension.max_token_count
        self._rules = tuple(rules)
        self._documents = _Lru(cache_size)
        self._compiled = _Lru(cache_size)

    def _document(self, query: str) -> DocumentNode | None:
        """The parsed document if it is valid (else None: the general path reports the errors)."""
        document = self._documents.get_or(query)
        if document is _MISSING:
            try:
                parsed = parse(query, max_tokens=self._max_tokens)
                errors: list[GraphQLError] = validate_document(self._schema._schema, parsed, self._rules)
                document = None if errors else parsed
            except GraphQLError:
                document = None
            self._documents.put(query, document)
        return document if isinstance(document, DocumentNode) else None

    def compile(self, query: str, operation_name: str | None, variables: dict[str, Any]) -> CompiledQuery | None:
        try:
            key = (query, operation_name, json.dumps(variables, sort_keys=True, default=str))
        except (TypeError, ValueError):
            return None
        compiled = self._compiled.get_or(key)
        if compiled is _MISSING:
            compiled = None
            document = self._document(query)
            if document is not None:
                try:
                    compiled = compile_plan(self._planner.plan(document, operation_name, variables))
                except (Unsupported, TooWide, InvalidCursor, ValueError):
                    # the general path answers (a forged cursor is reported there, with its path)
                    compiled = None
            self._compiled.put(key, compiled)
        return compiled if isinstance(compiled, CompiledQuery) else None
