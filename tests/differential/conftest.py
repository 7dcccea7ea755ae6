"""Two apps over one database: the compiled read path on, and off (every query via Strawberry + DataLoaders)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio

from tests.support.api import ApiClient, api_client
from tests.support.databases import PgCluster


@dataclass
class Paths:
    compiled: ApiClient
    general: ApiClient


@pytest_asyncio.fixture(scope="module")
async def paths(
    cluster: PgCluster, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Paths]:
    name = await cluster.clone_from(seeded_template, "diff")
    keys = tmp_path_factory.mktemp("keys")
    dsn = cluster.dsn(name, user="leadgen_api")
    try:
        async with (
            api_client(dsn, keys, compiled_reads=True) as compiled,
            api_client(dsn, keys, compiled_reads=False) as general,
        ):
            compiled.admin_dsn = general.admin_dsn = cluster.dsn(name)
            yield Paths(compiled=compiled, general=general)
    finally:
        await cluster.drop(name)
