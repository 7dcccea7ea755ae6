"""Published forms as anyone may read them (by id or by slug): one call of a `leadgen` function, no table access."""

from __future__ import annotations

import uuid

from db import forms as sql
from domain.submissions import PublicForm
from resolvers.context import Context


async def published_form(
    ctx: Context, *, form_id: uuid.UUID | None = None, slug: str | None = None
) -> PublicForm | None:
    """The public definition of a published form, or None for an unknown, unpublished or deleted one."""
    if form_id is not None:
        doc = await ctx.session.fetchval(sql.PUBLISHED_FORM, form_id)
    elif slug is not None:
        if len(slug) > 200:  # no slug is this long: spare the database
            return None
        doc = await ctx.session.fetchval(sql.PUBLISHED_FORM_BY_SLUG, slug)
    else:
        return None
    return None if doc is None else PublicForm.from_json(doc)


def public_base_url(ctx: Context) -> str:
    """Where the hosted pages are: LEADGEN_PUBLIC_URL, else the origin the request came to (development)."""
    return str(ctx.request_info.get("public_url") or "http://localhost:8000")
