"""Catalog: users' profiles, spaces, their members and invitations."""

from __future__ import annotations

from db.catalog.model import (
    STAMPS,
    TS,
    Computed,
    E,
    T,
    Table,
    ToMany,
    ToOne,
    U,
    col,
    created_orderings,
    name_orderings,
    register,
    time_orderings,
)
from db.sql import Sql

register(
    Table(
        "profiles",
        columns={"id": U, "email": T, "full_name": T, "avatar_url": T, **STAMPS},
        relations={"memberships": ToMany("space_members", "user_id", paginated=False, default_order="created_at_asc")},
    )
)
register(
    Table(
        "spaces",
        columns={"id": U, "name": T, "created_by": U, **STAMPS},
        relations={
            "created_by": ToOne("profiles", "created_by"),
            "members": ToMany("space_members", "space_id", paginated=False, default_order="created_at_asc"),
            "invitations": ToMany("space_invitations", "space_id", paginated=False, default_order="created_at_desc"),
        },
        filters={"id": col("id", U, refs="spaces"), "name": col("name", T)},
        orderings={**time_orderings(), **name_orderings()},
        ordering_group="Named",
        default_order="name_asc",
    )
)
register(
    Table(
        "space_members",
        columns={"id": U, "space_id": U, "user_id": U, "role": E, **STAMPS},
        relations={"space": ToOne("spaces", "space_id"), "user": ToOne("profiles", "user_id")},
        orderings={"created_at_asc": created_orderings()["created_at_asc"]},
        default_order="created_at_asc",
    )
)


def _invitation_status(t: str) -> Sql:
    """A pending invitation past expires_at shows as expired."""
    return Sql(f"case when {t}.status = 'pending' and {t}.expires_at <= now() then 'expired' else {t}.status end")


# Invitations are read here (token_hash is not selectable by API roles) and written by the leadgen functions
# (db/invitations.py).
register(
    Table(
        "space_invitations",
        columns={
            "id": U,
            "space_id": U,
            "email": T,
            "role": E,
            "space_name": T,
            "invited_by": U,
            "inviter_name": T,
            "expires_at": TS,
            "responded_at": TS,
            "email_sent_at": TS,
            **STAMPS,
        },
        relations={"space": ToOne("spaces", "space_id")},
        computed={"status": Computed(_invitation_status, E)},
        orderings={"created_at_desc": created_orderings()["created_at_desc"]},
        default_order="created_at_desc",
    )
)
