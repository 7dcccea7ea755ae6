"""Mutations of invitations: a membership of a space exists only once the invitee accepts."""

from __future__ import annotations

import strawberry

from gql.enums import SpaceRole
from gql.ids import decode_id
from gql.types.base import Info, build
from gql.types.space_invitation import SpaceInvitation
from gql.types.space_member import SpaceMember
from resolvers import invitations

INVITATION = "SpaceInvitation"


@strawberry.type
class SpaceInvitationMutations:
    @strawberry.mutation(
        description=(
            "Invite an email address to a space (owners: any role; admins: members and viewers). The invitee gets an "
            "email with a link and sees the invitation in `viewer.invitations`; nothing changes until they accept. "
            "The answer is the same whether or not the address has an account."
        )
    )
    async def invite_to_space(
        self, info: Info, space: strawberry.ID, email: str, role: SpaceRole = SpaceRole.MEMBER
    ) -> SpaceInvitation:
        space_id = decode_id(space, "Space", "space")
        return build(SpaceInvitation, await invitations.invite(info.context, space_id, email, role.value))

    @strawberry.mutation(
        description=(
            "Accept an invitation addressed to the caller's email address, by its id (from `viewer.invitations`) or "
            "by the token of the emailed link; the caller becomes a member with the invitation's role."
        )
    )
    async def accept_invitation(
        self, info: Info, id: strawberry.ID | None = None, token: str | None = None
    ) -> SpaceMember:
        invitation_id = decode_id(id, INVITATION, "id") if id is not None else None
        return build(SpaceMember, await invitations.accept(info.context, invitation_id, token))

    @strawberry.mutation(description="Decline an invitation addressed to the caller, by its id or its token.")
    async def decline_invitation(
        self, info: Info, id: strawberry.ID | None = None, token: str | None = None
    ) -> SpaceInvitation:
        invitation_id = decode_id(id, INVITATION, "id") if id is not None else None
        return build(SpaceInvitation, await invitations.decline(info.context, invitation_id, token))

    @strawberry.mutation(
        description="Revoke a pending invitation (the space's owners; admins those of members and viewers)."
    )
    async def revoke_invitation(self, info: Info, id: strawberry.ID) -> SpaceInvitation:
        invitation_id = decode_id(id, INVITATION, "id")
        return build(SpaceInvitation, await invitations.revoke(info.context, invitation_id))
