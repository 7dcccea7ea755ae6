"""Integration: a third-party connection; its credentials are write-only. And the result of testing one."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from gql.enums import IntegrationType, SyncStatus
from gql.types.fields import entity
from gql.types.owned import Owned


@entity("lead_integrations")
@strawberry.type(description="A third-party integration. Its credentials can be written but never read back.")
class Integration(Owned):
    integration_type: IntegrationType
    integration_name: str
    is_active: bool
    settings: JSON = strawberry.field(description="Non-secret settings, e.g. a webhook URL.")
    has_credentials: bool
    credentials_hint: str | None = strawberry.field(description="A masked hint of the secret, e.g. ••••1234.")
    last_sync_at: dt.datetime | None
    sync_status: SyncStatus
    sync_error: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


@strawberry.type(description="The outcome of sending a signed test event to a webhook integration.")
class IntegrationTestResult:
    ok: bool = strawberry.field(description="The receiver answered with a 2xx status.")
    status_code: int | None = strawberry.field(description="The receiver's HTTP status; null when none came.")
    error: str | None = strawberry.field(description="Why the test failed; null when it succeeded.")
    duration_ms: int = strawberry.field(description="How long the delivery took, in milliseconds.")
    delivery_id: str | None = strawberry.field(description="The X-Leadgen-Delivery header sent, if any was.")
