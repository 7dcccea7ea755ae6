"""SpaceInvitation: an email address asked to join a space; the membership exists only once the invitee accepts."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.enums import SpaceRole
from gql.types.base import Info, computed_value, entity, load_one
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space import Space


@strawberry.enum(description="Where an invitation stands.")
class InvitationStatus(Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    REVOKED = "revoked"
    EXPIRED = "expired"


@entity("space_invitations")
@strawberry.type(
    description=(
        "An invitation to join a space, seen by the space's owners and admins and by the invitee (signed in with the "
        "invited address). It shows nothing about the invitee's account."
    )
)
class SpaceInvitation(Node):
    email: str = strawberry.field(description="The invited address (lower case).")
    role: SpaceRole = strawberry.field(description="The role the invitee gets on accepting.")
    space_name: str = strawberry.field(description="The space's name when the invitation was made.")
    inviter_name: str | None = strawberry.field(description="Who invited (their name or address then).")
    expires_at: dt.datetime = strawberry.field(description="After this it cannot be accepted.")
    responded_at: dt.datetime | None = strawberry.field(description="When it was accepted, declined or revoked.")
    email_sent_at: dt.datetime | None = strawberry.field(description="When the invitation email went out.")
    created_at: dt.datetime
    updated_at: dt.datetime

    @strawberry.field(description="PENDING until answered; a pending invitation past expiresAt is EXPIRED.")
    async def status(self, info: Info) -> InvitationStatus:
        return InvitationStatus(await computed_value(info, "space_invitations", self.row["id"], "status"))

    @strawberry.field(description="The space; null for an invitee, who sees it only once they belong to it.")
    async def space(self, info: Info) -> Annotated[Space, strawberry.lazy("gql.types.space")] | None:
        from gql.types.space import Space

        return await load_one(info, Space, self.row["space_id"])
