"""A public form submission: validate every value, then one call of `leadgen.submit_form` does all writes.

Callable without a token: the caller's role (anon) may only call the two `leadgen` functions of submissions.
Every problem is reported at once and nothing is written; a honeypot submission gets a pretended success.
A form's editors read its submissions (with the changes they propose to an existing lead) page by page.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import asyncpg

from dataloaders.page import Page
from db import forms as sql
from domain.database_errors import Wording, function_error, json_detail
from domain.errors import AppError, bad_input
from domain.form_definitions import raise_problems
from domain.submissions import (
    PatternCheck,
    PublicForm,
    SubmissionOutcome,
    VisitContext,
    honeypot_filled,
    parse_submission_cursor,
    request_problems,
    timing_problem,
    validate_values,
)
from domain.visitor_tokens import client_hash, network_hash, sign_visitor_token
from resolvers.context import Context

log = logging.getLogger("leadgen.submissions")

NOT_FOUND_MESSAGE = "form not found"  # unknown and unpublished forms alike
BROKEN_PATTERN_MESSAGE = (
    "values: this form cannot be checked: the pattern of one of its fields is not a valid regular expression "
    "(the form's owner must fix it)"
)


async def submit_form(
    ctx: Context, form_id: uuid.UUID, values: Any, context: VisitContext, idempotency_key: str | None
) -> SubmissionOutcome:
    if not ctx.secret_key:  # production without LEADGEN_SECRET_KEY: tokens could not be verified anywhere else
        raise RuntimeError("public form submissions need LEADGEN_SECRET_KEY (see server/server_secret.py)")
    context = context.cleaned()
    raise_problems(request_problems(values, context, idempotency_key), "the submission is invalid")
    doc = await ctx.session.fetchval(sql.PUBLISHED_FORM, form_id)
    if doc is None:
        raise AppError("NOT_FOUND", NOT_FOUND_MESSAGE)
    form = PublicForm.from_json(doc)
    if honeypot_filled(form, values):
        log.info("dropped a submission to form %s: its honeypot field has a value", form_id)
        return _outcome(ctx, form, uuid.uuid4())
    validation = validate_values(form, values)
    failed = await _failed_patterns(ctx, form_id, validation.patterns)
    timing = timing_problem(form, context.rendered_at, dt.datetime.now(dt.UTC))
    raise_problems(validation.result(failed, [timing] if timing else []), "the submission is invalid")
    address = ctx.request_info.get("client_ip")
    client, network = client_hash(ctx.secret_key, address), network_hash(ctx.secret_key, address)
    try:
        result = await ctx.session.fetchval(
            sql.SUBMIT_FORM, form_id, values, context.as_json(), idempotency_key, client, network
        )
    except asyncpg.PostgresError as exc:
        raise _refusal(exc) from exc
    return _outcome(ctx, form, uuid.UUID(str(result["submission_id"])))


async def _failed_patterns(ctx: Context, form_id: uuid.UUID, checks: list[PatternCheck]) -> set[int]:
    """Indexes (into `checks`) of the values Postgres finds not matching their pattern."""
    if not checks:
        return set()
    try:
        positions = await ctx.session.fetchval(
            sql.FAILED_PATTERNS, [c.value for c in checks], [c.pattern for c in checks]
        )
    except asyncpg.InvalidRegularExpressionError as exc:
        # stored before the database refused such patterns (migration 20261206140200): the owner must fix it
        log.warning("form %s has a field pattern Postgres cannot use: %s", form_id, exc)
        raise bad_input("values", BROKEN_PATTERN_MESSAGE) from exc
    return {int(p) - 1 for p in positions}


def _outcome(ctx: Context, form: PublicForm, submission_id: uuid.UUID) -> SubmissionOutcome:
    return SubmissionOutcome(
        submission_id=submission_id,
        success_message=form.success_message,
        redirect_url=form.redirect_url,
        visitor_token=sign_visitor_token(ctx.secret_key, submission_id),
    )


_LIMIT_WORDS = {
    "client": "from this address",
    "form_address": "from this address to this form",
    "form_network": "from this network to this form",
}


def _refusal(exc: asyncpg.PostgresError) -> Exception:
    """The errors leadgen.submit_form raises on purpose, as the API's; anything else as it is."""
    if isinstance(exc, asyncpg.exceptions.NoDataFoundError):
        return AppError("NOT_FOUND", NOT_FOUND_MESSAGE)  # unknown and unpublished forms alike
    detail = json_detail(exc)
    limit = str(detail.get("limit")) if isinstance(detail, dict) else ""
    wording = Wording(
        invalid="the submission is invalid", limited=f"too many submissions {_LIMIT_WORDS.get(limit, 'to this form')}"
    )
    return function_error(exc, wording)


async def form_submissions(ctx: Context, form_id: str, first: int | None, after: str | None) -> Page:
    """A page of a form's submissions, newest first: empty unless the caller manages the form (SQL decides)."""
    size = ctx.limits.default_page_size if first is None else first
    if size < 0 or size > ctx.limits.max_page_size:
        raise bad_input("first", f"first must be between 0 and {ctx.limits.max_page_size}")
    keyset = None
    if after is not None:
        keyset = parse_submission_cursor(after)
        if keyset is None:
            raise bad_input("after", "after: not a cursor of this API")
    return await ctx.loaders.form_submissions(size, keyset).load(form_id)


async def form_submission_count(ctx: Context, form_id: str) -> int:
    return await ctx.loaders.form_submission_counts().load(form_id)
