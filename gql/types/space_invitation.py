"""SpaceInvitation: an email address asked to join a space; the membership exists only once the invitee accepts."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from gql.enums import InvitationStatus, SpaceRole
from gql.types.fields import computed, entity, relation
from gql.types.node import Node

if TYPE_CHECKING:
    from gql.types.space import Space


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
    status: InvitationStatus = computed(
        "status", description="PENDING until answered; a pending invitation past expiresAt is EXPIRED."
    )
    space: Annotated[Space, strawberry.lazy("gql.types.space")] | None = relation(
        "space", description="The space; null for an invitee, who sees it only once they belong to it."
    )
