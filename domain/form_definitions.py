"""Form definitions: field types, options, validation rules and form settings, each problem naming its field.

The same checks run when a field is created or changed (`input.validationRules.pattern`), when form settings
are written (`input.formSettings.redirectUrl`) and when a form is published (`fields.email.options`). Patterns
are matched by Postgres, so Postgres alone judges them (Python's `re` accepts `(?P<n>x)`, Postgres refuses it): the
resolvers ask `leadgen.regex_problem` and pass its verdicts in (this module has no I/O). The database re-checks
every rule here for every writer (supabase/migrations/20261206140200_form_definition_checks.sql, whose SQL words
them the same way: tests/test_form_rules.py compares the two).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain import validation as v
from domain.errors import AppError

FIELD_TYPES = (
    "text",
    "textarea",
    "email",
    "phone",
    "number",
    "url",
    "date",
    "select",
    "multiselect",
    "checkbox",
    "hidden",
)
STRING_TYPES = frozenset({"text", "textarea", "email", "phone", "url", "hidden"})
CHOICE_TYPES = frozenset({"select", "multiselect"})

MAX_VALUE_CHARS = 5000  # the longest string value a submission may carry (Postgres checks the same)
MAX_OPTIONS = 200
MAX_OPTION_CHARS = 200
MAX_PATTERN_CHARS = 500
MAX_DOMAINS = 200
MAX_THEME_BYTES = 4096
MAX_SECONDS_TO_SUBMIT = 3600

# rule -> the field types it fits
RULE_TYPES: dict[str, frozenset[str]] = {
    "minLength": STRING_TYPES,
    "maxLength": STRING_TYPES,
    "pattern": STRING_TYPES,
    "min": frozenset({"number"}),
    "max": frozenset({"number"}),
    "allowedDomains": frozenset({"email"}),
    "blockedDomains": frozenset({"email"}),
    "blockFreeEmail": frozenset({"email"}),
}
SETTINGS = (
    "theme",
    "successMessage",
    "redirectUrl",
    "honeypotField",
    "minSecondsToSubmit",
    "submitLabel",
    "consentText",
    "allowedOrigins",
)
# theme colours the hosted page and the embed use (camelCase, or the snake_case older themes have): #RRGGBB only
THEME_COLOURS = ("primaryColor", "backgroundColor", "textColor", "primary_color", "background_color", "text_color")
HEX_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
ORIGIN = re.compile(r"https?://[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?(:[0-9]{1,5})?", re.IGNORECASE)
MAX_ORIGINS = 50
FIELD_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,62}")
DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?")

# pattern -> why Postgres cannot use it (None: it can); what `leadgen.regex_problem` answered
PatternVerdicts = Mapping[str, str | None]


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and where: `input.validationRules.pattern`, `values.email`."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


def invalid(problems: Sequence[Problem], what: str = "invalid input") -> AppError:
    """BAD_USER_INPUT naming the first field (`extensions.field`) and listing all (`extensions.fields`)."""
    listed = "; ".join(f"{p.field}: {p.message}" for p in problems)
    message = listed if len(problems) == 1 else f"{what}: {listed}"
    return AppError("BAD_USER_INPUT", message, field=problems[0].field, fields=[p.as_dict() for p in problems])


def raise_problems(problems: Sequence[Problem], what: str = "invalid input") -> None:
    if problems:
        raise invalid(problems, what)


@dataclass(frozen=True)
class FieldDefinition:
    """A form field as stored: lead_form_fields' field_name, field_type, is_required, options, validation_rules."""

    name: str
    type: str
    required: bool
    options: Any
    rules: Any

    def pattern(self) -> str | None:
        rule = self.rules.get("pattern") if isinstance(self.rules, dict) else None
        return rule if isinstance(rule, str) else None


def patterns_to_judge(definitions: Iterable[FieldDefinition]) -> list[str]:
    """The patterns of these definitions Postgres must judge (those of an acceptable length), each once."""
    found = (d.pattern() for d in definitions)
    return list(dict.fromkeys(p for p in found if p is not None and 1 <= len(p) <= MAX_PATTERN_CHARS))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: Any) -> bool:
    return (_is_int(value) or isinstance(value, float)) and math.isfinite(value)


def option_problems(field_type: str, options: Any, path: str) -> list[Problem]:
    field = f"{path}.options"
    if not isinstance(options, list):
        return [Problem(field, "must be a JSON array")]
    if field_type not in CHOICE_TYPES and field_type != "checkbox":
        return [] if not options else [Problem(field, "only select, multiselect and checkbox fields have options")]
    if not options:
        return [] if field_type == "checkbox" else [Problem(field, f"a {field_type} field needs at least one option")]
    if len(options) > MAX_OPTIONS:
        return [Problem(field, f"at most {MAX_OPTIONS} options")]
    if not all(isinstance(o, str) and o.strip() and len(o) <= MAX_OPTION_CHARS for o in options):
        return [Problem(field, f"each option must be a non-blank string of at most {MAX_OPTION_CHARS} characters")]
    if len(set(options)) != len(options):
        return [Problem(field, "options must be unique")]
    return []


def _domains_problem(value: Any) -> str | None:
    if not isinstance(value, list) or not value or len(value) > MAX_DOMAINS:
        return f"a list of 1 to {MAX_DOMAINS} domains"
    if not all(isinstance(d, str) and DOMAIN.fullmatch(d.lower()) for d in value):
        return "each entry must be a domain such as example.com"
    if len({d.lower() for d in value}) != len(value):
        return "domains must be unique"
    return None


def _pattern_problem(value: Any, verdicts: PatternVerdicts) -> str | None:
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_PATTERN_CHARS:
        return f"a regular expression of 1 to {MAX_PATTERN_CHARS} characters"
    return verdicts.get(value)


def _rule_problem(key: str, value: Any, verdicts: PatternVerdicts) -> str | None:
    if key in ("minLength", "maxLength"):
        ok = _is_int(value) and 0 <= value <= MAX_VALUE_CHARS
        return None if ok else f"a whole number from 0 to {MAX_VALUE_CHARS}"
    if key in ("min", "max"):
        return None if is_number(value) else "a number"
    if key == "pattern":
        return _pattern_problem(value, verdicts)
    if key in ("allowedDomains", "blockedDomains"):
        return _domains_problem(value)
    return None if isinstance(value, bool) else "true or false"  # blockFreeEmail


def rule_problems(field_type: str, rules: Any, path: str, verdicts: PatternVerdicts) -> list[Problem]:
    base = f"{path}.validationRules"
    if not isinstance(rules, dict):
        return [Problem(base, "must be a JSON object")]
    problems: list[Problem] = []
    for key, value in rules.items():
        field = f"{base}.{key}"
        if key not in RULE_TYPES:
            problems.append(Problem(field, f"unknown rule; known rules: {', '.join(RULE_TYPES)}"))
        elif field_type not in RULE_TYPES[key]:
            problems.append(Problem(field, f"does not apply to {field_type} fields"))
        elif (problem := _rule_problem(key, value, verdicts)) is not None:
            problems.append(Problem(field, problem))
    if problems:
        return problems
    for low, high in (("minLength", "maxLength"), ("min", "max")):
        if low in rules and high in rules and rules[low] > rules[high]:
            problems.append(Problem(f"{base}.{low}", f"must not be greater than {high}"))
    return problems


def field_problems(definition: FieldDefinition, path: str, verdicts: PatternVerdicts | None = None) -> list[Problem]:
    """Everything wrong with a field's definition; `path` prefixes the names (`input`, `fields.email`).

    `verdicts`: Postgres's verdict on its pattern (see patterns_to_judge); a pattern left out counts as valid."""
    if definition.type not in FIELD_TYPES:
        return [Problem(f"{path}.fieldType", f"must be one of {', '.join(FIELD_TYPES)}")]
    return option_problems(definition.type, definition.options, path) + rule_problems(
        definition.type, definition.rules, path, verdicts or {}
    )


def _setting_problem(key: str, value: Any) -> str | None:
    if key == "theme":
        if isinstance(value, str):
            return None if len(value) <= 100 else "at most 100 characters"
        if isinstance(value, dict):
            size = len(json.dumps(value, ensure_ascii=False).encode())
            return None if size <= MAX_THEME_BYTES else f"at most {MAX_THEME_BYTES} bytes of JSON"
        return "a name or a JSON object"
    if key in ("successMessage", "submitLabel", "consentText"):
        longest = 100 if key == "submitLabel" else 1000
        ok = isinstance(value, str) and value.strip() and len(value) <= longest
        return None if ok else f"a non-blank string of at most {longest} characters"
    if key == "redirectUrl":
        try:
            v.url(value if isinstance(value, str) else "", key)
        except AppError:
            return "an http(s) URL"
        return None
    if key == "allowedOrigins":
        ok = isinstance(value, list) and 1 <= len(value) <= MAX_ORIGINS
        ok = ok and all(isinstance(o, str) and ORIGIN.fullmatch(o) for o in value)
        return None if ok else f"a list of 1 to {MAX_ORIGINS} origins such as https://www.example.com (no path)"
    if key == "honeypotField":
        return None if isinstance(value, str) and FIELD_NAME.fullmatch(value) else "the name of a hidden field"
    ok = is_number(value) and 0 <= value <= MAX_SECONDS_TO_SUBMIT  # minSecondsToSubmit
    return None if ok else f"a number of seconds from 0 to {MAX_SECONDS_TO_SUBMIT}"


def settings_problems(settings: Any, path: str) -> list[Problem]:
    if not isinstance(settings, dict):
        return [Problem(path, "must be a JSON object")]
    problems: list[Problem] = []
    for key, value in settings.items():
        if key not in SETTINGS:
            problems.append(Problem(f"{path}.{key}", f"unknown setting; known settings: {', '.join(SETTINGS)}"))
        elif (problem := _setting_problem(key, value)) is not None:
            problems.append(Problem(f"{path}.{key}", problem))
        elif key == "theme" and isinstance(value, dict):
            problems += [
                Problem(f"{path}.theme.{name}", "a hex colour such as #3B82F6")
                for name in sorted(value)
                if name in THEME_COLOURS and not (isinstance(value[name], str) and HEX_COLOUR.fullmatch(value[name]))
            ]
    return problems


def form_settings(value: Any, field: str) -> Any:
    """Column validator of lead_forms.form_settings (refuses with every problem listed)."""
    if value is not None:
        raise_problems(settings_problems(value, field), f"{field} is invalid")
    return value


def publish_problems(
    settings: Mapping[str, Any], fields: Sequence[FieldDefinition], verdicts: PatternVerdicts | None = None
) -> list[Problem]:
    """Why a form cannot be published: no fields, an invalid field or invalid settings."""
    problems = settings_problems(settings, "formSettings")
    for definition in fields:
        problems += field_problems(definition, f"fields.{definition.name}", verdicts)
    honeypot = settings.get("honeypotField") if isinstance(settings, dict) else None
    by_name = {d.name: d for d in fields}
    if isinstance(honeypot, str) and FIELD_NAME.fullmatch(honeypot):
        trap = by_name.get(honeypot)
        if trap is None or trap.type != "hidden" or trap.required:
            problems.append(Problem("formSettings.honeypotField", "must name an optional hidden field of the form"))
    if not [d for d in fields if d.name != honeypot]:
        problems.insert(0, Problem("fields", "a form needs at least one field to be published"))
    return problems
