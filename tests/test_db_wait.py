"""Reaching the database at start-up: retried while it cannot be reached, for a bounded time, and every failure
names the URL (without its password) and the setting it came from."""

from __future__ import annotations

import logging
from pathlib import Path

import asyncpg
import pytest

from server.database_target import DatabaseAddress, api_address, redact_dsn, worker_address
from server.db_wait import DatabaseStartupError, wait_for_database
from server.settings import Settings
from tests.support.databases import PgCluster


def test_a_url_is_logged_without_its_password() -> None:
    assert redact_dsn("postgresql://app:s3cret@db.example.com:5432/leadgen") == (
        "postgresql://app@db.example.com:5432/leadgen"
    )
    assert redact_dsn("postgresql://app@db/leadgen?password=s3cret&sslmode=require") == (
        "postgresql://app@db/leadgen?sslmode=require"
    )
    unchanged = "postgresql://postgres@/leadgen?host=/tmp/leadgen-x/pgdata"
    assert redact_dsn(unchanged) == unchanged


def test_each_address_says_which_setting_it_comes_from() -> None:
    settings = Settings(database_url="postgresql://owner:pw@db/leadgen", api_password="api-pw")
    api = api_address(settings)
    assert api.origin == "DATABASE_URL and LEADGEN_API_PASSWORD, as leadgen_api"
    assert (
        api.describe()
        == "postgresql://leadgen_api@db/leadgen (from DATABASE_URL and LEADGEN_API_PASSWORD, as leadgen_api)"
    )
    assert api_address(Settings(api_database_url="postgresql://a@h/d")).origin == "LEADGEN_API_DATABASE_URL"
    assert worker_address(settings, settings.database_url or "").origin == "DATABASE_URL, as leadgen_worker"


def test_start_up_and_shutdown_timeouts_are_settings() -> None:
    defaults = Settings.from_env({})
    assert (defaults.db_startup_timeout, defaults.shutdown_timeout) == (60.0, 10.0)
    settings = Settings.from_env({"LEADGEN_DB_STARTUP_TIMEOUT": "120", "LEADGEN_SHUTDOWN_TIMEOUT": "2.5"})
    assert (settings.db_startup_timeout, settings.shutdown_timeout) == (120.0, 2.5)
    for name in ("LEADGEN_DB_STARTUP_TIMEOUT", "LEADGEN_SHUTDOWN_TIMEOUT"):
        for bad in ("0", "-1", "soon"):
            with pytest.raises(ValueError, match=name):
                Settings.from_env({name: bad})


async def test_a_database_that_cannot_be_reached_is_retried_until_the_startup_timeout(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    address = DatabaseAddress(f"postgresql://app:s3cret@/leadgen?host={tmp_path}", "DATABASE_URL")
    attempts = 0

    async def connect() -> asyncpg.Connection:
        nonlocal attempts
        attempts += 1
        return await asyncpg.connect(address.dsn)

    with caplog.at_level(logging.WARNING, logger="leadgen.startup"), pytest.raises(DatabaseStartupError) as raised:
        await wait_for_database(connect, address, 1.0)
    message = str(raised.value)
    assert f"postgresql://app@/leadgen?host={tmp_path} (from DATABASE_URL)" in message
    assert "within 1 s (LEADGEN_DB_STARTUP_TIMEOUT)" in message and "s3cret" not in message
    assert attempts >= 2
    waits = [r.getMessage() for r in caplog.records if r.name == "leadgen.startup"]
    assert len(waits) == attempts - 1 and all("waiting for the database" in w for w in waits)
    assert all(f"host={tmp_path} (from DATABASE_URL)" in w and "s3cret" not in w for w in waits)


async def test_a_refusal_that_no_retry_cures_fails_at_once(cluster: PgCluster) -> None:
    address = DatabaseAddress(cluster.dsn("no_such_database"), "DATABASE_URL")
    attempts = 0

    async def connect() -> asyncpg.Connection:
        nonlocal attempts
        attempts += 1
        return await asyncpg.connect(address.dsn)

    with pytest.raises(
        DatabaseStartupError, match=r"cannot use the database .*no_such_database.* \(from DATABASE_URL\)"
    ):
        await wait_for_database(connect, address, 30.0)
    assert attempts == 1
