"""Parse and validate a GraphQL document once per request, caching by the text's hash within a byte budget."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import ASTValidationRule
from strawberry.extensions import SchemaExtension

from gql.bounded_cache import BoundedCache

# What a parsed document costs in memory, per character of its text (measured with tracemalloc on the
# differential corpus: ~80 bytes), plus a fixed overhead per entry.
AST_BYTES_PER_CHAR = 100
ENTRY_OVERHEAD_BYTES = 2_000
# Documents longer than this are parsed for their request and forgotten: a cache of huge distinct
# documents would be a memory sink, and real clients' operations are far smaller.
MAX_CACHED_QUERY_CHARS = 20_000


@dataclass(frozen=True)
class PreparedDocument:
    """A document as parsed and validated for this schema: `errors` is empty when it may run."""

    key: str  # sha256 (hex) of the text, as Apollo's persisted queries name it: the key of every dependent cache
    document: DocumentNode | None  # None when it does not parse
    errors: tuple[GraphQLError, ...]
    text: str = ""

    @property
    def valid(self) -> bool:
        return self.document is not None and not self.errors

    def operation(self, name: str | None) -> OperationDefinitionNode | None:
        """The operation GraphQL would run (None when there is none, or several and no name)."""
        if self.document is None:
            return None
        operations = [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]
        if name is None:
            return operations[0] if len(operations) == 1 else None
        return next((op for op in operations if op.name is not None and op.name.value == name), None)

    def operation_problem(self, name: str | None) -> str | None:
        """Why the request names no runnable operation, or None when it does (or the document does not parse)."""
        if self.document is None:
            return None
        operations = [d for d in self.document.definitions if isinstance(d, OperationDefinitionNode)]
        if not operations:
            return "the document contains no operation"
        if name is None and len(operations) > 1:
            return "the document contains several operations: say which in operationName"
        if self.operation(name) is None:
            return f"the document has no operation named {name!r}"
        return None

    def operation_type(self, name: str | None) -> OperationType | None:
        operation = self.operation(name)
        return None if operation is None else operation.operation


class DocumentCache:
    """Parsed and validated documents of one schema, shared by both read paths and Strawberry's execution."""

    def __init__(
        self,
        schema: GraphQLSchema,
        rules: Sequence[type[ASTValidationRule]],
        *,
        max_tokens: int | None,
        hide_suggestions: bool = False,
        max_entries: int = 1024,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self._schema = schema
        self.rules: tuple[type[ASTValidationRule], ...] = (*specified_rules, *rules)
        self._max_tokens = max_tokens
        self.hide_suggestions = hide_suggestions
        self._cache: BoundedCache[PreparedDocument] = BoundedCache(
            max_entries, max_bytes, max_item_bytes=MAX_CACHED_QUERY_CHARS * AST_BYTES_PER_CHAR + ENTRY_OVERHEAD_BYTES
        )

    @property
    def cache(self) -> BoundedCache[PreparedDocument]:
        return self._cache

    def prepare(self, query: str) -> PreparedDocument:
        key = document_hash(query)
        if len(query) > MAX_CACHED_QUERY_CHARS:
            return self._prepare(key, query)
        return self._cache.get_or_create(
            key, lambda: (self._prepare(key, query), len(query) * (AST_BYTES_PER_CHAR + 1) + ENTRY_OVERHEAD_BYTES)
        )

    def cached(self, key: str) -> PreparedDocument | None:
        """The document with this hash, if one was prepared recently (a persisted query's text need not be sent)."""
        return self._cache.get(key)

    def _prepare(self, key: str, query: str) -> PreparedDocument:
        try:
            document = parse(query, max_tokens=self._max_tokens)
        except GraphQLError as error:
            return PreparedDocument(key, None, (error,), query)
        errors = validate(self._schema, document, self.rules, hide_suggestions=self.hide_suggestions)
        return PreparedDocument(key, document, tuple(errors), query)


def document_hash(query: str) -> str:
    """SHA-256 (hex) of a document's text: what Apollo's automatic persisted queries and trusted documents use."""
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


class UsePreparedDocument(SchemaExtension):
    """Strawberry's parse and validate steps take the request's prepared document instead of doing the work again.

    The endpoint prepares the document before choosing a read path (it needs it for the cost limit); the
    context carries it here. Without one (a direct `schema.execute`), the schema's cache prepares it."""

    def __init__(self, documents: DocumentCache) -> None:
        super().__init__()
        self._documents = documents

    def _prepared(self) -> PreparedDocument | None:
        context: Any = self.execution_context.context
        prepared = getattr(context, "document", None)
        if isinstance(prepared, PreparedDocument):
            return prepared
        query = self.execution_context.query
        return self._documents.prepare(query) if query else None

    def on_parse(self) -> Iterator[None]:
        prepared = self._prepared()
        if prepared is not None and prepared.document is not None:
            self.execution_context.graphql_document = prepared.document
        # a document that does not parse is left to Strawberry, which reports the syntax error its own way
        yield

    def on_validate(self) -> Iterator[None]:
        prepared = self._prepared()
        if prepared is not None:
            self.execution_context.pre_execution_errors = list(prepared.errors)
        yield
