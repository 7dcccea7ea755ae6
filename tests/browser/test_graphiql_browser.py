"""GraphiQL in a real browser (headless Debian chromium) with no network but this server: it renders and runs."""

from __future__ import annotations

from playwright.async_api import Route, async_playwright

from server.endpoint_config import EndpointConfig
from tests.support.api import ALICE, ApiClient
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, OUTPUT, live_server, require_chromium
from tests.support.http_app import custom_app


async def test_graphiql_renders_from_the_server_alone_and_runs_the_example(api: ApiClient) -> None:
    require_chromium()
    token = api.token(ALICE)
    config = EndpointConfig(graphiql_authorization=f"Bearer {token}")
    outside: list[str] = []
    async with custom_app(api, endpoint=config, compiled_reads=True) as app, live_server(app.asgi) as origin:

        async def only_this_server(route: Route) -> None:
            if route.request.url.startswith(origin):
                await route.continue_()
            else:  # a CDN or anything else: refused, and remembered
                outside.append(route.request.url)
                await route.abort()

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                context = await browser.new_context(viewport={"width": 1400, "height": 900})
                await context.route("**/*", only_this_server)
                page = await context.new_page()
                problems: list[str] = []
                page.on("pageerror", lambda error: problems.append(str(error)))
                page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
                await page.goto(f"{origin}/graphql")
                await page.wait_for_selector(".graphiql-container", timeout=30_000)
                # the example query runs with the prefilled Authorization header (the demo user's token)
                await page.locator(".graphiql-execute-button").click()
                result = page.locator(".graphiql-response")
                await result.get_by_text("alice@example.com").wait_for(timeout=30_000)
                assert await page.get_by_label("Show GraphiQL Explorer").count() == 1  # the explorer plugin
                OUTPUT.mkdir(parents=True, exist_ok=True)
                await page.screenshot(path=str(OUTPUT / "graphiql.png"))
            finally:
                await browser.close()
    assert outside == [], outside
    assert problems == [], problems
