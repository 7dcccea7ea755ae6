"""The committed SDL (schema.graphql) is the schema the code defines; any drift fails with how to regenerate it."""

from __future__ import annotations

from pathlib import Path

import pytest

from server import schema_export
from server.cli import main as leadgen


def test_schema_graphql_matches_the_code() -> None:
    diff = schema_export.drift()
    if diff is not None:
        pytest.fail(f"schema.graphql is out of date: {schema_export.REGENERATE_HINT}.\n\n{diff}", pytrace=False)


def test_the_committed_sdl_ends_with_one_newline_and_names_the_roots() -> None:
    text = schema_export.SCHEMA_FILE.read_text(encoding="utf-8")
    assert text.endswith("}\n") and not text.endswith("\n\n")
    for root in ("type Query {", "type Mutation {", "interface Node {"):
        assert root in text


def test_leadgen_schema_writes_and_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "schema.graphql"
    assert leadgen(["schema", "--check", "--output", str(target)]) == 1  # missing

    assert leadgen(["schema", "--output", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == schema_export.schema_sdl()
    assert leadgen(["schema", "--check", "--output", str(target)]) == 0
    assert leadgen(["schema", "--output", str(target)]) == 0  # unchanged

    target.write_text(target.read_text(encoding="utf-8").replace("type Query {", "type Query {\n  stale: Int"))
    capsys.readouterr()
    assert leadgen(["schema", "--check", "--output", str(target)]) == 1
    captured = capsys.readouterr()
    assert "-  stale: Int" in captured.out
    assert "leadgen schema" in captured.err
