"""The hosted form page as HTML: server-rendered, no script, every stored text escaped, errors tied to their fields.

Theme colours reach the page as CSS custom properties in one inline <style>, allowed by its hash in the page's
Content-Security-Policy (server/form_pages.py); everything else comes from /f/form.css.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

from domain.form_values import PublicField
from domain.posted_values import IDEMPOTENCY_KEY, PAGE_URL, REFERRER, RENDERED
from domain.public_forms import PageSettings, Theme
from domain.submissions import PublicForm

INPUT_TYPES = {"text": "text", "email": "email", "phone": "tel", "number": "text", "url": "url", "date": "date"}
# the browser's autofill, for the field names submissions map to lead columns
AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "email": "email",
    "phone": "tel",
    "company": "organization",
    "job_title": "organization-title",
    "website": "url",
}
INPUT_MODES = {"number": "decimal", "phone": "tel", "email": "email", "url": "url"}


def e(text: object) -> str:
    return escape(str(text), quote=True)


@dataclass(frozen=True)
class PageState:
    """What the page holds: the values entered (kept after errors), the errors, and its meta fields."""

    stamp: str
    idempotency_key: str
    page_url: str | None = None
    referrer: str | None = None
    entered: Mapping[str, Sequence[str]] = field(default_factory=dict)
    errors: Mapping[str, str] = field(default_factory=dict)  # field name -> message
    form_errors: Sequence[str] = ()  # problems of no field (e.g. sent too soon)


@dataclass(frozen=True)
class RenderedPage:
    html: str
    style_hashes: tuple[str, ...]  # 'sha256-...' of the inline <style> elements, for the CSP


def on_colour(colour: str) -> str:
    """Black or white, whichever reads better on `colour` (#RRGGBB)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#FFFFFF" if (1.05 / (luminance + 0.05)) >= 4.5 else "#111111"


def theme_css(theme: Theme) -> str:
    return (
        f":root{{--lg-primary:{theme.primary};--lg-on-primary:{on_colour(theme.primary)};"
        f"--lg-bg:{theme.background};--lg-text:{theme.text}}}"
    )


def style_hash(css: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(css.encode()).digest()).decode("ascii")


def _document(title: str, body: str, theme: Theme, stylesheet: str) -> RenderedPage:
    css = theme_css(theme)
    page = (
        '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="robots" content="noindex">\n<title>{e(title)}</title>\n'
        f'<link rel="stylesheet" href="{e(stylesheet)}">\n<style>{css}</style>\n</head>\n'
        f'<body class="lg-page">\n<main class="lg-card">\n{body}</main>\n</body>\n</html>\n'
    )
    return RenderedPage(page, (style_hash(css),))


def _heading(form: PublicForm) -> str:
    parts = [f'<h1 class="lg-title">{e(form.title)}</h1>\n'] if form.title else []
    if form.description:
        parts.append(f'<p class="lg-description">{e(form.description)}</p>\n')
    return "".join(parts)


def message_page(
    form: PublicForm | None,
    page: PageSettings | None,
    theme: Theme,
    message: str,
    *,
    kind: str,
    stylesheet: str,
    title: str = "Form",
) -> RenderedPage:
    """The page after a submission (kind "success") or instead of the form ("problem")."""
    role = "status" if kind == "success" else "alert"
    heading = _heading(form) if form is not None else f'<h1 class="lg-title">{e(title)}</h1>\n'
    body = f'{heading}<p class="lg-{kind}" role="{role}">{e(message)}</p>\n'
    return _document((form.title if form else None) or title, body, theme, stylesheet)


def _input_id(name: str) -> str:
    return f"lg-f-{name}"


def _described(name: str, errors: Mapping[str, str]) -> str:
    if name not in errors:
        return ""
    return f' aria-invalid="true" aria-describedby="{_input_id(name)}-error"'


def _error(name: str, errors: Mapping[str, str]) -> str:
    if name not in errors:
        return ""
    return f'<p class="lg-error" id="{_input_id(name)}-error">{e(errors[name])}</p>\n'


def _required(spec: PublicField) -> str:
    return '<span class="lg-required" aria-hidden="true"> *</span>' if spec.required else ""


def _choices(spec: PublicField, entered: Sequence[str], errors: Mapping[str, str]) -> str:
    """Checkboxes in a fieldset: multiselect fields and checkbox fields with options."""
    boxes = []
    for n, option in enumerate(spec.options):
        box_id = f"{_input_id(spec.name)}-{n}"
        checked = " checked" if str(option) in entered else ""
        boxes.append(
            f'<div class="lg-choice"><input type="checkbox" id="{box_id}" name="{e(spec.name)}" '
            f'value="{e(option)}"{checked}{_described(spec.name, errors)}>'
            f'<label for="{box_id}">{e(option)}</label></div>\n'
        )
    hidden = '<span class="lg-visually-hidden"> (required)</span>' if spec.required else ""
    described = f' aria-describedby="{_input_id(spec.name)}-error"' if spec.name in errors else ""
    return (
        f'<fieldset class="lg-field lg-group" id="{_input_id(spec.name)}"{described}>\n'
        f"<legend>{e(spec.label)}{_required(spec)}{hidden}</legend>\n{_error(spec.name, errors)}"
        + "".join(boxes)
        + "</fieldset>\n"
    )


def _control(spec: PublicField, entered: Sequence[str], errors: Mapping[str, str]) -> str:
    name, ident = e(spec.name), _input_id(spec.name)
    value = entered[0] if entered else ""
    common = f'id="{ident}" name="{name}"' + (" required" if spec.required else "") + _described(spec.name, errors)
    placeholder = f' placeholder="{e(spec.placeholder)}"' if spec.placeholder else ""
    if spec.type == "textarea":
        return f'<textarea {common} rows="5"{placeholder}>{e(value)}</textarea>\n'
    if spec.type == "select":
        options = ['<option value="">Choose…</option>'] + [
            f'<option value="{e(o)}"{" selected" if str(o) == value else ""}>{e(o)}</option>' for o in spec.options
        ]
        return f"<select {common}>{''.join(options)}</select>\n"
    extra = placeholder
    if spec.name in AUTOCOMPLETE:
        extra += f' autocomplete="{AUTOCOMPLETE[spec.name]}"'
    if spec.type in INPUT_MODES:
        extra += f' inputmode="{INPUT_MODES[spec.type]}"'
    return f'<input type="{INPUT_TYPES.get(spec.type, "text")}" {common} value="{e(value)}"{extra}>\n'


def field_html(spec: PublicField, entered: Sequence[str], errors: Mapping[str, str], honeypot: str | None) -> str:
    if spec.name == honeypot:
        # out of sight and out of the tab order, but no display:none: bots that fill every input fill it
        return (
            f'<div class="lg-hp" aria-hidden="true"><label for="{_input_id(spec.name)}">Leave this empty</label>'
            f'<input type="text" id="{_input_id(spec.name)}" name="{e(spec.name)}" value="" tabindex="-1" '
            'autocomplete="off"></div>\n'
        )
    if spec.type == "hidden":
        value = entered[0] if entered else ""
        return f'<input type="hidden" name="{e(spec.name)}" value="{e(value)}">\n'
    if spec.type == "multiselect" or (spec.type == "checkbox" and spec.options):
        return _choices(spec, entered, errors)
    if spec.type == "checkbox":
        checked = " checked" if entered else ""
        return (
            f'<div class="lg-field lg-check"><input type="checkbox" id="{_input_id(spec.name)}" name="{e(spec.name)}" '
            f'value="true"{checked}{" required" if spec.required else ""}{_described(spec.name, errors)}>'
            f'<label for="{_input_id(spec.name)}">{e(spec.label)}{_required(spec)}</label>\n'
            f"{_error(spec.name, errors)}</div>\n"
        )
    return (
        f'<div class="lg-field"><label for="{_input_id(spec.name)}">{e(spec.label)}{_required(spec)}</label>\n'
        f"{_error(spec.name, errors)}{_control(spec, entered, errors)}</div>\n"
    )


def _summary(form: PublicForm, state: PageState) -> str:
    if not state.errors and not state.form_errors:
        return ""
    labels = {f.name: f.label for f in form.fields}
    items = [
        f'<li><a href="#{_input_id(name)}">{e(labels.get(name, name))}: {e(message)}</a></li>'
        for name, message in state.errors.items()
    ] + [f"<li>{e(message)}</li>" for message in state.form_errors]
    return (
        '<div class="lg-alert" role="alert" id="lg-summary"><p><strong>The form was not sent.</strong> '
        f"Please check:</p><ul>{''.join(items)}</ul></div>\n"
    )


def form_page(form: PublicForm, page: PageSettings, state: PageState, *, action: str, stylesheet: str) -> RenderedPage:
    meta = [(RENDERED, state.stamp), (IDEMPOTENCY_KEY, state.idempotency_key)]
    meta += [(PAGE_URL, state.page_url or ""), (REFERRER, state.referrer or "")]
    hidden = "".join(f'<input type="hidden" name="{n}" value="{e(v)}">\n' for n, v in meta)
    fields = "".join(
        field_html(spec, state.entered.get(spec.name, ()), state.errors, page.honeypot_field) for spec in form.fields
    )
    consent = f'<p class="lg-consent">{e(page.consent_text)}</p>\n' if page.consent_text else ""
    body = (
        f"{_heading(form)}{_summary(form, state)}"
        f'<form class="lg-form" method="post" action="{e(action)}" novalidate accept-charset="utf-8">\n'
        f'{hidden}{fields}{consent}<button type="submit" class="lg-button">{e(page.submit_label)}</button>\n</form>\n'
    )
    return _document(form.title or "Form", body, page.theme, stylesheet)
