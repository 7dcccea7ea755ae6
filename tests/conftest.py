"""Fixtures: one Postgres cluster per test session, a migrated template, fresh databases cloned from it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from tests.support.api import READ_PATHS, ApiClient, api_client, seed_database
from tests.support.databases import PgCluster


@pytest_asyncio.fixture(scope="session")
async def cluster() -> AsyncIterator[PgCluster]:
    cluster = await PgCluster.start()
    try:
        await cluster.create_template()
        yield cluster
    finally:
        await cluster.stop()


@pytest_asyncio.fixture(scope="module")
async def module_db(cluster: PgCluster) -> AsyncIterator[str]:
    """A migrated database shared by the tests of one module (name of the database)."""
    name = await cluster.clone("m")
    try:
        yield name
    finally:
        await cluster.drop(name)


@pytest_asyncio.fixture(scope="module")
async def conn(cluster: PgCluster, module_db: str) -> AsyncIterator[asyncpg.Connection]:
    """A superuser connection (what Studio connects as) to the module's database."""
    connection = await asyncpg.connect(cluster.dsn(module_db))
    try:
        yield connection
    finally:
        await connection.close()


@pytest_asyncio.fixture
async def fresh_db(cluster: PgCluster) -> AsyncIterator[str]:
    """A migrated database of this test alone."""
    name = await cluster.clone("f")
    try:
        yield name
    finally:
        await cluster.drop(name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pg15: needs Debian's PostgreSQL 15 server binaries")
    config.addinivalue_line(
        "markers", "both_read_paths: run the module's tests with an `api` on each read path (compiled, general)"
    )
    config.addinivalue_line(
        "markers", "postgraphile: compares with PostGraphile v5; skipped unless bench/.scratch has it installed"
    )


@pytest_asyncio.fixture(scope="session")
async def seeded_template(cluster: PgCluster) -> str:
    """A database with the demo data, used as a template for API tests (never modified itself)."""
    name = await cluster.clone("seeded")
    await seed_database(cluster.dsn(name))
    return name


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    # a module marked both_read_paths gets its `api` twice: on production's compiled path and on the general one
    if "read_path" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_read_paths"):
        metafunc.parametrize("read_path", READ_PATHS, indirect=True, scope="module")


@pytest.fixture(scope="module")
def read_path(request: pytest.FixtureRequest) -> str:
    """The read path the `api` fixture serves signed-in queries on: production's (compiled) unless parametrized."""
    return str(getattr(request, "param", "compiled"))


@pytest_asyncio.fixture(scope="module")
async def api(
    cluster: PgCluster, seeded_template: str, tmp_path_factory: pytest.TempPathFactory, read_path: str
) -> AsyncIterator[ApiClient]:
    """The HTTP API over a private copy of the demo database, for the tests of one module.

    Signed-in queries take the compiled one-statement path where it understands them, as in production; a
    module marked `both_read_paths` runs once more on the general (Strawberry + DataLoader) path."""
    name = await cluster.clone_from(seeded_template, "api")
    try:
        dsn, keys = cluster.dsn(name, user="leadgen_api"), tmp_path_factory.mktemp("keys")
        async with api_client(dsn, keys, compiled_reads=read_path == "compiled") as client:
            client.admin_dsn = cluster.dsn(name)
            yield client
    finally:
        await cluster.drop(name)
