"""The SDL of the GraphQL schema, committed as `schema.graphql` at the repository root.

`leadgen schema` (or `python -m server.schema_export`) writes it; `--check` only compares and exits 1 when the
file differs from what `gql.schema.build_schema()` prints, which is what CI and tests/api/test_schema_contract.py
hold the repository to.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Sequence
from pathlib import Path

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"
REGENERATE_HINT = "regenerate it with `leadgen schema` (or `python -m server.schema_export`) and commit it"


def schema_sdl() -> str:
    """The SDL that the code defines, as committed: printed by Strawberry, ending with one newline."""
    from gql.schema import build_schema  # imported here: `leadgen --help` need not load the whole schema

    return build_schema().as_str().rstrip("\n") + "\n"


def drift(path: Path = SCHEMA_FILE) -> str | None:
    """A unified diff from the file to the code's SDL, or None when they agree."""
    expected = schema_sdl()
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if current == expected:
        return None
    lines = difflib.unified_diff(
        current.splitlines(keepends=True), expected.splitlines(keepends=True), f"{path.name} (committed)", "code"
    )
    return "".join(lines) or f"{path} is missing\n"


def write(path: Path = SCHEMA_FILE) -> bool:
    """Write the SDL to `path`; whether that changed the file."""
    expected = schema_sdl()
    if path.exists() and path.read_text(encoding="utf-8") == expected:
        return False
    path.write_text(expected, encoding="utf-8")
    return True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--check", action="store_true", help="only compare: exit 1 when the file is out of date")
    parser.add_argument("--output", type=Path, default=SCHEMA_FILE, help=f"the SDL file (default: {SCHEMA_FILE})")


def run(args: argparse.Namespace) -> int:
    path: Path = args.output
    if args.check:
        diff = drift(path)
        if diff is None:
            print(f"{path} is up to date")
            return 0
        sys.stdout.write(diff)
        print(f"\n{path} differs from the schema the code defines: {REGENERATE_HINT}", file=sys.stderr)
        return 1
    print(f"{'wrote' if write(path) else 'unchanged:'} {path}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.schema_export", description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
