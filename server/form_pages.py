"""Public forms on websites: the hosted page GET/POST /f/<slug>, the definition /f/<slug>.json the embed renders,
/f/embed.js and /f/form.css.

Every request is anon, in one transaction within the operation deadline, like a GraphQL operation; a post goes
through the same submit path as submitForm (resolvers/submissions.py: validation, honeypot, minimum time, rate
limits per client address as TrustedProxyMiddleware resolved it, idempotency key). The HTML page works without
JavaScript; a post that asks for JSON (the embed) gets JSON. CORS here follows each form's allowedOrigins, not
LEADGEN_CORS_ORIGINS (which is /graphql's, see server/app.py).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from db.failures import OperationTimedOut, is_timeout, is_unavailable
from db.session import ANONYMOUS, RequestSession
from domain.errors import AppError
from domain.posted_values import Posted, http_url, posted_values
from domain.public_forms import PageSettings, Theme, form_url, origin_allowed, page_settings, url_origin
from domain.render_stamps import sign_rendered_at, verify_rendered_at
from domain.submissions import PublicForm
from resolvers.context import Context
from resolvers.public_forms import published_form
from resolvers.submissions import submit_form
from server.form_answers import (
    PREFLIGHT,
    BodyError,
    cors_headers,
    definition_json,
    html_answer,
    json_answer,
    read_pairs,
)
from server.form_assets import EMBED_SCRIPT, STYLESHEET
from server.form_html import PageState, form_page, message_page
from server.operation_guard import ClientDisconnected, run_guarded
from server.public_url import public_base_url, request_origin

if TYPE_CHECKING:
    from server.app import Services

log = logging.getLogger("leadgen.forms")

DEFAULT_THEME = Theme("#2563EB", "#FFFFFF", "#111827")
Work = Callable[[Context], Awaitable[tuple[Response, bool]]]  # the answer, and whether to commit


@dataclass(frozen=True)
class Visit:
    """One request to a form's address: who asks from where, and how they want the answer."""

    request: Request
    slug: str
    base_url: str
    wants_json: bool

    @property
    def origin(self) -> str | None:
        return self.request.headers.get("origin")

    def own_origins(self) -> tuple[str, ...]:
        found = {request_origin(self.request).lower(), url_origin(self.base_url) or ""}
        return tuple(o for o in found if o)

    def cors(self, page: PageSettings | None) -> dict[str, str]:
        allowed = page is not None and origin_allowed(page, self.origin, self.own_origins())
        return cors_headers(page, self.origin, allowed)

    @property
    def stylesheet(self) -> str:
        return f"form.css?v={STYLESHEET.version}"  # relative to /f/<slug>: this server, whatever its address


class FormPages:
    def __init__(self, services: Callable[[], Services]) -> None:
        self._services = services

    def routes(self) -> list[Route]:
        return [
            Route("/f/embed.js", lambda request: EMBED_SCRIPT.response(request), methods=["GET"]),
            Route("/f/form.css", lambda request: STYLESHEET.response(request), methods=["GET"]),
            Route("/f/{slug}.json", self.definition, methods=["GET", "OPTIONS"]),
            Route("/f/{slug}", self.page, methods=["GET", "POST", "OPTIONS"]),
        ]

    def _visit(self, request: Request, *, wants_json: bool) -> Visit:
        base = public_base_url(self._services().endpoint.public_url, request)
        return Visit(request, request.path_params["slug"], base, wants_json)

    # -- the requests ---------------------------------------------------------------------------------------

    async def definition(self, request: Request) -> Response:
        visit = self._visit(request, wants_json=True)
        if request.method == "OPTIONS":
            return await self._preflight(visit)

        async def work(ctx: Context) -> tuple[Response, bool]:
            form = await published_form(ctx, slug=visit.slug)
            if form is None:
                return self._not_found(visit), True
            page = page_settings(form)
            stamp = sign_rendered_at(ctx.secret_key, form.id, dt.datetime.now(dt.UTC))
            body = definition_json(form, page, form_url(visit.base_url, visit.slug), stamp, str(uuid.uuid4()))
            return json_answer(body, 200, visit.cors(page)), True

        return await self._run(visit, work, readonly=True)

    async def page(self, request: Request) -> Response:
        visit = self._visit(request, wants_json="application/json" in request.headers.get("accept", ""))
        if request.method == "OPTIONS":
            return await self._preflight(visit)
        if request.method == "POST":
            return await self._post(visit)

        async def work(ctx: Context) -> tuple[Response, bool]:
            form = await published_form(ctx, slug=visit.slug)
            if form is None:
                return self._not_found(visit), True
            query = request.url.query
            state = PageState(
                stamp=sign_rendered_at(ctx.secret_key, form.id, dt.datetime.now(dt.UTC)),
                idempotency_key=str(uuid.uuid4()),
                page_url=http_url(form_url(visit.base_url, visit.slug) + (f"?{query}" if query else "")),
                referrer=http_url(request.headers.get("referer")),
                entered=_prefilled(form, request),
            )
            return self._form(visit, form, page_settings(form), state), True

        return await self._run(visit, work, readonly=True)

    async def _post(self, visit: Visit) -> Response:
        try:
            pairs = await read_pairs(visit.request)
        except BodyError as exc:
            return self._problem(visit, None, exc.message, exc.status)

        async def work(ctx: Context) -> tuple[Response, bool]:
            form = await published_form(ctx, slug=visit.slug)
            if form is None:
                return self._not_found(visit), False
            page = page_settings(form)
            if not origin_allowed(page, visit.origin, visit.own_origins()):
                return self._problem(visit, page, "This form does not accept submissions from this site.", 403), False
            posted = posted_values(form, pairs)
            rendered_at = verify_rendered_at(ctx.secret_key, form.id, posted.stamp)
            context = posted.context(rendered_at)
            try:
                await submit_form(ctx, form.id, posted.values, context, posted.idempotency_key)
            except AppError as exc:
                return self._refused(ctx, visit, form, page, posted, pairs, exc, rendered_at is not None), False
            return self._accepted(visit, form, page), True

        return await self._run(visit, work, readonly=False)

    async def _preflight(self, visit: Visit) -> Response:
        async def work(ctx: Context) -> tuple[Response, bool]:
            form = await published_form(ctx, slug=visit.slug)
            page = None if form is None else page_settings(form)
            return Response(status_code=204 if form else 404, headers={**visit.cors(page), **PREFLIGHT}), True

        return await self._run(visit, work, readonly=True)

    # -- running them ---------------------------------------------------------------------------------------

    async def _run(self, visit: Visit, work: Work, *, readonly: bool) -> Response:
        """`work` in one transaction as anon, within the operation's deadline; outages and timeouts answered."""
        services = self._services()
        config = services.endpoint
        request = visit.request

        async def operation(deadline: float) -> Response:
            session = RequestSession(
                services.pool,
                ANONYMOUS,
                readonly=readonly,
                acquire_timeout=config.timeouts.acquire_seconds,
                deadline=deadline,
            )
            ctx = Context.create(
                session,
                config.limits,
                secret_key=config.secret_key,
                integrations=config.integrations,
                client_ip=request.client.host if request.client else None,
                public_url=visit.base_url,
            )
            try:
                response, commit = await work(ctx)
            except BaseException:
                await session.abandon()
                raise
            await session.finish(commit=commit)
            return response

        try:
            return await run_guarded(request, operation, config.timeouts.operation_seconds)
        except ClientDisconnected:
            return Response(status_code=499)
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("database unavailable for a form page: %s", exc)
                message = "The form cannot be reached right now; nothing was sent. Please try again in a moment."
                return self._problem(visit, None, message, 503, {"retry-after": "2"})
            if isinstance(exc, OperationTimedOut) or is_timeout(exc):
                return self._problem(visit, None, "The form took too long to answer; nothing was sent.", 504)
            error_id = uuid.uuid4().hex[:12]
            log.error("unexpected error %s on form page %s", error_id, request.url.path, exc_info=exc)
            return self._problem(visit, None, f"Something went wrong (error {error_id}); nothing was sent.", 500)

    # -- answers --------------------------------------------------------------------------------------------

    def _form(
        self,
        visit: Visit,
        form: PublicForm,
        page: PageSettings,
        state: PageState,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> Response:
        rendered = form_page(form, page, state, action=visit.slug, stylesheet=visit.stylesheet)
        return html_answer(rendered, page, status, headers)

    def _accepted(self, visit: Visit, form: PublicForm, page: PageSettings) -> Response:
        if visit.wants_json:
            body = {"ok": True, "successMessage": page.success_message, "redirectUrl": page.redirect_url}
            return json_answer(body, 200, visit.cors(page))
        if page.redirect_url:
            return RedirectResponse(page.redirect_url, status_code=303, headers={"cache-control": "no-store"})
        rendered = message_page(
            form, page, page.theme, page.success_message, kind="success", stylesheet=visit.stylesheet
        )
        return html_answer(rendered, page)

    def _refused(
        self,
        ctx: Context,
        visit: Visit,
        form: PublicForm,
        page: PageSettings,
        posted: Posted,
        pairs: list[tuple[str, str]],
        exc: AppError,
        stamp_valid: bool,
    ) -> Response:
        if exc.code == "NOT_FOUND":
            return self._not_found(visit)
        problems = _problems(exc)
        headers = {}
        status = {"BAD_USER_INPUT": 422, "RATE_LIMITED": 429}.get(exc.code, 400)
        if exc.code == "RATE_LIMITED":
            headers["retry-after"] = str(exc.extra.get("retryAfter", 1))
        if visit.wants_json:
            body: dict[str, Any] = {"ok": False, "message": exc.message, "errors": problems}
            if exc.code == "RATE_LIMITED":
                body["retryAfter"] = exc.extra.get("retryAfter")
            return json_answer(body, status, visit.cors(page), **headers)
        names = {f.name for f in form.fields}
        errors: dict[str, str] = {}
        others: list[str] = []
        for problem in problems:
            name = problem["field"].removeprefix("values.")
            if problem["field"].startswith("values.") and name in names and name != page.honeypot_field:
                errors.setdefault(name, problem["message"])
            else:
                others.append(
                    problem["message"] if problem["field"].startswith("context.") else f"{name}: {problem['message']}"
                )
        if not problems:
            others.append(exc.message)
        entered: dict[str, list[str]] = {}
        for name, value in pairs:
            entered.setdefault(name, []).append(value)
        state = PageState(
            # a stamp that did not verify is replaced, so that waiting and sending again works
            stamp=posted.stamp
            if stamp_valid and posted.stamp
            else sign_rendered_at(ctx.secret_key, form.id, dt.datetime.now(dt.UTC)),
            idempotency_key=posted.idempotency_key or str(uuid.uuid4()),
            page_url=posted.page_url,
            referrer=posted.referrer,
            entered=entered,
            errors=errors,
            form_errors=others,
        )
        return self._form(visit, form, page, state, status, headers)

    def _not_found(self, visit: Visit) -> Response:
        return self._problem(visit, None, "This form does not exist or is not published.", 404)

    def _problem(
        self, visit: Visit, page: PageSettings | None, message: str, status: int, headers: dict[str, str] | None = None
    ) -> Response:
        if visit.wants_json:
            return json_answer(
                {"ok": False, "message": message, "errors": []}, status, visit.cors(page), **(headers or {})
            )
        theme = page.theme if page is not None else DEFAULT_THEME
        rendered = message_page(
            None,
            page,
            theme,
            message,
            kind="problem",
            stylesheet=visit.stylesheet,
            title="Form unavailable" if status in (404, 503, 504) else "Form",
        )
        return html_answer(rendered, page, status, headers)


def _problems(exc: AppError) -> list[dict[str, str]]:
    listed = exc.extra.get("fields")
    if isinstance(listed, list):
        return [{"field": str(p.get("field")), "message": str(p.get("message"))} for p in listed if isinstance(p, dict)]
    if exc.field is not None:
        return [{"field": exc.field, "message": exc.message.removeprefix(f"{exc.field}: ")}]
    return []


def _prefilled(form: PublicForm, request: Request) -> dict[str, list[str]]:
    """Hidden fields take their value from the page's query (/f/offer?plan=pro), the honeypot never."""
    honeypot = form.honeypot_field
    found: dict[str, list[str]] = {}
    for spec in form.fields:
        value = request.query_params.get(spec.name)
        if spec.type == "hidden" and spec.name != honeypot and value:
            found[spec.name] = [value[:2000]]
    return found
