"""Ordering enums of the connections; each value names an ordering of db/catalog.py (ties broken by id)."""

from __future__ import annotations

from enum import Enum

import strawberry


@strawberry.enum(description="Orderings of leads; ties are broken by id in the same direction.")
class LeadOrderBy(Enum):
    SCORE_DESC = "score_desc"
    SCORE_ASC = "score_asc"
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    UPDATED_AT_ASC = "updated_at_asc"
    LAST_ACTIVITY_AT_DESC = "last_activity_at_desc"
    LAST_ACTIVITY_AT_ASC = "last_activity_at_asc"
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"


@strawberry.enum(description="Orderings by time or name; ties are broken by id.")
class NamedOrderBy(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    UPDATED_AT_ASC = "updated_at_asc"
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"


@strawberry.enum(description="Orderings by time; ties are broken by id.")
class TimeOrderBy(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    UPDATED_AT_ASC = "updated_at_asc"


@strawberry.enum(description="Orderings of pipeline stages; ties are broken by id.")
class StageOrderBy(Enum):
    STAGE_ORDER_ASC = "stage_order_asc"
    STAGE_ORDER_DESC = "stage_order_desc"
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"


@strawberry.enum(description="Orderings of campaigns; ties are broken by id.")
class CampaignOrderBy(Enum):
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
    UPDATED_AT_DESC = "updated_at_desc"
    UPDATED_AT_ASC = "updated_at_asc"
    NAME_ASC = "name_asc"
    NAME_DESC = "name_desc"
    START_DATE_DESC = "start_date_desc"
    START_DATE_ASC = "start_date_asc"


@strawberry.enum(description="Orderings of users; ties are broken by id.")
class UserOrderBy(Enum):
    EMAIL_ASC = "email_asc"
    CREATED_AT_DESC = "created_at_desc"
    CREATED_AT_ASC = "created_at_asc"
