"""The one template language of every workflow action: `{{ variable }}` placeholders filled from the lead, its
company and the workflow.

A variable names a lead field as the API does or as the database does, with or without `lead.`:
`{{lead.firstName}}`, `{{firstName}}`, `{{first_name}}` are the same. The lead's fields: first_name, last_name,
full_name, email, phone, job_title, status, score, budget, authority, need, timeline, lead_id; its company:
`{{lead.company.name}}` (`website`, `industry`, `companySize`; also `{{company_name}}` ...); a custom field:
`{{customFields.plan}}` (or `custom_fields.plan`; a list is joined with ", "); and `{{workflow_name}}`. A
variable without a value (no company, an empty field) renders as the empty string; the text is plain, nothing
is escaped. An action may allow more variables of its own (`extra`: e.g. an assignee's name) and pass their
values when it renders. `template_problems` is what an action's `validate` reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}")
LEAD_VARIABLES = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "status",
    "score",
    "budget",
    "authority",
    "need",
    "timeline",
)
# the company's fields: what a template may name after `company.` -> the variable
COMPANY_FIELDS = {"name": "company_name", "website": "company_website", "industry": "company_industry"}
COMPANY_FIELDS |= {"companysize": "company_size", "size": "company_size"}
COMPANY_COLUMNS = {"company_name": "name", "company_website": "website", "company_industry": "industry"}
COMPANY_COLUMNS |= {"company_size": "company_size"}
VARIABLES = frozenset({*LEAD_VARIABLES, *COMPANY_COLUMNS, "full_name", "lead_id", "workflow_name"})
CUSTOM_PREFIX = "custom_fields."


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()


def canonical(name: str) -> str:
    """A placeholder's variable in snake_case: `lead.` dropped, `company.x` as `company_x`, a custom field's
    name kept as written."""
    name = name.removeprefix("lead.")
    head, dot, rest = name.partition(".")
    head = _snake(head)
    if head == "company" and dot:
        return COMPANY_FIELDS.get(rest.replace("_", "").lower(), f"company.{rest}")
    return f"{head}{dot}{rest}"


def template_problems(text: Any, *, extra: Iterable[str] = (), max_length: int = 10_000) -> list[str]:
    """What is wrong with a template (not a string, too long, an unknown variable, a stray `{{`)."""
    if not isinstance(text, str):
        return ["must be a string"]
    if len(text) > max_length:
        return [f"at most {max_length} characters"]
    allowed = VARIABLES | {_snake(name) for name in extra}
    problems = []
    for match in PLACEHOLDER.finditer(text):
        name = canonical(match.group(1))
        if name not in allowed and not (name.startswith(CUSTOM_PREFIX) and "." not in name[len(CUSTOM_PREFIX) :]):
            known = ", ".join(sorted(allowed))
            problems.append(
                f"unknown variable {{{{{match.group(1)}}}}}; known: {known}, lead.company.name (website, industry,"
                " companySize) and customFields.<name>; each also as lead.<name> and in camelCase"
            )
    if "{{" in PLACEHOLDER.sub("", text):
        problems.append("a '{{' that is not a {{variable}}")
    return problems


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_text(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def template_variables(
    lead: Mapping[str, Any],
    workflow: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
    company: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The values of every variable for this lead (a row of public.leads), its company (a row of
    public.companies, or None) and the workflow."""
    values = {name: _text(lead.get(name)) for name in LEAD_VARIABLES}
    values["full_name"] = " ".join(part for part in (values["first_name"], values["last_name"]) if part)
    values["lead_id"] = _text(lead.get("id"))
    values["workflow_name"] = _text((workflow or {}).get("name"))
    values.update({name: _text((company or {}).get(column)) for name, column in COMPANY_COLUMNS.items()})
    custom = lead.get("custom_fields")
    if isinstance(custom, Mapping):
        values.update({f"{CUSTOM_PREFIX}{key}": _text(value) for key, value in custom.items()})
    values.update({_snake(name): _text(value) for name, value in (extra or {}).items()})
    return values


def render(text: str, variables: Mapping[str, str]) -> str:
    """The template with each `{{ variable }}` replaced by its value (unknown or missing: empty)."""
    return PLACEHOLDER.sub(lambda match: variables.get(canonical(match.group(1)), ""), text)
