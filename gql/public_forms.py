"""publishedForm: the root field anyone may read (anon, anonymous sign-ins and users alike)."""

from __future__ import annotations

import strawberry

from domain.errors import bad_input
from gql.ids import parse_global_id
from gql.types.base import Info
from gql.types.published_form import PublishedForm
from resolvers.public_forms import public_base_url, published_form


@strawberry.type
class PublicFormQuery:
    @strawberry.field(
        description="A published form's public definition, by its LeadForm ID or its slug (give exactly one); no "
        "token needed. Null for an unknown, unpublished or deleted form."
    )
    async def published_form(
        self, info: Info, id: strawberry.ID | None = None, slug: str | None = None
    ) -> PublishedForm | None:
        if (id is None) == (slug is None):
            raise bad_input("id" if id is not None else "slug", "give exactly one of id and slug")
        ctx = info.context
        if id is not None:
            parsed = parse_global_id(id)
            if parsed is None:
                raise bad_input("id", "id: not a valid ID")
            if parsed[0] != "LeadForm":
                return None  # no such form, as for an unknown one
            form = await published_form(ctx, form_id=parsed[1])
        else:
            form = await published_form(ctx, slug=slug)
        return None if form is None else PublishedForm.of(form, public_base_url(ctx))
