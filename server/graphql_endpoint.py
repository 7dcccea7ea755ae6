"""POST/GET /graphql: negotiate, authenticate, resolve persisted documents, run one operation or a batch."""

from __future__ import annotations

import hashlib
import logging

import asyncpg
from graphql import FieldNode
from starlette.requests import Request
from starlette.responses import Response

from db.failures import is_unavailable, outage_reason
from db.session import Caller
from gql.documents import PreparedDocument
from gql.errors import quiet_strawberry_error_log
from gql.schema import LeadgenSchema
from server.auth import TokenError, TokenVerifier
from server.endpoint_config import EndpointConfig, Timeouts
from server.graphiql_page import graphiql_response
from server.graphql_request import GraphQLRequest, RequestError, read_graphql_request
from server.media_types import negotiate
from server.operation_runner import (
    READ_PATH_HEADER,
    STATEMENTS_HEADER,
    Operation,
    OperationRunner,
    cost_refusal,
)
from server.persisted_operations import TOOL_HEADER, PersistedOperations
from server.responses import Answer, batch_response, error_answer, error_response, unavailable

__all__ = ["READ_PATH_HEADER", "STATEMENTS_HEADER", "EndpointConfig", "GraphQLEndpoint", "Timeouts"]

log = logging.getLogger("leadgen.http")
quiet_strawberry_error_log()  # no client document (nor a secret given inline in it) in the server's log

# Root fields whose answer is the same for everyone and changes rarely: cacheable by shared caches for a minute.
PUBLIC_ROOT_FIELDS = frozenset({"publishedForm", "__typename"})
PUBLIC_MAX_AGE_SECONDS = 60


class GraphQLEndpoint:
    """The /graphql endpoint; one instance serves every request."""

    def __init__(self, schema: LeadgenSchema, pool: asyncpg.Pool, verifier: TokenVerifier, config: EndpointConfig):
        self.verifier = verifier
        self.config = config
        self.runner = OperationRunner(schema, pool, config)
        self.persisted = PersistedOperations(
            schema.documents,
            pool,
            trusted_only=config.operations == "trusted",
            acquire_timeout=config.timeouts.acquire_seconds,
        )

    async def __call__(self, request: Request) -> Response:
        params = request.query_params
        if request.method == "GET" and "query" not in params and "extensions" not in params:
            if self.config.graphiql and "text/html" in request.headers.get("accept", ""):
                return graphiql_response(authorization=self.config.graphiql_authorization)
            return error_response(400, "no query given", "BAD_USER_INPUT")
        media_type = negotiate(request.headers.get("accept"))
        if media_type is None:
            return error_response(406, "accept application/graphql-response+json or application/json", "BAD_USER_INPUT")
        try:
            parsed = await read_graphql_request(request, self.config.max_body_bytes, self.config.max_batch)
        except RequestError as exc:
            if exc.field:
                return error_answer(exc.status, exc.message, "BAD_USER_INPUT", field=exc.field).response(media_type)
            return error_answer(exc.status, exc.message, "BAD_USER_INPUT").response(media_type)
        try:
            caller = await self.verifier.caller_for(request.headers.get("authorization"))
        except TokenError as exc:
            header = {"www-authenticate": 'Bearer error="invalid_token"'}
            return error_answer(401, f"invalid access token: {exc}", "UNAUTHENTICATED", header).response(media_type)
        tool = self._is_tool(request)
        if isinstance(parsed, list):
            return batch_response(await self._batch(request, parsed, caller, tool), media_type)
        resolved = await self._resolve(parsed, tool)
        if isinstance(resolved, Answer):
            return resolved.response(media_type)
        reply = await self._run(request, parsed, resolved, caller)
        response = reply.response(media_type)
        if parsed.is_get and response.status_code == 200:
            return _with_cache_headers(request, response, caller, resolved, parsed.operation_name)
        return response

    def _is_tool(self, request: Request) -> bool:
        """A development tool (GraphiQL) may run any document, even with trusted operations only."""
        return self.config.graphiql and self.config.tools_bypass_trusted and TOOL_HEADER in request.headers

    async def _resolve(self, gql: GraphQLRequest, tool: bool) -> PreparedDocument | Answer:
        try:
            return await self.persisted.resolve(gql, tool=tool)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            if not is_unavailable(exc):
                raise
            log.warning("database unavailable: %s", outage_reason(exc))
            return unavailable("the database cannot be reached")

    async def _run(self, request: Request, gql: GraphQLRequest, prepared: PreparedDocument, caller: Caller) -> Answer:
        refusal = self.runner.refusal(gql, prepared)
        if refusal is not None:
            if self.config.expose_statement_count:
                refusal.headers[STATEMENTS_HEADER] = "0"
            return refusal
        return await self.runner.run(Operation(request, gql, prepared, caller))

    async def _batch(self, request: Request, batch: list[GraphQLRequest], caller: Caller, tool: bool) -> list[Answer]:
        """Each operation in its own transaction as the caller, in order; their costs add up against the limit."""
        resolved = [await self._resolve(gql, tool) for gql in batch]
        total = sum(
            self.runner.cost_of(gql, prepared) or 0
            for gql, prepared in zip(batch, resolved, strict=True)
            if isinstance(prepared, PreparedDocument) and prepared.valid
        )
        if total > self.config.max_cost:
            refused = cost_refusal(total, self.config.max_cost)
            return [refused for _ in batch]
        answers = []
        for gql, prepared in zip(batch, resolved, strict=True):
            if isinstance(prepared, Answer):
                answers.append(prepared)
            else:
                answers.append(await self._run(request, gql, prepared, caller))
        return answers


def _with_cache_headers(
    request: Request, response: Response, caller: Caller, prepared: PreparedDocument, operation_name: str | None
) -> Response:
    """A GET answer's validators: an ETag of the body (304 when the client has it), and who may cache it."""
    etag = '"' + hashlib.sha256(bytes(response.body)).hexdigest()[:32] + '"'
    public = caller.role == "anon" and _root_fields(prepared, operation_name) <= PUBLIC_ROOT_FIELDS
    headers = {
        "etag": etag,
        "cache-control": f"public, max-age={PUBLIC_MAX_AGE_SECONDS}" if public else "private, no-cache",
        "vary": "Authorization, Accept",
    }
    wanted = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if etag in wanted or f"W/{etag}" in wanted:
        return Response(status_code=304, headers=headers)
    response.headers.update(headers)
    return response


def _root_fields(prepared: PreparedDocument, operation_name: str | None) -> set[str]:
    operation = prepared.operation(operation_name)
    if operation is None:
        return {"?"}
    names = {s.name.value for s in operation.selection_set.selections if isinstance(s, FieldNode)}
    if len(names) != len(operation.selection_set.selections):
        return {"?"}  # fragments at the root: not worth resolving for a cache header
    return names
