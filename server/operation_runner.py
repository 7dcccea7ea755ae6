"""Run one GraphQL operation as its caller: refuse what must not run, then the compiled or the general path."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import asyncpg
from graphql import GraphQLError, OperationType
from starlette.requests import Request
from strawberry.types.graphql import OperationType as StrawberryOperationType

from db.compiler import CompiledQuery
from db.failures import OperationTimedOut, is_timeout, is_unavailable, outage_reason
from db.session import Caller, CommitFailed, RequestSession
from gql.cost import CostError, operation_cost
from gql.documents import PreparedDocument
from gql.errors import format_error, format_errors
from gql.schema import LeadgenSchema
from resolvers.context import Context
from server.endpoint_config import EndpointConfig
from server.graphql_request import GraphQLRequest
from server.operation_guard import ClientDisconnected, run_guarded
from server.public_url import public_base_url
from server.responses import Answer, answer, error_answer, stopped, timed_out, unavailable

log = logging.getLogger("leadgen.http")

STATEMENTS_HEADER = "x-leadgen-sql-statements"
READ_PATH_HEADER = "x-leadgen-read-path"  # development: which path answered (compiled | general)
QUERIES_ONLY = (StrawberryOperationType.QUERY,)
# SQLSTATE classes of a compiled read's failure that the general path reports better (with the field's path):
# data exceptions from a bound value, and privileges. Timeouts and outages never run the operation again.
FALLBACK_STATE_CLASSES = ("22", "42")


@dataclass(frozen=True)
class Operation:
    """One operation, ready to run: who asks, what, and of which kind."""

    request: Request
    gql: GraphQLRequest
    prepared: PreparedDocument
    caller: Caller

    @property
    def kind(self) -> OperationType | None:
        return self.prepared.operation_type(self.gql.operation_name)


class OperationRunner:
    """Answers operations; one instance serves every request of an app."""

    def __init__(self, schema: LeadgenSchema, pool: asyncpg.Pool, config: EndpointConfig) -> None:
        self.schema = schema
        self.pool = pool
        self.config = config
        self._cost_limits = config.cost_limits()

    def cost_of(self, gql: GraphQLRequest, prepared: PreparedDocument) -> int | None:
        """The operation's cost (gql/cost.py); None when its variables do not fit it (execution reports that)."""
        operation = prepared.operation(gql.operation_name)
        if prepared.document is None or operation is None:
            return None
        try:
            return operation_cost(self.schema._schema, prepared.document, operation, gql.variables, self._cost_limits)
        except CostError:
            return None

    def refusal(self, gql: GraphQLRequest, prepared: PreparedDocument) -> Answer | None:
        """What the operation gets instead of running: bad documents, the wrong method, too high a cost."""
        if prepared.document is None:
            return _document_errors(prepared)
        problem = prepared.operation_problem(gql.operation_name)
        if problem is not None:
            return error_answer(400, problem, "BAD_USER_INPUT", document_error=True)
        if gql.is_get and prepared.operation_type(gql.operation_name) is not OperationType.QUERY:
            message = "only queries may use GET; send mutations with POST"
            return error_answer(405, message, "BAD_USER_INPUT", {"allow": "POST"})
        if prepared.errors:
            return _document_errors(prepared)
        cost = self.cost_of(gql, prepared)
        if cost is not None and cost > self.config.max_cost:
            return cost_refusal(cost, self.config.max_cost)
        return None

    async def run(self, op: Operation) -> Answer:
        """The operation's answer within its deadline; outages and timeouts are answers too, never re-runs."""
        timeout = self.config.timeouts.operation_seconds
        try:
            return await run_guarded(op.request, lambda deadline: self._execute(op, deadline), timeout)
        except OperationTimedOut:
            return timed_out(timeout)
        except ClientDisconnected:
            log.info("the client went away; its operation was cancelled")
            return Answer(b"", 499)
        except asyncio.CancelledError:
            # the server is stopping and its graceful-shutdown time is over: the operation was stopped and rolled
            # back (run_guarded waited for that); the client gets an answer instead of a closed connection
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()
            log.warning("the server is stopping: an operation still running was cancelled")
            return stopped(mutation=op.kind is OperationType.MUTATION)
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("database unavailable: %s", outage_reason(exc))
                return unavailable(_reason(exc))
            if is_timeout(exc):
                return timed_out(None)
            raise

    async def _execute(self, op: Operation, deadline: float) -> Answer:
        # anon reads nothing but published forms: the general path says so, field by field
        if op.kind is OperationType.QUERY and op.caller.role == "authenticated" and self.config.compiled_reads:
            compiled = self.config.compiled_reads.compile(op.prepared, op.gql.operation_name, op.gql.variables)
            if compiled is not None:
                compiled_answer = await self._run_compiled(op.caller, compiled, deadline)
                if compiled_answer is not None:
                    return compiled_answer
        return await self._run_general(op, deadline)

    def _session(self, caller: Caller, *, readonly: bool, deadline: float) -> RequestSession:
        acquire = self.config.timeouts.acquire_seconds
        return RequestSession(self.pool, caller, readonly=readonly, acquire_timeout=acquire, deadline=deadline)

    async def _run_compiled(self, caller: Caller, compiled: CompiledQuery, deadline: float) -> Answer | None:
        """One statement answers the whole query: its JSON text is the response body, as is.

        None only when Postgres refused a bound value or a privilege: the general path then reports it with the
        field's path, exactly as it always does. Timeouts and outages are answered, never run again."""
        session = self._session(caller, readonly=True, deadline=deadline)
        try:
            async with session:
                body = await session.fetchval(compiled.sql, *compiled.params)
        except asyncpg.PostgresError as exc:
            if (exc.sqlstate or "")[:2] not in FALLBACK_STATE_CLASSES:
                raise
            log.warning("the compiled read failed (%s); answering through the general path", exc.sqlstate)
            return None
        data = body.encode("utf-8")
        if len(data) > self.config.max_response_bytes:
            return self._too_large(session)
        return Answer(data, headers=self._statement_headers(session, "compiled"))

    async def _run_general(self, op: Operation, deadline: float) -> Answer:
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
            async with session:
                result = await self.schema.execute(
                    op.prepared.text,
                    variable_values=gql.variables,
                    context_value=context,
                    operation_name=gql.operation_name,
                    allowed_operation_types=QUERIES_ONLY if gql.is_get else None,
                )
                errors: list[GraphQLError] = list(result.errors or [])
                outage = _outage(errors)
                if outage is not None:
                    raise outage
                # A mutation commits only if every root field succeeded: all or nothing.
                session.rollback_only = not readonly and bool(errors)
        except CommitFailed as exc:
            # a deferred constraint refused it (nothing was written) or the connection was lost (unknown): never
            # the mutation's data as if it had happened, never a 500
            cause = exc.__cause__
            return self._commit_failed(cause if isinstance(cause, Exception) else exc, session)
        return self._result(result, errors, readonly, session)

    def _statement_headers(self, session: RequestSession, path: str = "general") -> dict[str, str]:
        if not self.config.expose_statement_count:
            return {}
        return {STATEMENTS_HEADER: str(session.statements), READ_PATH_HEADER: path}

    def _too_large(self, session: RequestSession) -> Answer:
        limit = self.config.max_response_bytes
        message = f"the response would be larger than {limit} bytes; ask for fewer rows or fields"
        error = {"message": message, "extensions": {"code": "BAD_USER_INPUT", "reason": "RESPONSE_TOO_LARGE"}}
        return answer({"errors": [error], "data": None}, 200, self._statement_headers(session))

    def _commit_failed(self, exc: Exception, session: RequestSession) -> Answer:
        if is_unavailable(exc):
            message = "the database connection was lost while committing: the change may or may not have been saved"
            payload: dict[str, Any] = {"message": message, "extensions": {"code": "UNAVAILABLE", "retryable": False}}
            return answer({"errors": [payload], "data": None}, 503, self._statement_headers(session))
        payload, _ = format_error(GraphQLError(str(exc), original_error=exc))
        return answer({"errors": [payload], "data": None}, 200, self._statement_headers(session))

    def _result(self, result: Any, errors: list[GraphQLError], readonly: bool, session: RequestSession) -> Answer:
        body: dict[str, Any] = {}
        executed = result.data is not None or any(e.path for e in errors)
        if errors:
            body["errors"] = format_errors(errors)
        if executed:
            # a failed mutation was rolled back: its fields must not look as if they happened
            body["data"] = result.data if readonly or not errors else None
        # not executed: the variables did not fit the operation (a document error)
        reply = answer(body, 200 if executed else 400, self._statement_headers(session))
        reply.document_error = not executed
        if len(reply.body) > self.config.max_response_bytes:
            return self._too_large(session)
        return reply


def _document_errors(prepared: PreparedDocument) -> Answer:
    """The document does not parse or validate: its errors, and nothing ran."""
    return Answer(answer({"errors": format_errors(list(prepared.errors))}).body, 400, document_error=True)


def cost_refusal(cost: int, max_cost: int) -> Answer:
    return error_answer(
        400,
        f"the operation could return up to {cost} objects, more than the limit of {max_cost}; "
        "ask for smaller pages or fewer nested lists",
        "BAD_USER_INPUT",
        document_error=True,
        reason="COST_LIMIT",
        cost=cost,
        maxCost=max_cost,
    )


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
