"""POST/GET /graphql: authenticate, open the caller's transaction, execute, commit or roll back."""

from __future__ import annotations

import functools
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import strawberry
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, OperationType, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType as StrawberryOperationType

from db.compiler import CompiledQuery
from db.session import Caller, RequestSession
from gql.errors import format_error, format_errors, quiet_strawberry_error_log
from gql.fast_path import CompiledReads
from resolvers.context import Context, Integrations, Limits
from server.auth import TokenError, TokenVerifier
from server.graphql_request import RequestError, read_graphql_request

log = logging.getLogger("leadgen.http")
quiet_strawberry_error_log()  # no client document (nor a secret given inline in it) in the server's log

STATEMENTS_HEADER = "x-leadgen-sql-statements"
QUERIES_ONLY = (StrawberryOperationType.QUERY,)


@dataclass
class EndpointConfig:
    graphiql: bool = True
    max_body_bytes: int = 1_000_000
    max_tokens: int = 2000
    expose_statement_count: bool = True
    limits: Limits = field(default_factory=Limits)
    compiled_reads: CompiledReads | None = None  # None: every operation takes the general path
    # signs visitor tokens and hashes client addresses; random per process unless configured (see services)
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    integrations: Integrations = field(default_factory=Integrations)  # credentials keyring, webhook policy


# Documents longer than this are not cached: a cache of huge distinct documents would be a memory sink.
MAX_CACHED_QUERY_CHARS = 20_000


@dataclass(frozen=True)
class OperationChoice:
    """The operation a request runs: its type, or why the request names no runnable operation."""

    type: OperationType | None  # None: the document does not parse, and execution reports why
    problem: str | None = None  # set: a request error, nothing is executed


def _choose_operation(query: str, operation_name: str | None, max_tokens: int) -> OperationChoice:
    if len(query) > MAX_CACHED_QUERY_CHARS:
        return _choose_operation_uncached(query, operation_name, max_tokens)
    return _choose_operation_cached(query, operation_name, max_tokens)


def _choose_operation_uncached(query: str, operation_name: str | None, max_tokens: int) -> OperationChoice:
    """Pick the operation as GraphQL does; a document of several operations needs `operationName`."""
    try:
        document = parse(query, max_tokens=max_tokens)
    except GraphQLSyntaxError:
        return OperationChoice(None)
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if not operations:
        return OperationChoice(None, "the document contains no operation")
    if operation_name is None:
        if len(operations) > 1:
            return OperationChoice(None, "the document contains several operations: say which in operationName")
        return OperationChoice(operations[0].operation)
    for op in operations:
        if op.name is not None and op.name.value == operation_name:
            return OperationChoice(op.operation)
    return OperationChoice(None, f"the document has no operation named {operation_name!r}")


_choose_operation_cached = functools.lru_cache(maxsize=512)(_choose_operation_uncached)


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
        operation = _choose_operation(gql.query, gql.operation_name, self.config.max_tokens)
        if operation.problem is not None:
            return error_response(400, operation.problem, "BAD_USER_INPUT")
        if gql.is_get and operation.type is not None and operation.type is not OperationType.QUERY:
            return _get_not_allowed()
        readonly = operation.type is not OperationType.MUTATION
        # anon reads nothing but published forms: the general path says so, field by field
        if operation.type is OperationType.QUERY and caller.role == "authenticated" and self.config.compiled_reads:
            try:
                compiled = self.config.compiled_reads.compile(gql.query, gql.operation_name, gql.variables)
            except Exception:
                # e.g. a forged cursor: the general path reports the client's error as it always does
                log.info("the compiled read path refused the query; answering through the general path", exc_info=True)
                compiled = None
            if compiled is not None:
                response = await self._run_compiled(caller, compiled)
                if response is not None:
                    return response
        session = RequestSession(self.pool, caller, readonly=readonly)
        context = Context.create(
            session,
            self.config.limits,
            secret_key=self.config.secret_key,
            integrations=self.config.integrations,
            client_ip=request.client.host if request.client else None,
        )
        committed = False
        try:
            try:
                result = await self.schema.execute(
                    gql.query,
                    variable_values=gql.variables,
                    context_value=context,
                    operation_name=gql.operation_name,
                    allowed_operation_types=QUERIES_ONLY if gql.is_get else None,
                )
            except InvalidOperationTypeError:
                return _get_not_allowed()
            except CannotGetOperationTypeError:
                return error_response(400, "the document names no operation to run", "BAD_USER_INPUT")
            # A mutation commits only if every root field succeeded: all or nothing.
            committed = readonly or not result.errors
            try:
                await session.finish(commit=committed)
            except Exception as exc:
                if committed and not session.failed:
                    # COMMIT itself failed: a deferred constraint (nothing was written) or a lost connection
                    # (unknown): never the mutation's data as if it had happened, never a 500
                    committed = False
                    return self._commit_failed_response(exc, session)
                # a ROLLBACK failed (the connection is gone): the errors already say what went wrong
                log.warning("could not roll back; the connection was discarded", exc_info=True)
        finally:
            if session.failed or not committed:
                await session.finish(commit=False)
        return self._result_response(result, readonly, session)

    def _statement_headers(self, session: RequestSession) -> dict[str, str] | None:
        return {STATEMENTS_HEADER: str(session.statements)} if self.config.expose_statement_count else None

    def _commit_failed_response(self, exc: Exception, session: RequestSession) -> Response:
        payload, _ = format_error(GraphQLError(str(exc), original_error=exc))
        return json_response({"errors": [payload], "data": None}, 200, self._statement_headers(session))

    async def _run_compiled(self, caller: Caller, compiled: CompiledQuery) -> Response | None:
        """One statement answers the whole query: its JSON text is the response body, as is.

        None when Postgres refused it: the general path then runs the query and reports the error exactly as
        it always does (the two paths must answer alike, errors included)."""
        session = RequestSession(self.pool, caller, readonly=True)
        try:
            body = await session.fetchval(compiled.sql, *compiled.params)
        except asyncpg.PostgresError:
            log.warning("the compiled read failed; answering through the general path", exc_info=True)
            return None
        finally:
            try:
                await session.finish(commit=not session.failed)
            except Exception:
                # the connection is gone (finish discarded it); a read is right without its COMMIT
                log.warning("could not end the compiled read's transaction", exc_info=True)
        headers = {STATEMENTS_HEADER: str(session.statements)} if self.config.expose_statement_count else None
        return Response(body, media_type="application/json", headers=headers)

    def _result_response(self, result: Any, readonly: bool, session: RequestSession) -> Response:
        body: dict[str, Any] = {}
        errors: list[GraphQLError] = list(result.errors or [])
        executed = result.data is not None or any(e.path for e in errors)
        if errors:
            body["errors"] = format_errors(errors)
        if executed:
            # a failed mutation was rolled back: its fields must not look as if they happened
            body["data"] = result.data if readonly or not errors else None
        return json_response(body, 200 if executed else 400, self._statement_headers(session))


def _get_not_allowed() -> Response:
    return error_response(
        405, "only queries may use GET; send mutations with POST", "BAD_USER_INPUT", {"allow": "POST"}
    )
