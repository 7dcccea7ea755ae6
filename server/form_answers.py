"""What the public form endpoints answer: HTML with its Content-Security-Policy, JSON for the embed, CORS per form,
and the posted body read within limits.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import parse_options_header
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message

from domain.form_values import PublicField
from domain.posted_values import Pairs
from domain.public_forms import PageSettings, url_origin
from domain.submissions import PublicForm
from gql.ids import global_id
from server.form_html import AUTOCOMPLETE, INPUT_MODES, RenderedPage, on_colour
from server.graphql_request import RequestError, read_body
from server.media_types import JSON
from server.responses import answer

MAX_POST_BYTES = 128 * 1024
MAX_POST_FIELDS = 1000
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def page_csp(rendered: RenderedPage, page: PageSettings | None) -> str:
    """No script at all; styles from this server and the page's own inline <style> (by hash); the form posts here
    and may be redirected to the form's redirect URL; framed by the form's allowed origins, else by any site."""
    styles = " ".join(f"'{h}'" for h in rendered.style_hashes)
    actions = "'self'"
    target = url_origin(page.redirect_url) if page is not None and page.redirect_url else None
    if target is not None:
        actions += f" {target}"
    ancestors = "*" if page is None or not page.allowed_origins else " ".join(("'self'", *page.allowed_origins))
    return (
        f"default-src 'none'; style-src 'self' {styles}; img-src 'self' data:; form-action {actions}; "
        f"frame-ancestors {ancestors}; base-uri 'none'"
    )


def html_answer(
    rendered: RenderedPage, page: PageSettings | None, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    # every page holds a fresh render stamp and idempotency key (or a visitor's values): never cached
    extra = {"content-security-policy": page_csp(rendered, page), "cache-control": "no-store", **(headers or {})}
    return HTMLResponse(rendered.html, status_code=status, headers=extra)


def cors_headers(page: PageSettings | None, origin: str | None, allowed: bool) -> dict[str, str]:
    """Any origin may read a form that lists none (no credentials are ever involved); else only those it lists."""
    if page is None or not page.allowed_origins:
        return {"access-control-allow-origin": "*"}
    headers = {"vary": "origin"}
    if origin is not None and allowed:
        headers["access-control-allow-origin"] = origin
    return headers


PREFLIGHT = {
    "access-control-allow-methods": "GET, POST",
    "access-control-allow-headers": "accept, content-type",
    "access-control-max-age": "600",
}


def json_answer(body: dict[str, Any], status: int, cors: dict[str, str], **headers: str) -> Response:
    return answer(body, status, {**cors, "cache-control": "no-store", **headers}).response(JSON)


def _field_json(spec: PublicField) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": spec.name,
        "type": spec.type,
        "label": spec.label,
        "placeholder": spec.placeholder,
        "required": spec.required,
        "options": [str(o) for o in spec.options],
        "rules": spec.rules,
    }
    if spec.name in AUTOCOMPLETE:
        doc["autocomplete"] = AUTOCOMPLETE[spec.name]
    if spec.type in INPUT_MODES:
        doc["inputmode"] = INPUT_MODES[spec.type]
    return doc


def definition_json(form: PublicForm, page: PageSettings, action: str, stamp: str, key: str) -> dict[str, Any]:
    """What the embed script renders a form from (and posts back: the render stamp and idempotency key)."""
    return {
        "id": global_id("LeadForm", form.id),
        "slug": form.slug,
        "title": form.title,
        "description": form.description,
        "fields": [_field_json(f) for f in form.fields],
        "submitLabel": page.submit_label,
        "successMessage": page.success_message,
        "consentText": page.consent_text,
        "redirectUrl": page.redirect_url,
        "honeypotField": page.honeypot_field,
        "theme": {
            "primaryColor": page.theme.primary,
            "onPrimaryColor": on_colour(page.theme.primary),
            "backgroundColor": page.theme.background,
            "textColor": page.theme.text,
        },
        "action": action,
        "meta": {"rendered": stamp, "key": key},
    }


def _replay(body: bytes) -> Any:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def read_pairs(request: Request) -> list[tuple[str, str]]:
    """The posted name=value pairs, in order: url-encoded or multipart (no files), within the size limits."""
    content_type, _ = parse_options_header(request.headers.get("content-type", ""))
    kind = content_type.decode("latin-1").lower()
    if kind not in FORM_TYPES:
        raise BodyError(415, "send the form as application/x-www-form-urlencoded or multipart/form-data")
    try:
        body = await read_body(request, MAX_POST_BYTES)
    except RequestError as exc:
        raise BodyError(exc.status, exc.message) from None
    pairs: Pairs
    try:
        if kind == FORM_TYPES[0]:
            text = body.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_POST_FIELDS, errors="strict")
        else:
            replayed = Request(request.scope, receive=_replay(body))
            form = await replayed.form(max_files=0, max_fields=MAX_POST_FIELDS, max_part_size=MAX_POST_BYTES)
            if any(not isinstance(value, str) for _, value in form.multi_items()):
                raise BodyError(400, "files are not accepted")
            pairs = [(name, str(value)) for name, value in form.multi_items()]
    except (UnicodeDecodeError, ValueError, MultiPartException) as exc:
        raise BodyError(400, f"the form could not be read: {exc}") from None
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise BodyError(400, "the form holds a NUL character")
    return list(pairs)
