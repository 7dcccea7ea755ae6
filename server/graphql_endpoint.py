"""POST/GET /graphql: authenticate, open the caller's transaction, execute, commit or roll back."""

from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.types.graphql import OperationType as StrawberryOperationType

from db.session import RequestSession
from gql.errors import format_errors
from resolvers.context import Context, Limits
from server.auth import TokenError, TokenVerifier
from server.graphql_request import RequestError, read_graphql_request

log = logging.getLogger("leadgen.http")

STATEMENTS_HEADER = "x-leadgen-sql-statements"
QUERIES_ONLY = (StrawberryOperationType.QUERY,)


@dataclass
class EndpointConfig:
    graphiql: bool = True
    max_body_bytes: int = 1_000_000
    max_tokens: int = 2000
    expose_statement_count: bool = True
    limits: Limits = field(default_factory=Limits)


@functools.lru_cache(maxsize=512)
def _operation_type(query: str, operation_name: str | None, max_tokens: int) -> OperationType | None:
    """The type of the operation to run, or None when the document is invalid (execution reports why)."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLSyntaxError:
        return None
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0].operation if len(operations) == 1 else None
    for op in operations:
        if op.name is not None and op.name.value == operation_name:
            return op.operation
    return None


def json_response(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> Response:
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=str)
    return Response(text, status_code=status, media_type="application/json", headers=headers)


def error_response(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> Response:
    return json_response({"errors": [{"message": message, "extensions": {"code": code}}]}, status, headers)


class GraphQLEndpoint:
    def __init__(
        self, schema: strawberry.Schema, pool: asyncpg.Pool, verifier: TokenVerifier, config: EndpointConfig
    ) -> None:
        self.schema = schema
        self.pool = pool
        self.verifier = verifier
        self.config = config

    async def __call__(self, request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            if self.config.graphiql and "text/html" in request.headers.get("accept", ""):
                return HTMLResponse(get_graphql_ide_html())
            return error_response(400, "no query given", "BAD_USER_INPUT")
        try:
            gql = await read_graphql_request(request, self.config.max_body_bytes)
        except RequestError as exc:
            return error_response(exc.status, exc.message, "BAD_USER_INPUT")
        try:
            caller = await self.verifier.caller_for(request.headers.get("authorization"))
        except TokenError as exc:
            return error_response(
                401,
                f"invalid access token: {exc}",
                "UNAUTHENTICATED",
                {"www-authenticate": 'Bearer error="invalid_token"'},
            )
        op_type = _operation_type(gql.query, gql.operation_name, self.config.max_tokens)
        if gql.is_get and op_type is not None and op_type is not OperationType.QUERY:
            return error_response(
                405, "only queries may use GET; send mutations with POST", "BAD_USER_INPUT", {"allow": "POST"}
            )
        readonly = op_type is not OperationType.MUTATION
        session = RequestSession(self.pool, caller, readonly=readonly)
        context = Context.create(session, self.config.limits, client_ip=request.client.host if request.client else None)
        committed = False
        try:
            result = await self.schema.execute(
                gql.query,
                variable_values=gql.variables,
                context_value=context,
                operation_name=gql.operation_name,
                allowed_operation_types=QUERIES_ONLY if gql.is_get else None,
            )
            # A mutation commits only if every root field succeeded: all or nothing.
            committed = readonly or not result.errors
            await session.finish(commit=committed)
        finally:
            if session.failed or not committed:
                await session.finish(commit=False)
        return self._result_response(result, readonly, session)

    def _result_response(self, result: Any, readonly: bool, session: RequestSession) -> Response:
        body: dict[str, Any] = {}
        errors: list[GraphQLError] = list(result.errors or [])
        executed = result.data is not None or any(e.path for e in errors)
        if errors:
            body["errors"] = format_errors(errors)
        if executed:
            # a failed mutation was rolled back: its fields must not look as if they happened
            body["data"] = result.data if readonly or not errors else None
        headers = {STATEMENTS_HEADER: str(session.statements)} if self.config.expose_statement_count else None
        return json_response(body, 200 if executed else 400, headers)
