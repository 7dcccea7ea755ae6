"""Public forms in a real browser (headless Debian chromium, Playwright) against real uvicorn servers.

One server is the app (over the module's copy of the demo database); a second one, on another port and so another
origin, is a website that embeds forms. Screenshots of the page and of its error state go to tests/output/.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest_asyncio
from playwright.async_api import Browser, FrameLocator, Locator, Page, async_playwright, expect

from tests.support.api import ALICE, BOB, ApiClient
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT, live_server, other_site, require_chromium
from tests.support.http_app import custom_app
from tests.support.mutations import admin_val, ok
from tests.support.public_forms import EVERY_TYPE, EVERY_TYPE_SETTINGS, BuiltForm, build_form, lift_rate_limits

SIMPLE: list[dict[str, Any]] = [
    {"fieldName": "first_name", "fieldType": "TEXT", "label": "First name", "isRequired": True},
    {"fieldName": "email", "fieldType": "EMAIL", "label": "Email", "isRequired": True},
    {"fieldName": "job_title", "fieldType": "TEXT", "label": "Job title"},
    {"fieldName": "newsletter", "fieldType": "CHECKBOX", "label": "Send me the newsletter"},
    {"fieldName": "trap", "fieldType": "HIDDEN", "label": "trap"},
]
SNIPPET = "query($id: ID!) { node(id: $id) { ... on LeadForm { embedSnippet } } }"
LEAD = """
query($email: String!) {
  leads(filter: {email: {eq: $email}}) {
    nodes { firstName jobTitle score source { type utmSource utmMedium utmCampaign } form { id }
            activities(first: 5) { nodes { activityType activityData } } }
  }
}
"""


@dataclass
class Sites:
    forms: str  # the app's origin
    other: str  # the website's origin
    snippets: dict[str, str] = field(default_factory=dict)


@pytest_asyncio.fixture(scope="module")
async def sites(api: ApiClient) -> AsyncIterator[Sites]:
    require_chromium()
    await lift_rate_limits(api)
    snippets: dict[str, str] = {}
    async with (
        custom_app(api) as app,
        live_server(app.asgi) as forms,
        live_server(other_site(forms, snippets)) as other,
    ):
        yield Sites(forms, other, snippets)


@pytest_asyncio.fixture(scope="module")
async def browser(sites: Sites) -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(scope="module")
async def every(api: ApiClient) -> BuiltForm:
    return await build_form(
        api,
        "Browser every type",
        EVERY_TYPE,
        EVERY_TYPE_SETTINGS,
        title="Talk to our growth team",
        description="Tell us about your goals; we answer within one business day.",
    )


@contextlib.asynccontextmanager
async def new_page(browser: Browser, **options: Any) -> AsyncIterator[Page]:
    context = await browser.new_context(**options)
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def leads_with(api: ApiClient, email: str) -> int:
    return int(await admin_val(api, "select count(*) from public.leads where email = $1", email))


async def lead_of(api: ApiClient, email: str) -> dict[str, Any]:
    nodes = ok(await api.gql(LEAD, {"email": email}, as_user=ALICE))["leads"]["nodes"]
    assert len(nodes) == 1, nodes
    return dict(nodes[0])


async def snippet_for(api: ApiClient, sites: Sites, form: BuiltForm) -> None:
    snippet = ok(await api.gql(SNIPPET, {"id": form.id}, as_user=BOB))["node"]["embedSnippet"]
    sites.snippets[form.slug] = snippet.replace("http://test", sites.forms)  # as the live server would give it


def labelled(scope: Page | FrameLocator | Locator, label: str) -> Locator:
    """The control with this label (a required field's label ends with an asterisk screen readers skip)."""
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def output(name: str) -> str:
    OUTPUT.mkdir(parents=True, exist_ok=True)
    return str(OUTPUT / name)


# ---------------------------------------------------------------------------------------------------------
# The hosted page
# ---------------------------------------------------------------------------------------------------------


async def fill_every(page: Page, email: str) -> None:
    await labelled(page, "First name").fill("Katherine")
    await labelled(page, "Last name").fill("Johnson")
    await labelled(page, "Work email").fill(email)
    await labelled(page, "Phone").fill("+1 555 0100")
    await labelled(page, "Company <b>name</b>").fill("Orbit Analytics")
    await labelled(page, "Website").fill("https://orbit.example.org")
    await labelled(page, "Job title").fill("Chief Technology Officer")
    await labelled(page, "Budget").fill("25000")
    await labelled(page, "Start date").fill("2027-03-01")
    await labelled(page, "Company size").select_option("11-50")
    await labelled(page, "SEO").check()
    await labelled(page, "Content").check()
    await labelled(page, "By email").check()
    await labelled(page, "Referral code").fill("ORB-2027")
    await labelled(page, "Message").fill("We launch in March <b>and</b> need leads.")
    await labelled(page, "Send me the newsletter").check()


async def test_every_field_type_renders_and_a_submission_becomes_a_scored_attributed_lead(
    api: ApiClient, sites: Sites, browser: Browser, every: BuiltForm
) -> None:
    url = f"{sites.forms}/f/{every.slug}?utm_source=newsletter&utm_medium=email&utm_campaign=launch&plan=pro"
    async with new_page(browser, viewport={"width": 900, "height": 900}) as page:
        await page.goto(url, referer="https://news.example.org/issue-5")
        for selector in (
            "input#lg-f-first_name[type=text]",
            "input#lg-f-email[type=email]",
            "input#lg-f-phone[type=tel]",
            "input#lg-f-website[type=url]",
            "input#lg-f-start[type=date]",
            "input#lg-f-budget[inputmode=decimal]",
            "select#lg-f-company_size",
            "fieldset#lg-f-topics input[type=checkbox]",
            "fieldset#lg-f-channels input[type=checkbox]",
            "textarea#lg-f-message",
            "input#lg-f-newsletter[type=checkbox]",
            "input[type=hidden][name=plan][value=pro]",
            ".lg-hp input#lg-f-hp_check",
        ):
            await expect(page.locator(selector).first).to_be_attached()
        await expect(page.get_by_role("option", name="<script>alert(1)</script>")).to_be_attached()
        await expect(page.get_by_text("We use your details to answer you. <a href='x'>Privacy</a>")).to_be_visible()
        await expect(page.locator(".lg-hp")).not_to_be_in_viewport()
        await fill_every(page, "katherine@orbit.example.org")
        await page.screenshot(path=output("form-page.png"), full_page=True)
        await page.get_by_role("button", name="Send it").click()
        await expect(page.get_by_role("status")).to_have_text("Thanks <i>so</i> much!\nWe will call you.")
        await page.screenshot(path=output("form-success.png"))
    lead = await lead_of(api, "katherine@orbit.example.org")
    assert lead["firstName"] == "Katherine" and lead["form"]["id"] == every.id
    assert lead["score"] >= 45  # the demo space's rules: an executive's title (25), a budget above 10k (20)
    assert lead["source"] == {"type": "EMAIL", "utmSource": "newsletter", "utmMedium": "email", "utmCampaign": "launch"}
    activity = lead["activities"]["nodes"][0]
    assert activity["activityType"] == "FORM_SUBMITTED"
    assert activity["activityData"]["referrer"] == "https://news.example.org/issue-5"
    assert activity["activityData"]["page_url"].startswith(f"{sites.forms}/f/{every.slug}?utm_source=newsletter")


async def test_invalid_values_show_errors_next_to_their_fields_and_write_nothing(
    api: ApiClient, sites: Sites, browser: Browser, every: BuiltForm
) -> None:
    before = int(await admin_val(api, "select count(*) from public.leads"))
    async with new_page(browser, viewport={"width": 900, "height": 900}) as page:
        await page.goto(f"{sites.forms}/f/{every.slug}")
        await fill_every(page, "katherine@gmail.com")
        await labelled(page, "First name").fill("")
        await labelled(page, "Referral code").fill("orb 2027")
        await labelled(page, "Budget").fill("-5")
        await page.get_by_role("button", name="Send it").click()
        alert = page.get_by_role("alert")
        await expect(alert).to_contain_text("The form was not sent.")
        for label, message in (
            ("First name", "is required"),
            ("Work email", "please use a work email address"),
            ("Budget", "must be at least 0"),
            ("Referral code", "does not have the expected format"),
        ):
            control = page.get_by_label(label)
            await expect(control).to_have_attribute("aria-invalid", "true")
            described = await control.get_attribute("aria-describedby")
            await expect(page.locator(f"#{described}")).to_have_text(message)
        await expect(labelled(page, "Work email")).to_have_value("katherine@gmail.com")  # what was typed stays
        await expect(labelled(page, "Message")).to_have_value("We launch in March <b>and</b> need leads.")
        await expect(labelled(page, "SEO")).to_be_checked()
        await expect(labelled(page, "Company size")).to_have_value("11-50")
        await page.screenshot(path=output("form-errors.png"), full_page=True)
        await alert.get_by_role("link", name="Work email: please use a work email address").click()
        await expect(labelled(page, "Work email")).to_be_focused()  # the summary leads to the field
    assert int(await admin_val(api, "select count(*) from public.leads")) == before


async def test_the_honeypot_and_the_minimum_time_work_in_the_browser(
    api: ApiClient, sites: Sites, browser: Browser, every: BuiltForm
) -> None:
    async with new_page(browser) as page:
        await page.goto(f"{sites.forms}/f/{every.slug}")
        await fill_every(page, "bot@orbit.example.org")
        await page.locator("#lg-f-hp_check").evaluate("input => { input.value = 'https://spam.example' }")
        await page.get_by_role("button", name="Send it").click()
        await expect(page.get_by_role("status")).to_contain_text("Thanks <i>so</i> much!")  # as if accepted
    assert await leads_with(api, "bot@orbit.example.org") == 0
    slow = await build_form(api, "Browser slow form", SIMPLE, {"minSecondsToSubmit": 2, "honeypotField": "trap"})
    async with new_page(browser) as page:
        await page.goto(f"{sites.forms}/f/{slow.slug}")
        await labelled(page, "First name").fill("Quick")
        await labelled(page, "Email").fill("quick@orbit.example.org")
        await page.get_by_role("button", name="Submit").click()
        await expect(page.get_by_role("alert")).to_contain_text("submitted too soon after the form was shown")
        assert await leads_with(api, "quick@orbit.example.org") == 0
        await asyncio.sleep(2.2)
        await page.get_by_role("button", name="Submit").click()  # the values were kept: send again
        await expect(page.get_by_role("status")).to_be_visible()
    assert await leads_with(api, "quick@orbit.example.org") == 1


async def test_with_javascript_off_the_page_and_the_embeds_iframe_still_submit(
    api: ApiClient, sites: Sites, browser: Browser
) -> None:
    form = await build_form(api, "Browser no script", SIMPLE, {"honeypotField": "trap"})
    await snippet_for(api, sites, form)
    async with new_page(browser, java_script_enabled=False) as page:
        await page.goto(f"{sites.forms}/f/{form.slug}")
        await labelled(page, "First name").fill("Noscript")
        await labelled(page, "Email").fill("noscript@orbit.example.org")
        await page.get_by_role("button", name="Submit").click()
        await expect(page.get_by_role("status")).to_have_text("Thank you! Your details were sent.")
        # on another site, the snippet's <noscript> iframe shows the hosted page
        await page.goto(f"{sites.other}/embed.html?form={form.slug}")
        frame = page.frame_locator("iframe")
        await labelled(frame, "First name").fill("Framed")
        await labelled(frame, "Email").fill("framed@orbit.example.org")
        await frame.get_by_role("button", name="Submit").click()
        await expect(frame.get_by_role("status")).to_be_visible()
    assert await leads_with(api, "noscript@orbit.example.org") == 1
    assert await leads_with(api, "framed@orbit.example.org") == 1


async def test_a_keyboard_alone_fills_in_and_sends_the_form(api: ApiClient, sites: Sites, browser: Browser) -> None:
    form = await build_form(api, "Browser keyboard", SIMPLE, {"honeypotField": "trap"})
    async with new_page(browser, viewport={"width": 360, "height": 740}) as page:  # a phone
        await page.goto(f"{sites.forms}/f/{form.slug}")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
        await page.screenshot(path=output("form-phone.png"))
        focused = []
        for text in ("Kim", "kim@orbit.example.org", "Head of Growth"):
            await page.keyboard.press("Tab")
            focused.append(await page.evaluate("document.activeElement.id"))
            await page.keyboard.type(text)
        await page.keyboard.press("Tab")
        focused.append(await page.evaluate("document.activeElement.id"))
        await page.keyboard.press("Space")
        await expect(labelled(page, "Send me the newsletter")).to_be_checked()
        await page.keyboard.press("Tab")
        button = page.get_by_role("button", name="Submit")
        await expect(button).to_be_focused()
        outline = await button.evaluate(
            "b => getComputedStyle(b).outlineStyle + ' ' + getComputedStyle(b).outlineWidth"
        )
        assert outline == "solid 3px"  # a visible focus ring
        assert focused == ["lg-f-first_name", "lg-f-email", "lg-f-job_title", "lg-f-newsletter"]  # no honeypot stop
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("status")).to_be_visible()
    lead = await lead_of(api, "kim@orbit.example.org")
    assert lead["jobTitle"] == "Head of Growth"


async def test_a_redirect_after_sending_goes_to_the_forms_redirect_url(
    api: ApiClient, sites: Sites, browser: Browser
) -> None:
    form = await build_form(api, "Browser redirect", SIMPLE, {"redirectUrl": f"{sites.other}/thanks"})
    async with new_page(browser) as page:
        await page.goto(f"{sites.forms}/f/{form.slug}")
        await labelled(page, "First name").fill("Red")
        await labelled(page, "Email").fill("red@orbit.example.org")
        await page.get_by_role("button", name="Submit").click()
        await page.wait_for_url(f"{sites.other}/thanks")  # the CSP's form-action lets the 303 through
    assert await leads_with(api, "red@orbit.example.org") == 1


# ---------------------------------------------------------------------------------------------------------
# The embed on another origin
# ---------------------------------------------------------------------------------------------------------


async def test_the_embed_renders_and_submits_from_another_origin(
    api: ApiClient, sites: Sites, browser: Browser, every: BuiltForm
) -> None:
    await snippet_for(api, sites, every)
    page_url = f"{sites.other}/embed.html?form={every.slug}&utm_source=partner-blog&utm_medium=referral"
    async with new_page(browser, viewport={"width": 900, "height": 900}) as page:
        await page.goto(page_url, referer="https://search.example.com/")
        embedded = page.locator(f'[data-leadgen-form="{every.slug}"]')
        await expect(embedded.get_by_role("heading", name="Talk to our growth team")).to_be_visible()
        await expect(labelled(embedded, "Company <b>name</b>")).to_be_visible()  # text, not HTML
        await fill_every(page, "ada@gmail.com")
        await page.get_by_role("button", name="Send it").click()
        email = labelled(page, "Work email")
        await expect(email).to_have_attribute("aria-invalid", "true")
        await expect(page.locator(f"#{await email.get_attribute('aria-describedby')}")).to_have_text(
            "please use a work email address"
        )
        await expect(email).to_be_focused()
        await page.screenshot(path=output("embed-errors.png"), full_page=True)
        assert await leads_with(api, "ada@gmail.com") == 0
        await email.fill("ada@partner.example.org")
        await page.get_by_role("button", name="Send it").click()
        await expect(page.get_by_role("status")).to_have_text("Thanks <i>so</i> much!\nWe will call you.")
        await expect(page.get_by_role("alert")).to_have_count(0)  # the earlier errors are gone with the form
        await page.screenshot(path=output("embed-success.png"))
    lead = await lead_of(api, "ada@partner.example.org")
    assert lead["source"]["utmSource"] == "partner-blog" and lead["source"]["type"] == "REFERRAL"
    data = lead["activities"]["nodes"][0]["activityData"]
    assert data["page_url"] == page_url and data["referrer"] == "https://search.example.com/"


async def test_a_form_limited_to_other_origins_does_not_embed_here(
    api: ApiClient, sites: Sites, browser: Browser
) -> None:
    form = await build_form(api, "Browser elsewhere", SIMPLE, {"allowedOrigins": ["https://elsewhere.example.com"]})
    await snippet_for(api, sites, form)
    async with new_page(browser) as page:
        await page.goto(f"{sites.other}/embed.html?form={form.slug}")
        await expect(page.get_by_role("alert")).to_have_text("This form is not available right now.")
