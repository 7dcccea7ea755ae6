"""What every resolver gets: the caller, the request's transaction and its loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dataloaders.loaders import Loaders
from db.session import Caller, RequestSession
from domain.credentials import Keyring
from domain.webhooks import WebhookPolicy


@dataclass(frozen=True)
class Limits:
    default_page_size: int = 20
    max_page_size: int = 100
    max_bulk_rows: int = 1000


@dataclass(frozen=True)
class Integrations:
    """What integrations need from the server: the credentials keyring (None: not configured) and webhooks."""

    keyring: Keyring | None = None
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)


@dataclass
class Context:
    caller: Caller
    session: RequestSession
    loaders: Loaders
    limits: Limits = field(default_factory=Limits)
    request_info: dict[str, Any] = field(default_factory=dict)  # client IP, user agent: for rate limits
    secret_key: bytes = field(default=b"", repr=False)  # the server secret (visitor tokens, hashed addresses)
    integrations: Integrations = field(default_factory=Integrations)
    # the request's parsed and validated document (gql.documents.PreparedDocument), so Strawberry does not redo it
    document: object | None = None

    @classmethod
    def create(
        cls,
        session: RequestSession,
        limits: Limits | None = None,
        *,
        secret_key: bytes = b"",
        integrations: Integrations | None = None,
        document: object | None = None,
        **info: Any,
    ) -> Context:
        return cls(
            caller=session.caller,
            session=session,
            loaders=Loaders(session),
            limits=limits or Limits(),
            request_info=dict(info),
            secret_key=secret_key,
            integrations=integrations or Integrations(),
            document=document,
        )
