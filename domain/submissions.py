"""Public form submissions: every value checked against its field's definition, and the spam defences.

What the database function `leadgen.submit_form` re-checks is checked here first, in the same way, so that a
visitor hears about every failing field at once; patterns are matched by Postgres (the resolver asks it), so
that a form owner's regular expression never runs in the API process. Nothing here does I/O.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from domain.form_definitions import Problem, is_number
from domain.form_values import BLANKS, MAX_URL_CHARS, URL, PublicField, is_blank, value_problem

MAX_VALUES_BYTES = 32_768  # of the values as JSON text (Postgres measures jsonb::text the same way)
MAX_UTM_CHARS = 200
MAX_IDEMPOTENCY_KEY_CHARS = 200
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class PublicForm:
    """What `leadgen.published_form` tells anyone about a published form."""

    id: uuid.UUID
    settings: dict[str, Any]
    fields: list[PublicField]
    slug: str | None = None
    title: str | None = None
    description: str | None = None

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> PublicForm:
        settings = doc.get("settings")
        return cls(
            id=uuid.UUID(str(doc["id"])),
            settings=settings if isinstance(settings, dict) else {},
            fields=[
                PublicField(
                    name=str(f["name"]),
                    type=str(f["type"]),
                    required=bool(f["required"]),
                    options=f["options"] if isinstance(f["options"], list) else [],
                    rules=f["rules"] if isinstance(f["rules"], dict) else {},
                    label=str(f.get("label") or f["name"]),
                    placeholder=f.get("placeholder") if isinstance(f.get("placeholder"), str) else None,
                )
                for f in doc.get("fields") or []
            ],
            slug=_text(doc.get("slug")),
            title=_text(doc.get("title")),
            description=_text(doc.get("description")),
        )

    def _setting(self, key: str) -> Any:
        return self.settings.get(key)

    @property
    def honeypot_field(self) -> str | None:
        value = self._setting("honeypotField")
        return value if isinstance(value, str) else None

    @property
    def min_seconds(self) -> float:
        value = self._setting("minSecondsToSubmit")
        return float(value) if is_number(value) else 0.0

    @property
    def success_message(self) -> str | None:
        value = self._setting("successMessage")
        return value if isinstance(value, str) else None

    @property
    def redirect_url(self) -> str | None:
        value = self._setting("redirectUrl")
        return value if isinstance(value, str) else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class VisitContext:
    """Where and when the visitor filled the form in (all optional)."""

    rendered_at: dt.datetime | None = None
    page_url: str | None = None
    referrer: str | None = None
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    utm_term: str | None = None
    utm_content: str | None = None

    def cleaned(self) -> VisitContext:
        """Strings trimmed, blanks dropped (a browser sends an empty referrer for a direct visit)."""

        cleaned: dict[str, Any] = {}
        for name in _TEXT_FIELDS:
            value = getattr(self, name)
            cleaned[name] = (value.strip(BLANKS) or None) if value is not None else None
        return replace(self, **cleaned)

    def problems(self) -> list[Problem]:
        found: list[Problem] = []
        for name in ("page_url", "referrer"):
            value = getattr(self, name)
            if value is not None and (len(value) > MAX_URL_CHARS or not URL.fullmatch(value)):
                found.append(Problem(f"context.{_camel(name)}", "not a valid http(s) URL"))
        for name in _TEXT_FIELDS[2:]:
            value = getattr(self, name)
            if value is not None and len(value) > MAX_UTM_CHARS:
                found.append(Problem(f"context.{_camel(name)}", f"at most {MAX_UTM_CHARS} characters"))
        return found

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {name: getattr(self, name) for name in _TEXT_FIELDS if getattr(self, name)}
        if self.rendered_at is not None:
            doc["rendered_at"] = self.rendered_at.astimezone(dt.UTC).isoformat()
        return doc


_TEXT_FIELDS = ("page_url", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def request_problems(values: Any, context: VisitContext, idempotency_key: str | None) -> list[Problem]:
    """The shape and size of a submission, before its form is even looked at."""
    found: list[Problem] = []
    if not isinstance(values, dict):
        found.append(Problem("values", "must be a JSON object"))
    else:
        try:
            text = json.dumps(values, ensure_ascii=False, allow_nan=False)
        except ValueError:
            found.append(Problem("values", "numbers must be finite"))
        else:
            if len(text.encode()) > MAX_VALUES_BYTES:
                found.append(Problem("values", f"at most {MAX_VALUES_BYTES} bytes of JSON"))
    found += context.problems()
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY_CHARS:
        found.append(Problem("idempotencyKey", f"1 to {MAX_IDEMPOTENCY_KEY_CHARS} characters"))
    return found


def honeypot_filled(form: PublicForm, values: Mapping[str, Any]) -> bool:
    name = form.honeypot_field
    return name is not None and not is_blank(values.get(name))


def timing_problem(form: PublicForm, rendered_at: dt.datetime | None, now: dt.datetime) -> Problem | None:
    """The minimum time to submit (form_settings.minSecondsToSubmit), measured from context.renderedAt."""
    least = form.min_seconds
    if least <= 0:
        return None
    if rendered_at is None:
        return Problem("context.renderedAt", "this form needs the time it was shown")
    if rendered_at > now + CLOCK_SKEW:
        return Problem("context.renderedAt", "must not be in the future")
    if (now - rendered_at).total_seconds() < least:
        return Problem(
            "context.renderedAt",
            f"submitted too soon after the form was shown: wait {least:g} seconds and send it again",
        )
    return None


@dataclass(frozen=True)
class PatternCheck:
    """A value whose field has a pattern: matched by Postgres (`value ~ pattern`)."""

    position: int
    field: str
    value: str
    pattern: str


@dataclass
class Validation:
    """The problems found so far (with their position in the form) and the patterns left to match."""

    problems: list[tuple[int, Problem]] = field(default_factory=list)
    patterns: list[PatternCheck] = field(default_factory=list)

    def result(self, failed_patterns: set[int] | None = None, extra: list[Problem] | None = None) -> list[Problem]:
        """Every problem in form order: unknown keys, then fields, then `extra` (the context)."""
        failed = [
            (check.position, Problem(check.field, "does not have the expected format"))
            for index, check in enumerate(self.patterns)
            if index in (failed_patterns or set())
        ]
        ordered = sorted(self.problems + failed, key=lambda item: item[0])
        return [problem for _, problem in ordered] + list(extra or [])


def validate_values(form: PublicForm, values: Mapping[str, Any]) -> Validation:
    known = {f.name for f in form.fields}
    found = Validation()
    found.problems += [(-1, Problem(f"values.{key}", "unknown field")) for key in sorted(set(values) - known)]
    for position, spec in enumerate(form.fields):
        value = values.get(spec.name)
        if is_blank(value):
            if spec.required:
                found.problems.append((position, Problem(f"values.{spec.name}", "is required")))
            continue
        problem = value_problem(spec, value)
        if problem is not None:
            found.problems.append((position, Problem(f"values.{spec.name}", problem)))
        elif isinstance(value, str) and isinstance(spec.rules.get("pattern"), str):
            found.patterns.append(PatternCheck(position, f"values.{spec.name}", value, spec.rules["pattern"]))
    return found


@dataclass(frozen=True)
class SubmissionOutcome:
    """What the visitor gets back: the same for a first submission, a replay and a dropped (honeypot) one."""

    submission_id: uuid.UUID
    success_message: str | None
    redirect_url: str | None
    visitor_token: str


SUBMISSION_CURSOR = "submission"


def submission_cursor(created_at: dt.datetime, submission_id: uuid.UUID) -> str:
    """An opaque cursor of a form's submissions (newest first): their keyset (created_at, id)."""
    doc = [SUBMISSION_CURSOR, created_at.isoformat(), str(submission_id)]
    return base64.b64encode(json.dumps(doc).encode()).decode("ascii")


def parse_submission_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID] | None:
    """The keyset of a cursor `submission_cursor` made, or None for anything else."""
    try:
        doc = json.loads(base64.b64decode(cursor, validate=True).decode("utf-8"))
        if not (isinstance(doc, list) and len(doc) == 3 and doc[0] == SUBMISSION_CURSOR):
            return None
        at, submission = dt.datetime.fromisoformat(str(doc[1])), uuid.UUID(str(doc[2]))
    except (ValueError, RecursionError):
        return None
    return (at, submission) if at.tzinfo is not None else None
