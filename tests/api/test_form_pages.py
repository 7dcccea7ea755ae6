"""The hosted form page over HTTP (no browser): rendering and escaping, posts through submitForm's path, errors
next to their fields, spam defences, redirects, CSP and framing, per-form CORS, limits.

The browser's side (typing, keyboard, JavaScript off, the embed on another origin) is tests/browser/.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
import uuid
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest_asyncio

from domain.render_stamps import sign_rendered_at
from domain.visitor_tokens import client_hash
from server.app import Services, create_app
from server.auth import AuthSettings, TokenVerifier
from server.graphql_endpoint import EndpointConfig
from tests.support.api import ALICE, BOB, ApiClient
from tests.support.http_app import admin_connection, custom_app
from tests.support.mutations import admin_val, ok, raw_id
from tests.support.public_forms import (
    EVERY_TYPE,
    EVERY_TYPE_SETTINGS,
    BuiltForm,
    build_form,
    hidden_meta,
    lift_rate_limits,
    page_inputs,
)

SECRET = b"k" * 32
CONTACT: list[dict[str, Any]] = [
    {"fieldName": "first_name", "fieldType": "TEXT", "label": "First name", "isRequired": True},
    {"fieldName": "email", "fieldType": "EMAIL", "label": "Email", "isRequired": True},
    {"fieldName": "job_title", "fieldType": "TEXT", "label": "Job title"},
    {"fieldName": "trap", "fieldType": "HIDDEN", "label": "trap"},
]
SUBMISSIONS = """
query($id: ID!) {
  node(id: $id) { ... on LeadForm { submissions(first: 5) { totalCount nodes { values context leadCreated } } } }
}
"""
LEAD = """
query($email: String!) {
  leads(filter: {email: {eq: $email}}) {
    nodes { firstName score source { type utmSource utmMedium utmCampaign } form { id }
            activities(first: 5) { nodes { activityType activityData } } }
  }
}
"""


@pytest_asyncio.fixture(scope="module")
async def every(api: ApiClient) -> BuiltForm:
    await lift_rate_limits(api)
    return await build_form(
        api, "Every type", EVERY_TYPE, EVERY_TYPE_SETTINGS, title="Talk <to> us", description="We answer & help."
    )


async def counts(api: ApiClient) -> tuple[int, int]:
    leads = await admin_val(api, "select count(*) from public.leads")
    submissions = await admin_val(api, "select count(*) from private.form_submissions")
    return int(leads), int(submissions)


async def page(http: httpx.AsyncClient, slug: str, query: str = "", **headers: str) -> httpx.Response:
    response = await http.get(f"/f/{slug}{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response


async def post(
    http: httpx.AsyncClient, slug: str, meta: dict[str, str], values: dict[str, Any], **headers: str
) -> httpx.Response:
    pairs: list[tuple[str, str]] = list(meta.items())
    for name, value in values.items():
        pairs += [(name, v) for v in value] if isinstance(value, list) else [(name, str(value))]
    form_type = {"content-type": "application/x-www-form-urlencoded"}
    return await http.post(f"/f/{slug}", content=urlencode(pairs), headers={**form_type, **headers})


def tag_of(html: str, name: str, tag: str = "input") -> str:
    match = re.search(rf'<{tag}[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert match is not None, name
    return match.group(0)


# ---------------------------------------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------------------------------------


async def test_every_field_type_renders_escaped_with_labels(api: ApiClient, every: BuiltForm) -> None:
    response = await page(api.http, every.slug)
    html = response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "<script" not in html.lower().replace("&lt;script&gt;", "")  # no script at all, the option escaped
    assert "<b>" not in html and "Company &lt;b&gt;name&lt;/b&gt;" in html
    assert "Talk &lt;to&gt; us" in html and "We answer &amp; help." in html
    assert "&lt;a href=&#x27;x&#x27;&gt;Privacy&lt;/a&gt;" in html  # consent text is text
    inputs = {str(i.get("name")): i for i in page_inputs(html)}
    assert inputs["email"]["type"] == "email" and "required" in inputs["email"]
    assert inputs["phone"]["type"] == "tel" and inputs["website"]["type"] == "url"
    assert inputs["start"]["type"] == "date" and inputs["budget"]["inputmode"] == "decimal"
    assert inputs["plan"]["type"] == "hidden"
    assert inputs["hp_check"]["type"] == "text" and inputs["hp_check"]["tabindex"] == "-1"  # the honeypot
    assert '<div class="lg-hp" aria-hidden="true">' in html
    assert tag_of(html, "company_size", "select") and tag_of(html, "message", "textarea")
    assert html.count('name="topics"') == 3 and html.count('name="channels"') == 2
    assert '<input type="checkbox" id="lg-f-newsletter" name="newsletter" value="true">' in html
    for name in ("first_name", "email", "phone", "company", "budget", "start", "company_size", "message"):
        assert f'<label for="lg-f-{name}">' in html and f'id="lg-f-{name}"' in html  # every control is labelled
    assert set(hidden_meta(html)) == {"_lg_rendered", "_lg_key", "_lg_page", "_lg_ref"}
    assert '<button type="submit" class="lg-button">Send it</button>' in html


async def test_the_page_has_a_csp_its_inline_style_matches_and_any_site_may_frame_it(
    api: ApiClient, every: BuiltForm
) -> None:
    response = await page(api.http, every.slug)
    csp = response.headers["content-security-policy"]
    style = re.search(r"<style>(.*?)</style>", response.text, re.S)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp and "default-src 'none'" in csp and "script-src" not in csp
    assert "frame-ancestors *" in csp and "form-action 'self'" in csp
    assert "--lg-primary:#0F766E" in style.group(1) and "--lg-bg:#F8FAFC" in style.group(1)
    assert response.headers["cache-control"] == "no-store"
    assert "x-frame-options" not in response.headers


async def test_unknown_unpublished_and_deleted_forms_are_not_found(api: ApiClient) -> None:
    draft = await build_form(api, "Draft page", CONTACT[:2], publish=False)
    for slug in ("no-such-form", draft.slug, "x" * 300, "%3Cb%3E"):
        response = await api.http.get(f"/f/{slug}")
        assert response.status_code == 404 and "This form does not exist or is not published." in response.text
        assert "<b>" not in response.text
        assert (await api.http.get(f"/f/{slug}.json")).status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Posting
# ---------------------------------------------------------------------------------------------------------

VALID: dict[str, Any] = {
    "first_name": "Grace",
    "email": "grace@navy.example.org",
    "job_title": "Chief Technology Officer",
    "budget": "25000",
    "company": "Navy <Labs>",
    "company_size": "11-50",
    "topics": ["SEO", "Ads"],
    "channels": ["By email"],
    "start": "2027-01-15",
    "newsletter": "true",
    "ref_code": "ABC-1234",
    "message": "Hello <script>alert(1)</script>",
    "hp_check": "",
}


async def test_a_post_submits_like_submit_form_and_shows_the_success_message(api: ApiClient, every: BuiltForm) -> None:
    shown = await page(
        api.http,
        every.slug,
        "?utm_source=google&utm_medium=cpc&utm_campaign=spring&plan=pro",
        referer="https://www.google.com/search?q=growth",
    )
    meta = hidden_meta(shown.text)
    assert meta["_lg_ref"] == "https://www.google.com/search?q=growth"
    assert "utm_source=google" in meta["_lg_page"] and meta["_lg_page"].startswith("http://test/f/")
    assert 'value="pro"' in tag_of(shown.text, "plan")  # hidden fields take their value from the page's query
    response = await post(api.http, every.slug, meta, {**VALID, "plan": "pro"})
    assert response.status_code == 200, response.text
    assert "Thanks &lt;i&gt;so&lt;/i&gt; much!" in response.text and 'role="status"' in response.text
    lead = ok(await api.gql(LEAD, {"email": VALID["email"]}, as_user=ALICE))["leads"]["nodes"][0]
    assert lead["firstName"] == "Grace" and lead["form"]["id"] == every.id and lead["score"] > 0
    assert lead["source"] == {"type": "PAID_SEARCH", "utmSource": "google", "utmMedium": "cpc", "utmCampaign": "spring"}
    submitted = ok(await api.gql(SUBMISSIONS, {"id": every.id}, as_user=BOB))["node"]["submissions"]["nodes"][0]
    assert submitted["values"]["topics"] == ["SEO", "Ads"] and submitted["values"]["newsletter"] is True
    assert submitted["values"]["budget"] == 25000 and submitted["values"]["plan"] == "pro"
    assert submitted["context"]["referrer"] == "https://www.google.com/search?q=growth"
    assert submitted["context"]["utm"] == {"source": "google", "medium": "cpc", "campaign": "spring"}
    assert submitted["context"]["page_url"] == meta["_lg_page"] and submitted["leadCreated"] is True
    # the same page sent again (a double click, a reload): the first submission stands
    before = await counts(api)
    again = await post(api.http, every.slug, meta, {**VALID, "plan": "pro"})
    assert again.status_code == 200 and await counts(api) == before


async def test_multipart_posts_are_read_too(api: ApiClient, every: BuiltForm) -> None:
    meta = hidden_meta((await page(api.http, every.slug)).text)
    files = [(k, (None, v)) for k, v in meta.items()]
    files += [("first_name", (None, "Mary")), ("email", (None, "mary@multipart.example.org"))]
    files += [("topics", (None, "SEO")), ("topics", (None, "Content"))]
    response = await api.http.post(f"/f/{every.slug}", files=files)
    assert response.status_code == 200, response.text
    stored = await admin_val(
        api, "select form_submission_data::text from public.leads where email = 'mary@multipart.example.org'"
    )
    assert json.loads(stored)["topics"] == ["SEO", "Content"]


async def test_invalid_values_are_shown_next_to_their_fields_kept_and_nothing_is_written(
    api: ApiClient, every: BuiltForm
) -> None:
    meta = hidden_meta((await page(api.http, every.slug)).text)
    before = await counts(api)
    bad = {
        **VALID,
        "email": "ada@gmail.com",
        "ref_code": "abc",
        "budget": "2000000",
        "first_name": "",
        "company": 'Quote " <tag>',
        "topics": ["SEO"],
    }
    response = await post(api.http, every.slug, meta, bad)
    assert response.status_code == 422
    html = response.text
    assert await counts(api) == before
    for name in ("email", "ref_code", "budget", "first_name"):
        control = tag_of(html, name)
        assert 'aria-invalid="true"' in control and f'aria-describedby="lg-f-{name}-error"' in control
        assert f'<p class="lg-error" id="lg-f-{name}-error">' in html
    assert "please use a work email address" in html and "does not have the expected format" in html
    assert "must be at most 1000000" in html and "is required" in html
    assert 'value="Quote &quot; &lt;tag&gt;"' in tag_of(html, "company")  # kept, escaped
    assert 'value="SEO" checked' in html and 'value="Ads" checked' not in html
    assert '<div class="lg-alert" role="alert" id="lg-summary">' in html and 'href="#lg-f-email"' in html
    assert hidden_meta(html)["_lg_key"] == meta["_lg_key"]  # the same page, sent again once fixed
    fixed = await post(api.http, every.slug, hidden_meta(html), {**VALID, "email": "ada@analytical.example.org"})
    assert fixed.status_code == 200


async def test_an_unknown_field_is_refused_as_submit_form_refuses_it(api: ApiClient, every: BuiltForm) -> None:
    meta = hidden_meta((await page(api.http, every.slug)).text)
    response = await post(api.http, every.slug, meta, {**VALID, "email": "x@unknown.example.org", "admin": "1"})
    assert response.status_code == 422 and "admin: unknown field" in response.text


async def test_the_honeypot_gets_a_pretended_success_and_nothing_is_written(api: ApiClient, every: BuiltForm) -> None:
    meta = hidden_meta((await page(api.http, every.slug)).text)
    before = await counts(api)
    response = await post(api.http, every.slug, meta, {**VALID, "email": "bot@bots.example.org", "hp_check": "x"})
    assert response.status_code == 200 and "Thanks &lt;i&gt;so&lt;/i&gt; much!" in response.text
    assert await counts(api) == before


async def test_the_minimum_time_counts_from_the_signed_render_time(api: ApiClient) -> None:
    async with custom_app(api, endpoint=EndpointConfig(secret_key=SECRET)) as app:
        form = await build_form(app.client, "Slow form", CONTACT, {"minSecondsToSubmit": 30})
        other = await build_form(app.client, "Other slow form", CONTACT, {"minSecondsToSubmit": 30})
        meta = hidden_meta((await page(app.http, form.slug)).text)
        values = {"first_name": "Quick", "email": "quick@example.org"}
        too_soon = await post(app.http, form.slug, meta, values)
        assert too_soon.status_code == 422 and "submitted too soon after the form was shown" in too_soon.text
        form_id = uuid.UUID(raw_id(form.id))
        earlier = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=60)
        forged = f"rs1.{int(earlier.timestamp() * 1000)}.{'0' * 32}"  # an earlier time without the server's MAC
        other_form = sign_rendered_at(SECRET, uuid.UUID(raw_id(other.id)), earlier)  # another form's stamp
        for stamp in (forged, other_form, ""):
            refused = await post(app.http, form.slug, {**meta, "_lg_rendered": stamp}, values)
            assert refused.status_code == 422 and "this form needs the time it was shown" in refused.text
            assert hidden_meta(refused.text)["_lg_rendered"] not in (stamp, forged)  # a fresh stamp to wait on
        assert await admin_val(api, "select count(*) from public.leads where email = 'quick@example.org'") == 0
        signed = sign_rendered_at(SECRET, form_id, earlier)
        accepted = await post(app.http, form.slug, {**meta, "_lg_rendered": signed}, values)
        assert accepted.status_code == 200, accepted.text


async def test_a_redirect_url_is_a_303_allowed_by_form_action(api: ApiClient) -> None:
    form = await build_form(api, "Redirecting", CONTACT, {"redirectUrl": "https://thanks.example.com:8443/done?x=1"})
    shown = await page(api.http, form.slug)
    assert "form-action 'self' https://thanks.example.com:8443;" in shown.headers["content-security-policy"]
    response = await post(api.http, form.slug, hidden_meta(shown.text), {"first_name": "R", "email": "r@example.org"})
    assert response.status_code == 303 and response.headers["location"] == "https://thanks.example.com:8443/done?x=1"


async def test_stored_settings_are_checked_again_before_they_reach_html_and_css(api: ApiClient) -> None:
    form = await build_form(api, "Studio edited", CONTACT)
    settings = {
        "theme": {"primaryColor": "red;}</style><script>alert(1)</script>", "textColor": "#123456"},
        "redirectUrl": "javascript:alert(1)",
        "allowedOrigins": ["https://ok.example.com", "https://x.example.com; script-src *"],
    }
    async with admin_connection(api) as conn, conn.transaction():
        await conn.execute("set local session_replication_role = replica")  # as Studio could before the checks
        await conn.execute(
            "update public.lead_forms set form_settings = $2::jsonb where id = $1",
            uuid.UUID(raw_id(form.id)),
            json.dumps(settings),
        )
    shown = await page(api.http, form.slug)
    csp = shown.headers["content-security-policy"]
    assert "--lg-primary:#2563EB" in shown.text and "--lg-text:#123456" in shown.text and "alert" not in shown.text
    assert "frame-ancestors 'self' https://ok.example.com;" in csp and "script-src" not in csp
    response = await post(api.http, form.slug, hidden_meta(shown.text), {"first_name": "J", "email": "j@example.org"})
    assert response.status_code == 200 and "location" not in response.headers  # no javascript: redirect


async def test_rate_limits_answer_429_with_the_form_and_retry_after(api: ApiClient) -> None:
    form = await build_form(api, "Limited", CONTACT)
    meta = hidden_meta((await page(api.http, form.slug)).text)
    await admin_val(api, "update private.form_submission_limits set per_form_limit = 1")
    try:
        first = await post(api.http, form.slug, meta, {"first_name": "A", "email": "a1@limit.example.org"})
        assert first.status_code == 200
        meta["_lg_key"] = str(uuid.uuid4())
        second = await post(api.http, form.slug, meta, {"first_name": "B", "email": "b1@limit.example.org"})
        assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
        assert "too many submissions" in second.text and 'value="b1@limit.example.org"' in second.text
    finally:
        await lift_rate_limits(api)


async def test_bodies_that_are_no_form_are_refused(api: ApiClient, every: BuiltForm) -> None:
    url = f"/f/{every.slug}"
    as_json = await api.http.post(url, json={"email": "x@example.org"})
    assert as_json.status_code == 415
    large = await api.http.post(url, data={"message": "x" * 200_000})
    assert large.status_code == 413
    nul = await api.http.post(url, data={"first_name": "a\x00b"})
    assert nul.status_code == 400
    upload = await api.http.post(url, files={"message": ("a.txt", b"hello", "text/plain")})
    assert upload.status_code == 400
    assert await admin_val(api, "select count(*) from public.leads where first_name = 'a\u0001b'") == 0


# ---------------------------------------------------------------------------------------------------------
# The embed's endpoints, CORS and framing per form
# ---------------------------------------------------------------------------------------------------------


async def test_the_definition_json_shows_only_what_a_page_needs(api: ApiClient, every: BuiltForm) -> None:
    response = await api.http.get(f"/f/{every.slug}.json", headers={"origin": "https://any.example.net"})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == "*"
    assert response.headers["cache-control"] == "no-store"
    doc = response.json()
    assert doc["id"] == every.id and doc["title"] == "Talk <to> us" and doc["action"] == f"http://test/f/{every.slug}"
    assert [f["name"] for f in doc["fields"]] == [f["fieldName"] for f in EVERY_TYPE]
    assert doc["theme"]["primaryColor"] == "#0F766E" and doc["honeypotField"] == "hp_check"
    assert doc["meta"]["rendered"].startswith("rs1.") and uuid.UUID(doc["meta"]["key"])
    text = response.text
    for private in ("Every type", BOB, "space", "userId", "minSecondsToSubmit", "allowedOrigins"):
        assert private not in text


async def test_cors_follows_each_forms_allowed_origins(api: ApiClient) -> None:
    shop = "https://shop.example.com"
    form = await build_form(api, "Shop only", CONTACT, {"allowedOrigins": [shop, "http://localhost:3000"]})
    allowed = await api.http.get(f"/f/{form.slug}.json", headers={"origin": shop})
    assert allowed.headers["access-control-allow-origin"] == shop and allowed.headers["vary"] == "origin"
    other = await api.http.get(f"/f/{form.slug}.json", headers={"origin": "https://evil.example.net"})
    assert "access-control-allow-origin" not in other.headers
    preflight = await api.http.options(
        f"/f/{form.slug}", headers={"origin": shop, "access-control-request-method": "POST"}
    )
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == shop
    meta = hidden_meta((await page(api.http, form.slug)).text)
    values = {"first_name": "E", "email": "e@cors.example.org"}
    refused = await post(
        api.http, form.slug, meta, values, origin="https://evil.example.net", accept="application/json"
    )
    assert refused.status_code == 403 and refused.json()["ok"] is False
    assert await admin_val(api, "select count(*) from public.leads where email = 'e@cors.example.org'") == 0
    own = await post(api.http, form.slug, meta, values, origin="http://test")  # the hosted page (or its iframe)
    assert own.status_code == 200
    csp = (await page(api.http, form.slug)).headers["content-security-policy"]
    assert f"frame-ancestors 'self' {shop} http://localhost:3000;" in csp


async def test_a_json_post_answers_the_embed(api: ApiClient, every: BuiltForm) -> None:
    doc = (await api.http.get(f"/f/{every.slug}.json")).json()
    meta = {"_lg_rendered": doc["meta"]["rendered"], "_lg_key": doc["meta"]["key"]}
    origin = {"origin": "https://blog.example.com", "accept": "application/json"}
    bad = await post(api.http, every.slug, meta, {"first_name": "J", "email": "nope"}, **origin)
    assert bad.status_code == 422 and bad.headers["access-control-allow-origin"] == "*"
    assert bad.json()["errors"] == [{"field": "values.email", "message": "not a valid email address"}]
    good = await post(api.http, every.slug, meta, {"first_name": "J", "email": "j@embed.example.org"}, **origin)
    assert good.status_code == 200 and good.json() == {
        "ok": True,
        "successMessage": EVERY_TYPE_SETTINGS["successMessage"],
        "redirectUrl": None,
    }


async def test_the_apps_cors_origins_neither_widen_nor_narrow_the_forms(api: ApiClient) -> None:
    form = await build_form(api, "Strict CORS", CONTACT, {"allowedOrigins": ["https://shop.example.com"]})
    async with custom_app(api, cors_origins=("*",)) as wide:
        response = await wide.http.get(f"/f/{form.slug}.json", headers={"origin": "https://evil.example.net"})
        assert "access-control-allow-origin" not in response.headers
    async with custom_app(api, cors_origins=("https://app.example.com",)) as narrow:
        response = await narrow.http.get("/f/embed.js", headers={"origin": "https://blog.example.com"})
        assert response.headers["access-control-allow-origin"] == "*"
        preflight = await narrow.http.options(
            "/graphql", headers={"origin": "https://shop.example.com", "access-control-request-method": "POST"}
        )
        assert preflight.status_code == 400  # /graphql keeps LEADGEN_CORS_ORIGINS


async def test_the_embed_script_and_stylesheet_are_small_cacheable_and_served_here(api: ApiClient) -> None:
    for path, media in (("/f/embed.js", "text/javascript"), ("/f/form.css", "text/css")):
        response = await api.http.get(path, headers={"accept-encoding": "gzip"})
        assert response.status_code == 200 and response.headers["content-type"].startswith(media)
        assert (
            response.headers["content-encoding"] == "gzip" and "public, max-age=" in response.headers["cache-control"]
        )
        assert len(response.content) < 12_000
        etag = response.headers["etag"]
        again = await api.http.get(path, headers={"if-none-match": etag})
        assert again.status_code == 304
    script = (await api.http.get("/f/embed.js", headers={"accept-encoding": "identity"})).text
    assert "innerHTML" not in script and "http" not in script.replace("https?", "")  # no CDN, no HTML strings


async def test_a_post_is_counted_for_the_client_address_the_graphql_endpoint_sees(api: ApiClient) -> None:
    form = await build_form(api, "Behind a proxy", CONTACT)
    async with custom_app(api, endpoint=EndpointConfig(secret_key=SECRET)) as built:
        verifier = TokenVerifier(AuthSettings(jwks=api.key.jwks()))
        services = Services(schema=built.schema, pool=built.pool, verifier=verifier, endpoint=built.config)
        app = create_app(services, trusted_proxies=("10.0.0.0/8",))
        transport = httpx.ASGITransport(app=app, client=("10.1.2.3", 40000))  # a proxy of ours
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
                meta = hidden_meta((await page(http, form.slug)).text)
                forwarded = {"x-forwarded-for": "1.1.1.1, 198.51.100.7"}  # the client's claim, then the proxy's
                response = await post(
                    http, form.slug, meta, {"first_name": "P", "email": "p@proxy.example.org"}, **forwarded
                )
                assert response.status_code == 200
        finally:
            await verifier.aclose()
    stored = await admin_val(
        api,
        "select s.client_hash from private.form_submissions s join public.leads l on l.id = s.lead_id"
        " where l.email = 'p@proxy.example.org'",
    )
    assert stored == client_hash(SECRET, "198.51.100.7")
