"""POST/GET /graphql: authenticate, prepare the document, bound its cost, run it in the caller's transaction."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types.graphql import OperationType as StrawberryOperationType

from db.compiler import CompiledQuery
from db.failures import OperationTimedOut, is_timeout, is_unavailable
from db.session import Caller, RequestSession
from gql.cost import CostError, CostLimits, operation_cost
from gql.documents import PreparedDocument
from gql.errors import format_error, format_errors, quiet_strawberry_error_log
from gql.fast_path import CompiledReads
from gql.schema import LeadgenSchema
from resolvers.context import Context, Integrations, Limits
from server.auth import TokenError, TokenVerifier
from server.graphiql_page import graphiql_response
from server.graphql_request import GraphQLRequest, RequestError, read_graphql_request
from server.operation_guard import ClientDisconnected, run_guarded
from server.public_url import public_base_url
from server.responses import error_response, json_response, timeout_response, unavailable_response

log = logging.getLogger("leadgen.http")
quiet_strawberry_error_log()  # no client document (nor a secret given inline in it) in the server's log

STATEMENTS_HEADER = "x-leadgen-sql-statements"
QUERIES_ONLY = (StrawberryOperationType.QUERY,)
# SQLSTATE classes of a compiled read's failure that the general path reports better (with the field's path):
# data exceptions from a bound value, and privileges. Timeouts and outages never run the operation again.
FALLBACK_STATE_CLASSES = ("22", "42")


@dataclass(frozen=True)
class Timeouts:
    operation_seconds: float = 8.0  # the whole operation, on either path; Postgres gets the time left per statement
    acquire_seconds: float = 3.0  # waiting for a pooled connection before answering UNAVAILABLE


@dataclass
class EndpointConfig:
    graphiql: bool = True
    max_body_bytes: int = 1_000_000
    max_response_bytes: int = 10_000_000
    max_cost: int = 50_000  # objects a response may hold at most, computed before running (gql/cost.py)
    expose_statement_count: bool = True
    limits: Limits = field(default_factory=Limits)
    timeouts: Timeouts = field(default_factory=Timeouts)
    compiled_reads: CompiledReads | None = None  # None: every operation takes the general path
    # signs visitor tokens and hashes client addresses; random per process unless configured (see services)
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    integrations: Integrations = field(default_factory=Integrations)  # credentials keyring, webhook policy
    public_url: str | None = None  # LEADGEN_PUBLIC_URL: where the hosted form pages are (None: the request's origin)

    def cost_limits(self) -> CostLimits:
        lim = self.limits
        return CostLimits(self.max_cost, lim.default_page_size, lim.max_page_size, list_estimate=lim.default_page_size)


@dataclass(frozen=True)
class Operation:
    """One request's operation, ready to run: who asks, what, and of which kind."""

    request: Request
    gql: GraphQLRequest
    prepared: PreparedDocument
    kind: OperationType | None
    caller: Caller


class GraphQLEndpoint:
    """The /graphql endpoint; one instance serves every request."""

    def __init__(self, schema: LeadgenSchema, pool: asyncpg.Pool, verifier: TokenVerifier, config: EndpointConfig):
        self.schema = schema
        self.pool = pool
        self.verifier = verifier
        self.config = config
        self._cost_limits = config.cost_limits()

    async def __call__(self, request: Request) -> Response:
        if request.method == "GET" and "query" not in request.query_params:
            if self.config.graphiql and "text/html" in request.headers.get("accept", ""):
                return graphiql_response()
            return error_response(400, "no query given", "BAD_USER_INPUT")
        try:
            gql = await read_graphql_request(request, self.config.max_body_bytes)
        except RequestError as exc:
            if exc.field:
                return error_response(exc.status, exc.message, "BAD_USER_INPUT", field=exc.field)
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
        prepared = self.schema.documents.prepare(gql.query)
        refusal = self._refusal(gql, prepared)
        if refusal is not None:
            if self.config.expose_statement_count:
                refusal.headers[STATEMENTS_HEADER] = "0"
            return refusal
        op = Operation(request, gql, prepared, prepared.operation_type(gql.operation_name), caller)
        timeout = self.config.timeouts.operation_seconds
        try:
            return await run_guarded(request, lambda deadline: self._execute(op, deadline), timeout)
        except OperationTimedOut:
            return timeout_response(timeout)
        except ClientDisconnected:
            log.info("the client went away; its operation was cancelled")
            return Response(status_code=499)
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("database unavailable: %s", exc)
                return unavailable_response(_reason(exc))
            if is_timeout(exc):
                return timeout_response(None)
            raise

    def _refusal(self, gql: GraphQLRequest, prepared: PreparedDocument) -> Response | None:
        """What the request gets instead of running: bad documents, the wrong method, too high a cost."""
        if prepared.document is None:
            return json_response({"errors": format_errors(list(prepared.errors))}, 400)
        problem = prepared.operation_problem(gql.operation_name)
        if problem is not None:
            return error_response(400, problem, "BAD_USER_INPUT")
        if gql.is_get and prepared.operation_type(gql.operation_name) is not OperationType.QUERY:
            return _get_not_allowed()
        if prepared.errors:
            return json_response({"errors": format_errors(list(prepared.errors))}, 400)
        operation = prepared.operation(gql.operation_name)
        assert operation is not None
        try:
            cost = operation_cost(self.schema._schema, prepared.document, operation, gql.variables, self._cost_limits)
        except CostError:
            return None  # variables that do not fit: execution reports them, with their names
        if cost > self.config.max_cost:
            return error_response(
                400,
                f"the operation could return up to {cost} objects, more than the limit of {self.config.max_cost}; "
                "ask for smaller pages or fewer nested lists",
                "BAD_USER_INPUT",
                reason="COST_LIMIT",
                cost=cost,
                maxCost=self.config.max_cost,
            )
        return None

    async def _execute(self, op: Operation, deadline: float) -> Response:
        # anon reads nothing but published forms: the general path says so, field by field
        if op.kind is OperationType.QUERY and op.caller.role == "authenticated" and self.config.compiled_reads:
            compiled = self.config.compiled_reads.compile(op.prepared, op.gql.operation_name, op.gql.variables)
            if compiled is not None:
                response = await self._run_compiled(op.caller, compiled, deadline)
                if response is not None:
                    return response
        return await self._run_general(op, deadline)

    def _session(self, caller: Caller, *, readonly: bool, deadline: float) -> RequestSession:
        acquire = self.config.timeouts.acquire_seconds
        return RequestSession(self.pool, caller, readonly=readonly, acquire_timeout=acquire, deadline=deadline)

    async def _run_compiled(self, caller: Caller, compiled: CompiledQuery, deadline: float) -> Response | None:
        """One statement answers the whole query: its JSON text is the response body, as is.

        None only when Postgres refused a bound value or a privilege: the general path then reports it with the
        field's path, exactly as it always does. Timeouts and outages are answered, never run again."""
        session = self._session(caller, readonly=True, deadline=deadline)
        try:
            body = await session.fetchval(compiled.sql, *compiled.params)
        except asyncpg.PostgresError as exc:
            await session.abandon()
            if (exc.sqlstate or "")[:2] not in FALLBACK_STATE_CLASSES:
                raise
            log.warning("the compiled read failed (%s); answering through the general path", exc.sqlstate)
            return None
        except BaseException:
            await session.abandon()
            raise
        try:
            await session.finish(commit=True)
        except Exception:
            # a read is right without its COMMIT; finish discarded the connection
            log.warning("could not end the compiled read's transaction", exc_info=True)
        data = body.encode("utf-8")
        if len(data) > self.config.max_response_bytes:
            return self._too_large(session)
        return Response(data, media_type="application/json", headers=self._statement_headers(session))

    async def _run_general(self, op: Operation, deadline: float) -> Response:
        gql, request = op.gql, op.request
        readonly = op.kind is not OperationType.MUTATION
        session = self._session(op.caller, readonly=readonly, deadline=deadline)
        context = Context.create(
            session,
            self.config.limits,
            secret_key=self.config.secret_key,
            integrations=self.config.integrations,
            document=op.prepared,
            client_ip=request.client.host if request.client else None,
            public_url=public_base_url(self.config.public_url, request),
        )
        try:
            result = await self.schema.execute(
                gql.query,
                variable_values=gql.variables,
                context_value=context,
                operation_name=gql.operation_name,
                allowed_operation_types=QUERIES_ONLY if gql.is_get else None,
            )
        except BaseException:
            await session.abandon()
            raise
        errors: list[GraphQLError] = list(result.errors or [])
        outage = _outage(errors)
        if outage is not None:
            await session.abandon()
            raise outage
        # A mutation commits only if every root field succeeded: all or nothing.
        commit = readonly or not errors
        try:
            await session.finish(commit=commit)
        except Exception as exc:
            if commit and not readonly:
                # COMMIT itself failed: a deferred constraint (nothing was written) or a lost connection (unknown):
                # never the mutation's data as if it had happened, never a 500
                return self._commit_failed_response(exc, session)
            # a read, or a ROLLBACK that failed because the connection is gone: the answer stands
            log.warning("could not end the transaction; the connection was discarded", exc_info=True)
        return self._result_response(result, errors, readonly, session)

    def _statement_headers(self, session: RequestSession) -> dict[str, str] | None:
        return {STATEMENTS_HEADER: str(session.statements)} if self.config.expose_statement_count else None

    def _too_large(self, session: RequestSession) -> Response:
        limit = self.config.max_response_bytes
        message = f"the response would be larger than {limit} bytes; ask for fewer rows or fields"
        error = {"message": message, "extensions": {"code": "BAD_USER_INPUT", "reason": "RESPONSE_TOO_LARGE"}}
        return json_response({"errors": [error], "data": None}, 200, self._statement_headers(session))

    def _commit_failed_response(self, exc: Exception, session: RequestSession) -> Response:
        if is_unavailable(exc):
            message = "the database connection was lost while committing: the change may or may not have been saved"
            payload: dict[str, Any] = {"message": message, "extensions": {"code": "UNAVAILABLE", "retryable": False}}
            return json_response({"errors": [payload], "data": None}, 503, self._statement_headers(session))
        payload, _ = format_error(GraphQLError(str(exc), original_error=exc))
        return json_response({"errors": [payload], "data": None}, 200, self._statement_headers(session))

    def _result_response(
        self, result: Any, errors: list[GraphQLError], readonly: bool, session: RequestSession
    ) -> Response:
        body: dict[str, Any] = {}
        executed = result.data is not None or any(e.path for e in errors)
        if errors:
            body["errors"] = format_errors(errors)
        if executed:
            # a failed mutation was rolled back: its fields must not look as if they happened
            body["data"] = result.data if readonly or not errors else None
        response = json_response(body, 200 if executed else 400, self._statement_headers(session))
        if len(response.body) > self.config.max_response_bytes:
            return self._too_large(session)
        return response


def _outage(errors: list[GraphQLError]) -> Exception | None:
    """A field that failed because the database went away or ran out of time fails the whole operation."""
    for error in errors:
        original = error.original_error
        if isinstance(original, Exception) and (is_unavailable(original) or is_timeout(original)):
            return original
    return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no database connection is free"
    return "the database cannot be reached"


def _get_not_allowed() -> Response:
    return error_response(
        405, "only queries may use GET; send mutations with POST", "BAD_USER_INPUT", {"allow": "POST"}
    )
