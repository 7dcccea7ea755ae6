"""A lead as actions see it: the JSON document webhooks and integration pushes carry, and text templates that
name its fields the way the API does (`{{lead.firstName}}`, `{{lead.company.name}}`).

Templates: on top of domain/workflows/templates.py (`{{first_name}}`, `{{firstName}}`, `{{custom_fields.x}}`),
a variable may start with `lead.` and name the lead's company: `company.name`, `company.website`,
`company.industry`, `company.companySize` (with or without `lead.`). A missing value renders empty. The text is
plain: nothing is escaped.

The document uses the API's camelCase names and database ids (bare UUIDs); the company comes with it when the
reader (the workflow's or integration's owner, under RLS) can see it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import re
import uuid
from collections.abc import Mapping
from typing import Any

from db import workflow_actions as sql
from db.session import RequestSession
from domain.workflows.templates import render, template_problems

COMPANY_VARIABLES = ("company_name", "company_website", "company_industry", "company_size")
_ANY_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*)\s*\}\}")
_COMPANY_FIELDS = {"name": "name", "website": "website", "industry": "industry", "companysize": "size", "size": "size"}

DOCUMENT_FIELDS = {
    "id": "id",
    "space_id": "spaceId",
    "user_id": "ownerId",
    "first_name": "firstName",
    "last_name": "lastName",
    "email": "email",
    "phone": "phone",
    "job_title": "jobTitle",
    "status": "status",
    "score": "score",
    "stage_id": "stageId",
    "source_id": "sourceId",
    "company_id": "companyId",
    "assigned_to": "assignedTo",
    "form_id": "formId",
    "custom_fields": "customFields",
    "budget": "budget",
    "authority": "authority",
    "need": "need",
    "timeline": "timeline",
    "converted_to_customer": "convertedToCustomer",
    "customer_id": "customerId",
    "last_activity_at": "lastActivityAt",
    "created_at": "createdAt",
    "updated_at": "updatedAt",
}


def _name(raw: str) -> str:
    """A placeholder's name as templates.py knows it: `lead.` dropped, `company.x` as `company_x`."""
    name = raw[len("lead.") :] if raw.startswith("lead.") else raw
    if name.startswith("company."):
        field = name[len("company.") :].replace("_", "").lower()
        return f"company_{_COMPANY_FIELDS.get(field, field)}"
    return name


def normalise(text: str) -> str:
    """The template in templates.py's own terms."""
    return _ANY_PLACEHOLDER.sub(lambda match: "{{" + _name(match.group(1)) + "}}", text)


def lead_template_problems(text: Any, *, max_length: int = 10_000) -> list[str]:
    """What is wrong with a template that may use `lead.` and `company.` variables."""
    if not isinstance(text, str):
        return ["must be a string"]
    if len(text) > max_length:
        return [f"at most {max_length} characters"]
    normalised = normalise(text)
    return template_problems(normalised, extra=COMPANY_VARIABLES, max_length=max(max_length, len(normalised)))


def render_lead_text(text: str, variables: Mapping[str, str]) -> str:
    """The template rendered with `variables` (missing ones empty)."""
    return render(normalise(text), variables)


async def company_of(session: RequestSession, lead: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The lead's company as the session's caller sees it (None without one, or when RLS hides it)."""
    if lead.get("company_id") is None:
        return None
    row = await session.fetchrow(sql.COMPANY, lead["company_id"])
    return dict(row) if row is not None else None


def company_variables(company: Mapping[str, Any] | None) -> dict[str, str]:
    """Template values of the company's fields (empty without a company)."""
    company = company or {}
    values = {
        "company_name": company.get("name"),
        "company_website": company.get("website"),
        "company_industry": company.get("industry"),
        "company_size": company.get("company_size"),
    }
    return {name: "" if value is None else str(value) for name, value in values.items()}


def json_value(value: Any) -> Any:
    """A column's value as JSON: ids and numbers as text where the API gives text, times in ISO 8601."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_value(v) for v in value]
    return value


def lead_document(lead: Mapping[str, Any], company: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The lead as JSON (the API's field names), with its company when given."""
    document = {name: json_value(lead.get(column)) for column, name in DOCUMENT_FIELDS.items()}
    if company is not None:
        document["company"] = {
            "id": json_value(company.get("id")),
            "name": company.get("name"),
            "website": company.get("website"),
            "industry": company.get("industry"),
            "companySize": company.get("company_size"),
        }
    return document
