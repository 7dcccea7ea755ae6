"""Inputs that change the caller's own profile."""

from __future__ import annotations

from functools import partial

import strawberry
from strawberry import UNSET

from domain import validation as v
from gql.inputs.values import Column, columns_of


@strawberry.input(description="Changes to the caller's profile: fields left out stay as they are; null clears.")
class UserPatch:
    full_name: str | None = UNSET
    avatar_url: str | None = strawberry.field(default=UNSET, description="An http(s) URL.")


columns_of(
    UserPatch,
    {
        "full_name": Column("full_name", validate=partial(v.text, max_length=200)),
        "avatar_url": Column("avatar_url", validate=v.url),
    },
)
