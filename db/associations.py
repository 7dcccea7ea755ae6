"""SQL of the lead <-> campaign associations ($1 the lead id, $2 the campaign id)."""

from __future__ import annotations

ADD_LEAD_TO_CAMPAIGN = (
    "insert into public.lead_campaign_associations (lead_id, campaign_id) values ($1::uuid, $2::uuid)"
    " on conflict (lead_id, campaign_id) do nothing"
)

REMOVE_LEAD_FROM_CAMPAIGN = (
    "delete from public.lead_campaign_associations a"
    " where a.lead_id = $1::uuid and a.campaign_id = $2::uuid returning a.id"
)

ASSOCIATION_VISIBLE = (
    "select exists (select 1 from public.lead_campaign_associations a"
    " where a.lead_id = $1::uuid and a.campaign_id = $2::uuid)"
)
