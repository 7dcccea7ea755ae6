"""What a page shows of a published form: its settings made safe for HTML and CSS, addresses and embed snippets.

Stored settings may hold anything Studio wrote before the database checked them, so everything that reaches a
page is checked again here: colours must be #RRGGBB (they go into CSS), a redirect must be an http(s) URL, origins
must be origins. Nothing here does I/O.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from domain.errors import bad_input
from domain.form_definitions import HEX_COLOUR, ORIGIN
from domain.submissions import PublicForm

SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
MAX_SLUG_CHARS = 64
DEFAULT_SUBMIT_LABEL = "Submit"
DEFAULT_SUCCESS_MESSAGE = "Thank you! Your details were sent."
# unset colours: a neutral blue button on white
DEFAULT_COLOURS = {"primary": "#2563EB", "background": "#FFFFFF", "text": "#111827"}
_COLOUR_KEYS = {
    "primary": ("primaryColor", "primary_color"),
    "background": ("backgroundColor", "background_color"),
    "text": ("textColor", "text_color"),
}
_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def slug(value: str | None, field: str) -> str | None:
    """Validator of lead_forms.slug as given (upper case is lowered): letters, digits and single hyphens."""
    if value is None:
        return None
    cleaned = value.strip().lower()
    if len(cleaned) > MAX_SLUG_CHARS or not SLUG.fullmatch(cleaned):
        raise bad_input(
            field, f"{field}: letters, digits and single hyphens (my-form-2), at most {MAX_SLUG_CHARS} characters"
        )
    return cleaned


@dataclass(frozen=True)
class Theme:
    """Colours as #RRGGBB, each checked (a stored value that is not one falls back to the default)."""

    primary: str
    background: str
    text: str


@dataclass(frozen=True)
class PageSettings:
    success_message: str
    redirect_url: str | None
    submit_label: str
    consent_text: str | None
    theme: Theme
    honeypot_field: str | None
    allowed_origins: tuple[str, ...]  # lower case; empty: any origin


def _text(settings: dict[str, Any], key: str) -> str | None:
    value = settings.get(key)
    return value if isinstance(value, str) and value.strip() else None


def theme_of(settings: dict[str, Any]) -> Theme:
    theme = settings.get("theme")
    found = dict(DEFAULT_COLOURS)
    if isinstance(theme, dict):
        for part, keys in _COLOUR_KEYS.items():
            for key in keys:
                value = theme.get(key)
                if isinstance(value, str) and HEX_COLOUR.fullmatch(value):
                    found[part] = value.upper()
                    break
    return Theme(**found)


def safe_redirect(value: Any) -> str | None:
    """An http(s) URL with a host, no spaces or control characters, at most 2000 characters; else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    if len(url) > 2000 or _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and host else None


def url_origin(url: str) -> str | None:
    """scheme://host[:port] of an http(s) URL, as a CSP source and an Origin header spell it; None otherwise."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not host:
        return None
    origin = f"{parts.scheme.lower()}://{host.lower()}" + (f":{port}" if port is not None else "")
    return origin if ORIGIN.fullmatch(origin) else None


def allowed_origins(settings: dict[str, Any]) -> tuple[str, ...]:
    listed = settings.get("allowedOrigins")
    if not isinstance(listed, list):
        return ()
    return tuple(o.lower() for o in listed if isinstance(o, str) and ORIGIN.fullmatch(o))


def page_settings(form: PublicForm) -> PageSettings:
    settings = form.settings
    honeypot = form.honeypot_field
    return PageSettings(
        success_message=_text(settings, "successMessage") or DEFAULT_SUCCESS_MESSAGE,
        redirect_url=safe_redirect(settings.get("redirectUrl")),
        submit_label=_text(settings, "submitLabel") or DEFAULT_SUBMIT_LABEL,
        consent_text=_text(settings, "consentText"),
        theme=theme_of(settings),
        honeypot_field=honeypot if any(f.name == honeypot for f in form.fields) else None,
        allowed_origins=allowed_origins(settings),
    )


def origin_allowed(page: PageSettings, origin: str | None, own_origins: tuple[str, ...]) -> bool:
    """May a page of `origin` embed this form and submit to it? Its own pages always; others when listed (or
    when the form lists none). No Origin header (not a browser's cross-origin request): allowed."""
    if origin is None:
        return True
    if origin.lower() in own_origins:
        return True
    return not page.allowed_origins or origin.lower() in page.allowed_origins


def form_url(base_url: str, form_slug: str) -> str:
    return f"{base_url.rstrip('/')}/f/{form_slug}"


def embed_snippet(base_url: str, form_slug: str, title: str | None) -> str:
    """The HTML a site pastes: the div the script fills, the script, and the iframe for browsers without JS."""
    base = base_url.rstrip("/")
    page = html.escape(form_url(base, form_slug), quote=True)
    label = html.escape(title or "Form", quote=True)
    return (
        f'<div data-leadgen-form="{html.escape(form_slug, quote=True)}"></div>\n'
        f'<script src="{html.escape(base, quote=True)}/f/embed.js" async></script>\n'
        f'<noscript><iframe src="{page}" title="{label}" width="100%" height="720" '
        'loading="lazy" style="border:0"></iframe></noscript>'
    )
