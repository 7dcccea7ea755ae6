"""Mutations of campaigns, and of the leads in them."""

from __future__ import annotations

import strawberry

from gql.ids import decode_id
from gql.inputs.campaign import CampaignPatch, CreateCampaignInput, check_dates
from gql.inputs.values import to_values
from gql.mutations.base import DeletePayload, create_entity, delete_entity
from gql.types.base import Info, build
from gql.types.campaign import Campaign
from gql.types.lead import Lead
from resolvers.campaigns import add_lead_to_campaign, remove_lead_from_campaign, update_campaign


@strawberry.type
class CampaignMutations:
    @strawberry.mutation(description="Create a campaign (space owners and admins, or personal).")
    async def create_campaign(self, info: Info, input: CreateCampaignInput) -> Campaign:
        check_dates(input, "input")
        return await create_entity(info, Campaign, input)

    @strawberry.mutation(
        description="Change a campaign; fields left out stay as they are. Status moves: DRAFT -> SCHEDULED, ACTIVE, "
        "CANCELLED; SCHEDULED -> ACTIVE, DRAFT, CANCELLED; ACTIVE -> PAUSED, COMPLETED, CANCELLED; PAUSED -> "
        "ACTIVE, COMPLETED, CANCELLED; COMPLETED and CANCELLED are final."
    )
    async def update_campaign(self, info: Info, id: strawberry.ID, patch: CampaignPatch) -> Campaign:
        check_dates(patch, "patch")
        row_id = decode_id(id, "Campaign", "id")
        return build(Campaign, await update_campaign(info.context, row_id, to_values(patch, "patch"), "patch"))

    @strawberry.mutation(description="Delete a campaign (its leads keep existing).")
    async def delete_campaign(self, info: Info, id: strawberry.ID) -> DeletePayload:
        return await delete_entity(info, Campaign, id)

    @strawberry.mutation(description="Put a lead in a campaign of its scope; a lead already in it stays in it.")
    async def add_lead_to_campaign(self, info: Info, lead: strawberry.ID, campaign: strawberry.ID) -> Lead:
        row = await add_lead_to_campaign(
            info.context, decode_id(lead, "Lead", "lead"), decode_id(campaign, "Campaign", "campaign")
        )
        return build(Lead, row)

    @strawberry.mutation(description="Take a lead out of a campaign; NOT_FOUND when it is not in it.")
    async def remove_lead_from_campaign(self, info: Info, lead: strawberry.ID, campaign: strawberry.ID) -> Lead:
        row = await remove_lead_from_campaign(
            info.context, decode_id(lead, "Lead", "lead"), decode_id(campaign, "Campaign", "campaign")
        )
        return build(Lead, row)
