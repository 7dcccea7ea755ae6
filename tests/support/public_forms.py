"""Forms built and published through GraphQL for the public form tests (hosted page, embed, publishedForm)."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from tests.support.api import BOB, SPACE, ApiClient
from tests.support.mutations import admin_val, gid, ok

CREATE_FORM = "mutation($input: CreateLeadFormInput!) { createLeadForm(input: $input) { id slug publicUrl } }"
CREATE_FIELD = "mutation($input: CreateFormFieldInput!) { createFormField(input: $input) { id fieldOrder } }"
PUBLISH = "mutation($id: ID!) { publishForm(id: $id) { id isPublished } }"

# every field type, with labels and options that hold HTML (they must show as text)
EVERY_TYPE: list[dict[str, Any]] = [
    {"fieldName": "first_name", "fieldType": "TEXT", "label": "First name", "isRequired": True},
    {"fieldName": "last_name", "fieldType": "TEXT", "label": "Last name", "placeholder": "Lovelace"},
    {
        "fieldName": "email",
        "fieldType": "EMAIL",
        "label": "Work email",
        "isRequired": True,
        "validationRules": {"blockFreeEmail": True},
    },
    {"fieldName": "phone", "fieldType": "PHONE", "label": "Phone"},
    {"fieldName": "company", "fieldType": "TEXT", "label": "Company <b>name</b>"},
    {"fieldName": "website", "fieldType": "URL", "label": "Website"},
    {"fieldName": "job_title", "fieldType": "TEXT", "label": "Job title"},
    {"fieldName": "budget", "fieldType": "NUMBER", "label": "Budget", "validationRules": {"min": 0, "max": 1000000}},
    {"fieldName": "start", "fieldType": "DATE", "label": "Start date"},
    {
        "fieldName": "company_size",
        "fieldType": "SELECT",
        "label": "Company size",
        "options": ["1-10", "11-50", "51-200", "<script>alert(1)</script>"],
    },
    {"fieldName": "topics", "fieldType": "MULTISELECT", "label": "Topics", "options": ["SEO", "Ads", "Content"]},
    {"fieldName": "channels", "fieldType": "CHECKBOX", "label": "Reach me by", "options": ["By email", "By phone"]},
    {
        "fieldName": "ref_code",
        "fieldType": "TEXT",
        "label": "Referral code",
        "validationRules": {"pattern": "^[A-Z]{3}-[0-9]{4}$"},
    },
    {"fieldName": "message", "fieldType": "TEXTAREA", "label": "Message", "validationRules": {"maxLength": 500}},
    {"fieldName": "newsletter", "fieldType": "CHECKBOX", "label": "Send me the newsletter"},
    {"fieldName": "plan", "fieldType": "HIDDEN", "label": "Plan"},
    {"fieldName": "hp_check", "fieldType": "HIDDEN", "label": "Leave empty"},
]
EVERY_TYPE_SETTINGS: dict[str, Any] = {
    "successMessage": "Thanks <i>so</i> much!\nWe will call you.",
    "submitLabel": "Send it",
    "consentText": "We use your details to answer you. <a href='x'>Privacy</a>",
    "honeypotField": "hp_check",
    "theme": {"primaryColor": "#0F766E", "backgroundColor": "#F8FAFC", "textColor": "#0F172A"},
}


@dataclass(frozen=True)
class BuiltForm:
    id: str  # global id
    slug: str
    public_url: str


async def build_form(
    api: ApiClient,
    name: str,
    fields: list[dict[str, Any]],
    settings: dict[str, Any] | None = None,
    *,
    as_user: str = BOB,
    space: str | None = SPACE,
    title: str | None = None,
    description: str | None = None,
    slug: str | None = None,
    publish: bool = True,
) -> BuiltForm:
    """A form of the demo space (or personal, with space=None) with these fields, published unless told not to."""
    form_input: dict[str, Any] = {"name": name, "formSettings": settings or {}}
    for key, value in (
        ("space", gid("Space", space) if space else None),
        ("title", title),
        ("description", description),
        ("slug", slug),
    ):
        if value is not None:
            form_input[key] = value
    created = ok(await api.gql(CREATE_FORM, {"input": form_input}, as_user=as_user))["createLeadForm"]
    for spec in fields:
        spec_input = {"label": spec["fieldName"], **spec, "form": created["id"]}
        ok(await api.gql(CREATE_FIELD, {"input": spec_input}, as_user=as_user))
    if publish:
        ok(await api.gql(PUBLISH, {"id": created["id"]}, as_user=as_user))
    return BuiltForm(created["id"], created["slug"], created["publicUrl"])


async def lift_rate_limits(api: ApiClient) -> None:
    """All of a module's requests come from one address: its limits would otherwise stop the tests."""
    await admin_val(
        api,
        "update private.form_submission_limits set per_client_limit = 100000, per_form_limit = 100000,"
        " per_form_address_percent = 100, per_form_network_percent = 100",
    )


class _Inputs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inputs: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            self.inputs.append(dict(attrs))


def page_inputs(html: str) -> list[dict[str, str | None]]:
    """The attributes of every <input> of a page."""
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def hidden_meta(html: str) -> dict[str, str]:
    """The page's meta fields (_lg_*) as the browser would post them back."""
    return {
        str(i["name"]): str(i.get("value") or "")
        for i in page_inputs(html)
        if i.get("type") == "hidden" and str(i.get("name")).startswith("_lg_")
    }
