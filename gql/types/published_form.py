"""PublishedForm: what anyone (no token needed) may read of a published form to show it on a page."""

from __future__ import annotations

from typing import Any, cast

import strawberry
from strawberry.scalars import JSON

from domain.form_values import PublicField
from domain.public_forms import embed_snippet, form_url, page_settings
from domain.submissions import PublicForm
from gql.enums import FormFieldType
from gql.ids import global_id


@strawberry.type(description="A field of a published form, as a page shows it.")
class PublishedFormField:
    name: str = strawberry.field(description="Key of the value in submitForm's values.")
    type: FormFieldType
    label: str
    placeholder: str | None
    required: bool
    options: list[str] = strawberry.field(description="Choices of select, multiselect and checkbox fields.")
    validation_rules: JSON = strawberry.field(
        description="minLength, maxLength, pattern (text types); min, max (number); allowedDomains, "
        "blockedDomains, blockFreeEmail (email)."
    )

    @classmethod
    def of(cls, spec: PublicField) -> PublishedFormField:
        return cls(
            name=spec.name,
            type=FormFieldType(spec.type),
            label=spec.label,
            placeholder=spec.placeholder,
            required=spec.required,
            options=[str(o) for o in spec.options],
            validation_rules=cast(JSON, spec.rules),
        )


@strawberry.type(description="The colours of a form's page, each #RRGGBB (defaults where the form sets none).")
class FormTheme:
    primary_color: str = strawberry.field(description="Buttons, links and focus rings.")
    background_color: str
    text_color: str


@strawberry.type(
    description="The public definition of a published form: what a page needs to show it and submit it with "
    "submitForm. Nothing private: no owner, space, internal name or counts."
)
class PublishedForm:
    id: strawberry.ID = strawberry.field(description="The form's LeadForm ID (submitForm's formId).")
    slug: str | None = strawberry.field(description="The form's address: its hosted page is /f/<slug>.")
    title: str | None
    description: str | None
    fields: list[PublishedFormField] = strawberry.field(description="In display order.")
    success_message: str = strawberry.field(description="Shown after a submission (a default when unset).")
    redirect_url: str | None = strawberry.field(description="Where to send the visitor after a submission.")
    submit_label: str
    consent_text: str | None = strawberry.field(description="Shown above the submit button, as plain text.")
    theme: FormTheme
    honeypot_field: str | None = strawberry.field(
        description="A field people leave empty: render it out of sight (not display:none), and leave it empty."
    )
    public_url: str | None = strawberry.field(description="The hosted page of the form.")
    embed_snippet: str | None = strawberry.field(description="HTML that shows the form on another site.")

    @classmethod
    def of(cls, form: PublicForm, base_url: str) -> PublishedForm:
        page = page_settings(form)
        extra: dict[str, Any] = {"public_url": None, "embed_snippet": None}
        if form.slug:
            extra = {
                "public_url": form_url(base_url, form.slug),
                "embed_snippet": embed_snippet(base_url, form.slug, form.title),
            }
        return cls(
            id=strawberry.ID(global_id("LeadForm", form.id)),
            slug=form.slug,
            title=form.title,
            description=form.description,
            fields=[PublishedFormField.of(f) for f in form.fields if f.type in _TYPES],
            success_message=page.success_message,
            redirect_url=page.redirect_url,
            submit_label=page.submit_label,
            consent_text=page.consent_text,
            theme=FormTheme(
                primary_color=page.theme.primary, background_color=page.theme.background, text_color=page.theme.text
            ),
            honeypot_field=page.honeypot_field,
            **extra,
        )


_TYPES = frozenset(t.value for t in FormFieldType)
