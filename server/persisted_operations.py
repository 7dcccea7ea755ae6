"""Documents named by hash: Apollo's automatic persisted queries, and trusted documents (an allow-list).

A client may send `extensions.persistedQuery.sha256Hash` without the query: the server answers from its
document cache, or from the trusted documents registered with `leadgen operations add`; otherwise
PERSISTED_QUERY_NOT_FOUND, and the client sends the text with the hash once (Apollo's protocol). With
`operations = "trusted"` only trusted documents run (in development, tools that say `x-leadgen-tool` may
run others, so GraphiQL keeps working).
"""

from __future__ import annotations

import asyncpg

from db.failures import PoolExhausted
from gql.documents import DocumentCache, PreparedDocument, document_hash
from server.graphql_request import GraphQLRequest
from server.responses import Answer, error_answer

TRUSTED_OPERATION = "select leadgen.trusted_operation($1)"
TOOL_HEADER = "x-leadgen-tool"
HEX = frozenset("0123456789abcdef")


class PersistedOperations:
    """Turns a request's query or hash into a prepared document, or the answer that refuses it."""

    def __init__(self, documents: DocumentCache, pool: asyncpg.Pool, *, trusted_only: bool, acquire_timeout: float):
        self._documents = documents
        self._pool = pool
        self.trusted_only = trusted_only
        self._acquire_timeout = acquire_timeout
        self._trusted: set[str] = set()  # hashes known to be trusted (the registry only grows while we run)

    async def resolve(self, gql: GraphQLRequest, *, tool: bool) -> PreparedDocument | Answer:
        named = gql.persisted_hash
        if named is not None and (len(named) != 64 or not set(named) <= HEX):
            return error_answer(400, "persistedQuery.sha256Hash must be 64 hex digits", "BAD_USER_INPUT")
        if gql.query is not None:
            if named is not None and document_hash(gql.query) != named:
                return error_answer(
                    400,
                    "the query's SHA-256 is not persistedQuery.sha256Hash",
                    "BAD_USER_INPUT",
                    reason="HASH_MISMATCH",
                )
            prepared = self._documents.prepare(gql.query)
            if self.trusted_only and not tool and not await self._is_trusted(prepared.key):
                return error_answer(
                    403, "this server runs registered operations only", "FORBIDDEN", reason="OPERATION_NOT_TRUSTED"
                )
            return prepared
        assert named is not None  # the request reader refuses a request with neither
        cached = self._documents.cached(named)
        if cached is not None and (not self.trusted_only or tool or await self._is_trusted(named)):
            return cached
        body = await self._trusted_body(named)
        if body is not None and document_hash(body) == named:
            self._trusted.add(named)
            return self._documents.prepare(body)
        # Apollo's clients look for this message and code, then send the query with its hash
        return error_answer(200, "PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")

    async def _is_trusted(self, key: str) -> bool:
        if key in self._trusted:
            return True
        body = await self._trusted_body(key)
        if body is not None:
            self._trusted.add(key)
        return body is not None

    async def _trusted_body(self, key: str) -> str | None:
        try:
            async with self._pool.acquire(timeout=self._acquire_timeout) as conn:
                body = await conn.fetchval(TRUSTED_OPERATION, key)
        except TimeoutError:
            raise PoolExhausted("no database connection became free to look up a persisted query") from None
        return body if isinstance(body, str) else None
