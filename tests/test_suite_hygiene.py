"""The test session cleans up after itself and cannot hang: no temporary cluster folder left behind, and a test
that hangs (in its body or in a fixture's teardown) fails after the per-test timeout instead of holding CI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.databases import PgCluster

ROOT = Path(__file__).resolve().parent.parent
HANGING = """
import asyncio
import pytest_asyncio

@pytest_asyncio.fixture
async def leaked():
    yield
    await asyncio.Event().wait()  # a teardown that waits for ever (a connection never given back)

async def test_with_a_teardown_that_hangs(leaked):
    pass

async def test_after_it():
    await asyncio.sleep(0)
"""


async def test_a_test_cluster_leaves_no_folder_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEST_DATABASE_URL", raising=False)
    cluster = await PgCluster.start()
    assert cluster.embedded is not None
    folder = cluster.embedded.data_dir
    assert folder.name.startswith("leadgen-test-") and (folder / "pgdata").is_dir()
    await cluster.create_template()
    await cluster.stop()
    assert not folder.exists()


def test_every_test_has_a_generous_timeout(pytestconfig: pytest.Config) -> None:
    assert float(pytestconfig.getini("timeout")) >= 60


def test_a_hang_in_teardown_fails_that_test_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_hanging.py").write_text(HANGING)
    pytest_command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)]
    run = subprocess.run(
        # the project's pytest settings, with a short timeout for this run only
        [*pytest_command, "-o", "timeout=2", "-p", "no:cacheprovider", "-q", str(tmp_path / "test_hanging.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "ERROR" in output and "test_with_a_teardown_that_hangs" in output and "Timeout" in output, output
    assert "2 passed, 1 error" in output, output  # the next test still ran, on the same event loop
