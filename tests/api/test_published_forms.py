"""publishedForm for anyone, forms' slugs, publicUrl and embedSnippet, and fields appended in creation order."""

from __future__ import annotations

import uuid
from typing import Any

from gql.ids import global_id
from server.graphql_endpoint import EndpointConfig
from tests.support.api import ALICE, BOB, ERIN, ApiClient
from tests.support.http_app import admin_connection, claims_for, custom_app, sign
from tests.support.mutations import admin_val, ok, raw_id, refused
from tests.support.public_forms import EVERY_TYPE, EVERY_TYPE_SETTINGS, build_form

PUBLISHED = """
query($id: ID, $slug: String) {
  publishedForm(id: $id, slug: $slug) {
    id slug title description submitLabel successMessage redirectUrl consentText honeypotField publicUrl embedSnippet
    theme { primaryColor backgroundColor textColor }
    fields { name type label placeholder required options validationRules }
  }
}
"""
FORM = """
query($id: ID!) { node(id: $id) { ... on LeadForm { slug publicUrl embedSnippet fields { fieldName fieldOrder } } } }
"""
CREATE_FORM = "mutation($input: CreateLeadFormInput!) { createLeadForm(input: $input) { id name slug } }"
UPDATE_FORM = "mutation($id: ID!, $patch: LeadFormPatch!) { updateLeadForm(id: $id, patch: $patch) { name slug } }"
CREATE_FIELD = """
mutation($input: CreateFormFieldInput!) { createFormField(input: $input) { fieldName fieldOrder } }
"""


def anonymous_sign_in(api: ApiClient) -> str:
    return sign(api.key, claims_for(ALICE, is_anonymous=True, email=""))


async def test_anyone_reads_a_published_form_by_id_or_slug_and_nothing_private(api: ApiClient) -> None:
    form = await build_form(api, "Internal name", EVERY_TYPE, EVERY_TYPE_SETTINGS, title="Hello", description="Hi")
    callers: list[dict[str, Any]] = [{}, {"as_user": ERIN}, {"as_user": BOB}, {"token": anonymous_sign_in(api)}]
    answers = []
    for caller in callers:
        for variables in ({"id": form.id}, {"slug": form.slug}, {"slug": form.slug.upper()}):
            answers.append(ok(await api.gql(PUBLISHED, variables, **caller))["publishedForm"])
    assert all(answer == answers[0] for answer in answers)  # anon, outsiders, editors, anonymous sign-ins alike
    doc = answers[0]
    assert doc["id"] == form.id and doc["slug"] == "internal-name" and doc["title"] == "Hello"
    assert doc["submitLabel"] == "Send it" and doc["honeypotField"] == "hp_check"
    assert doc["theme"] == {"primaryColor": "#0F766E", "backgroundColor": "#F8FAFC", "textColor": "#0F172A"}
    assert [f["name"] for f in doc["fields"]] == [f["fieldName"] for f in EVERY_TYPE]  # in creation order
    email = next(f for f in doc["fields"] if f["name"] == "email")
    assert email == {
        "name": "email",
        "type": "EMAIL",
        "label": "Work email",
        "placeholder": None,
        "required": True,
        "options": [],
        "validationRules": {"blockFreeEmail": True},
    }
    assert doc["publicUrl"] == "http://test/f/internal-name"
    assert 'data-leadgen-form="internal-name"' in doc["embedSnippet"]
    assert "Internal name" not in str(doc)


async def test_unpublished_unknown_and_deleted_forms_are_null(api: ApiClient) -> None:
    draft = await build_form(api, "Not yet", EVERY_TYPE[:2], publish=False)
    gone = await build_form(api, "Gone soon", EVERY_TYPE[:2])
    await admin_val(api, "delete from public.lead_forms where id = $1", uuid.UUID(raw_id(gone.id)))
    for variables in (
        {"id": draft.id},
        {"slug": draft.slug},
        {"id": gone.id},
        {"slug": gone.slug},
        {"slug": "no-such-form"},
        {"id": global_id("LeadForm", uuid.uuid4())},
        {"id": global_id("Lead", uuid.uuid4())},  # not a form's id: no such form
    ):
        for caller in ({}, {"as_user": BOB}):
            assert ok(await api.gql(PUBLISHED, variables, **caller))["publishedForm"] is None, variables


async def test_exactly_one_of_id_and_slug(api: ApiClient) -> None:
    for variables in ({}, {"id": global_id("LeadForm", uuid.uuid4()), "slug": "x"}, {"id": "not an id"}):
        response = await api.gql(PUBLISHED, variables)
        assert response.codes == ["BAD_USER_INPUT"], response.errors


async def test_slugs_are_made_from_names_unique_and_settable(api: ApiClient) -> None:
    def create(name: str, **extra: Any) -> Any:
        return api.gql(CREATE_FORM, {"input": {"name": name, **extra}}, as_user=ALICE)

    first = ok(await create("Spring Offer!"))["createLeadForm"]
    second = ok(await create("spring offer"))["createLeadForm"]
    accented = ok(await create("Café Straße — 2027"))["createLeadForm"]
    symbols = ok(await create("!!!"))["createLeadForm"]
    assert (first["slug"], second["slug"]) == ("spring-offer", "spring-offer-2")
    assert accented["slug"] == "cafe-strasse-2027" and symbols["slug"].startswith("form")
    # another user's form has the slug: still unique (the address is global)
    erins = ok(await api.gql(CREATE_FORM, {"input": {"name": "Spring offer"}}, as_user=ERIN))["createLeadForm"]
    assert erins["slug"] == "spring-offer-3"
    chosen = ok(await create("Anything", slug="My-Landing-Page"))["createLeadForm"]
    assert chosen["slug"] == "my-landing-page"
    taken = await create("Other", slug="spring-offer")
    refused(taken, "CONFLICT")
    assert taken.errors[0]["extensions"]["constraint"] == "lead_forms_slug_key"
    for bad in ("two  words", "-edge", "a--b", "x" * 65, "ünï", ""):
        refused(await create("Bad", slug=bad), "BAD_USER_INPUT", "input.slug")
    refused(await create("Null", slug=None), "BAD_USER_INPUT", "input.slug")
    renamed = ok(await api.gql(UPDATE_FORM, {"id": first["id"], "patch": {"name": "Summer"}}, as_user=ALICE))
    assert renamed["updateLeadForm"] == {"name": "Summer", "slug": "spring-offer"}  # links keep working
    moved = ok(await api.gql(UPDATE_FORM, {"id": first["id"], "patch": {"slug": "summer"}}, as_user=ALICE))
    assert moved["updateLeadForm"]["slug"] == "summer"
    refused(await api.gql(UPDATE_FORM, {"id": second["id"], "patch": {"slug": "summer"}}, as_user=ALICE), "CONFLICT")


async def test_public_url_and_embed_snippet_use_the_configured_public_address(api: ApiClient) -> None:
    form = await build_form(api, "Snippet <form>", EVERY_TYPE[:2], title='Say "hi" <b>')
    async with custom_app(api, endpoint=EndpointConfig(public_url="https://forms.example.com")) as app:
        found = ok(await app.client.gql(FORM, {"id": form.id}, as_user=BOB))["node"]
    assert found["slug"] == "snippet-form" and found["publicUrl"] == "https://forms.example.com/f/snippet-form"
    snippet = found["embedSnippet"]
    assert '<div data-leadgen-form="snippet-form"></div>' in snippet
    assert '<script src="https://forms.example.com/f/embed.js" async></script>' in snippet
    assert '<iframe src="https://forms.example.com/f/snippet-form" title="Say &quot;hi&quot; &lt;b&gt;"' in snippet
    # without LEADGEN_PUBLIC_URL: the address the request came to (development)
    assert ok(await api.gql(FORM, {"id": form.id}, as_user=BOB))["node"]["publicUrl"] == "http://test/f/snippet-form"


async def test_new_fields_are_appended_in_creation_order(api: ApiClient) -> None:
    form = ok(await api.gql(CREATE_FORM, {"input": {"name": "Ordered"}}, as_user=ALICE))["createLeadForm"]
    orders = []
    for name in ("zeta", "alpha", "mid"):
        field_input = {"form": form["id"], "fieldName": name, "fieldType": "TEXT", "label": name}
        orders.append(ok(await api.gql(CREATE_FIELD, {"input": field_input}, as_user=ALICE))["createFormField"])
    assert [(f["fieldName"], f["fieldOrder"]) for f in orders] == [("zeta", 0), ("alpha", 1), ("mid", 2)]
    explicit = {"form": form["id"], "fieldName": "later", "fieldType": "TEXT", "label": "Later", "fieldOrder": 7}
    assert ok(await api.gql(CREATE_FIELD, {"input": explicit}, as_user=ALICE))["createFormField"]["fieldOrder"] == 7
    fields = ok(await api.gql(FORM, {"id": form["id"]}, as_user=ALICE))["node"]["fields"]
    assert [f["fieldName"] for f in fields] == ["zeta", "alpha", "mid", "later"]
    # a row written in Studio (or over REST) without a position is appended too
    async with admin_connection(api) as conn:
        await conn.execute(
            "insert into public.lead_form_fields (form_id, field_name, field_type, label) values ($1, 'late', 'text',"
            " 'Late')",
            uuid.UUID(raw_id(form["id"])),
        )
    fields = ok(await api.gql(FORM, {"id": form["id"]}, as_user=ALICE))["node"]["fields"]
    assert fields[-1] == {"fieldName": "late", "fieldOrder": 8}
