"""The GraphQL over HTTP audit (graphql-http, run by Node) passes without warnings, in development and production."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.npm import NpmError, is_current, mark_installed, npm_ci
from gql.schema import build_schema
from server.endpoint_config import EndpointConfig
from tests.support.api import ApiClient
from tests.support.browser import live_server
from tests.support.http_app import custom_app

SOURCE = Path(__file__).resolve().parent.parent / "conformance"
INSTALL = Path(__file__).resolve().parents[2] / "bench" / ".scratch" / "graphql-http"


def installed_audit() -> Path:
    """graphql-http from npm in a git-ignored scratch folder (once per version of the package files)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        if os.environ.get("CI"):
            pytest.fail("node and npm are needed for the GraphQL over HTTP audit")
        pytest.skip("node and npm are not installed")
    if not is_current(SOURCE, INSTALL):
        try:
            npm_ci(SOURCE, INSTALL)
        except NpmError as exc:
            pytest.fail(str(exc))
        shutil.copyfile(SOURCE / "audit.mjs", INSTALL / "audit.mjs")
        mark_installed(SOURCE, INSTALL)
    shutil.copyfile(SOURCE / "audit.mjs", INSTALL / "audit.mjs")
    return INSTALL / "audit.mjs"


async def audit(url: str) -> list[dict[str, Any]]:
    script = installed_audit()
    process = await asyncio.create_subprocess_exec(
        "node", str(script), url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, cwd=script.parent
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    results: list[dict[str, Any]] = json.loads(out)
    return results


@pytest.mark.parametrize("mode", ["development", "production"])
async def test_the_graphql_over_http_audit_passes(api: ApiClient, mode: str) -> None:
    production = mode == "production"
    schema = build_schema(introspection=not production)
    config = EndpointConfig(graphiql=not production, expose_statement_count=not production)
    async with (
        custom_app(api, schema=schema, endpoint=config, compiled_reads=True) as app,
        live_server(app.asgi) as url,
    ):
        results = await audit(f"{url}/graphql")
    counts = {status: sum(r["status"] == status for r in results) for status in ("ok", "notice", "warn", "error")}
    print(f"graphql-http audit ({mode}): {counts}")
    not_ok = [f"{r['status']}: {r['name']} ({r['reason']})" for r in results if r["status"] != "ok"]
    assert len(results) > 50
    assert not_ok == [], "\n".join(not_ok)
