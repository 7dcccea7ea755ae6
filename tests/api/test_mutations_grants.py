"""Every create input writes only columns `authenticated` may INSERT, every patch only columns it may UPDATE."""

from __future__ import annotations

import pytest

from gql.inputs.values import INPUT_COLUMNS
from gql.registry import TABLE_OF_TYPE
from gql.schema import build_schema
from tests.support.api import ApiClient
from tests.support.mutations import admin_fetch

build_schema()  # imports every input module, which registers its columns

PREFIXES = ("Create", "Add", "Log")  # LogActivityInput: a new activity
GRANTED = """
select column_name from information_schema.column_privileges
where table_schema = 'public' and table_name = $1 and grantee = 'authenticated' and privilege_type = $2
"""


def table_of(input_class: type) -> tuple[str, str]:
    """The table an input class writes, and the privilege that takes."""
    name = input_class.__name__
    if name.endswith("Patch"):
        return TABLE_OF_TYPE[name.removesuffix("Patch")], "UPDATE"
    prefix = next(p for p in PREFIXES if name.startswith(p))
    return TABLE_OF_TYPE[name.removeprefix(prefix).removesuffix("Input")], "INSERT"


def class_name(input_class: type) -> str:
    return input_class.__name__


@pytest.mark.parametrize("input_class", sorted(INPUT_COLUMNS, key=str), ids=class_name)
async def test_input_columns_are_granted(api: ApiClient, input_class: type) -> None:
    table, privilege = table_of(input_class)
    granted = {row["column_name"] for row in await admin_fetch(api, GRANTED, table, privilege)}
    written = {column.name for column in INPUT_COLUMNS[input_class].values()}
    assert written <= granted, (
        f"{input_class.__name__} writes {sorted(written - granted)} without {privilege} on {table}"
    )
    assert "user_id" not in written  # nobody writes rows, or memberships, for another user


def test_every_mutable_type_has_inputs() -> None:
    names = {c.__name__ for c in INPUT_COLUMNS}
    for type_name in TABLE_OF_TYPE:
        # executions: created and changed by the workflow engine; invitations: by the leadgen functions only
        if type_name not in ("WorkflowExecution", "SpaceInvitation"):
            assert f"{type_name}Patch" in names, type_name
