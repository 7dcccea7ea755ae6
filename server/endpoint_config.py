"""What the /graphql endpoint is configured with: limits, timeouts, read paths, secrets, operation policy."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from gql.cost import CostLimits
from gql.fast_path import CompiledReads
from resolvers.context import Integrations, Limits


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
    max_batch: int = 10  # operations in one batched POST (0: no batches); their costs add up against max_cost
    expose_statement_count: bool = True
    limits: Limits = field(default_factory=Limits)
    timeouts: Timeouts = field(default_factory=Timeouts)
    compiled_reads: CompiledReads | None = None  # None: every operation takes the general path
    # "any": every document runs; "trusted": only registered (trusted) documents (server/persisted_operations.py)
    operations: str = "any"
    # development only: requests with `x-leadgen-tool: graphiql` may run any document even when `operations` is
    # "trusted", so GraphiQL and similar tools keep working
    tools_bypass_trusted: bool = True
    # signs visitor tokens and hashes client addresses; random per process unless configured (see services)
    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    integrations: Integrations = field(default_factory=Integrations)  # credentials keyring, webhook policy
    # prefilled in GraphiQL's headers (development): the demo user's token with `leadgen serve --demo`
    graphiql_authorization: str | None = field(default=None, repr=False)
    public_url: str | None = None  # LEADGEN_PUBLIC_URL: where the hosted form pages are (None: the request's origin)

    def cost_limits(self) -> CostLimits:
        lim = self.limits
        return CostLimits(self.max_cost, lim.default_page_size, lim.max_page_size, list_estimate=lim.default_page_size)
