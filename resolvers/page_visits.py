"""trackPageVisit: a visitor's page view, tied to a lead by the visitor token its form submission returned.

Callable without a token (anon). The token's signature is checked here (only the server knows the key); the
submission it names is recorded by leadgen.track_page_visit, which rate-limits per token and per client address
(private.page_visit_limits) and writes a page_visit activity, which starts page_visit workflows.
"""

from __future__ import annotations

import asyncpg

from db import workflows as sql
from domain import validation as v
from domain.database_errors import Wording, function_error
from domain.errors import bad_input
from domain.visitor_tokens import client_hash, verify_visitor_token
from resolvers.context import Context


async def track_page_visit(ctx: Context, visitor_token: str, url: str, referrer: str | None) -> bool:
    """True when the visit was recorded; False when the token's submission (its lead) is gone."""
    if not ctx.secret_key:
        raise RuntimeError("page visits need LEADGEN_SECRET_KEY (see server/server_secret.py)")
    submission = verify_visitor_token(ctx.secret_key, visitor_token)
    if submission is None:
        raise bad_input("visitorToken", "visitorToken: not a visitor token of this site")
    page = v.url(url, "url")
    came_from = v.url(referrer, "referrer") if referrer and referrer.strip() else None
    client = client_hash(ctx.secret_key, ctx.request_info.get("client_ip"))
    try:
        recorded = await ctx.session.fetchval(sql.TRACK_PAGE_VISIT, submission, page, came_from, client)
    except asyncpg.PostgresError as exc:
        raise function_error(exc, Wording(noun="visitor")) from exc
    return bool(recorded)
