"""A lead as actions see it: the JSON document webhooks and integration pushes carry, and its company (templates:
domain/workflows/templates.py).

The document uses the API's camelCase names and database ids (bare UUIDs); the company comes with it when the
reader (the workflow's or integration's owner, under RLS) can see it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

from db import workflow_actions as sql
from db.session import RequestSession

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


async def company_of(session: RequestSession, lead: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The lead's company as the session's caller sees it (None without one, or when RLS hides it)."""
    if lead.get("company_id") is None:
        return None
    row = await session.fetchrow(sql.COMPANY, lead["company_id"])
    return dict(row) if row is not None else None


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
