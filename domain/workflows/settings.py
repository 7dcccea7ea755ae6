"""What actions may need from the deployment (email delivery, webhooks, credentials) and how the engine runs.

The server builds these from its settings (server/worker.py); tests build them directly. The domain never
reads the environment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from domain.credentials import Keyring
from domain.webhooks import WebhookPolicy

SmtpSecurity = Literal["starttls", "tls", "none"]
SMTP_SCHEMES: dict[str, tuple[SmtpSecurity, int]] = {
    "smtp": ("starttls", 587),
    "smtps": ("tls", 465),
    "smtp+insecure": ("none", 25),
}


@dataclass(frozen=True)
class SmtpSettings:
    """An SMTP server: `smtp://user:password@host:587` (STARTTLS), `smtps://...` (TLS from the start, port 465),
    `smtp+insecure://host:1025` (no encryption: local catchers such as Mailpit only)."""

    host: str
    port: int
    security: SmtpSecurity = "starttls"
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        parts = urlsplit(url)
        if parts.scheme not in SMTP_SCHEMES or not parts.hostname:
            raise ValueError(
                "LEADGEN_SMTP_URL must look like smtp://user:password@host:587 (or smtps://, smtp+insecure://)"
            )
        security, default_port = SMTP_SCHEMES[parts.scheme]
        return cls(
            host=parts.hostname,
            port=parts.port or default_port,
            security=security,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass(frozen=True)
class EmailSettings:
    """Where emails go: SMTP when configured, else files in `outbox_dir` (development); neither: cannot send."""

    sender: str = "Leadgen <no-reply@localhost>"
    smtp: SmtpSettings | None = None
    outbox_dir: Path | None = None


@dataclass(frozen=True)
class ActionSettings:
    """Handed to every action (ActionContext.settings)."""

    email: EmailSettings = field(default_factory=EmailSettings)
    webhooks: WebhookPolicy = field(default_factory=WebhookPolicy)
    # decrypts integration credentials (db.integrations.read_envelope + Keyring.decrypt) and step secrets
    # (step_secrets.py; the worker also seals those stored in clear); None: not configured
    keyring: Keyring | None = field(default=None, repr=False)


@dataclass(frozen=True)
class EngineConfig:
    """How the engine claims and retries work. Times are seconds of the engine's clock."""

    # a claim's lease: renewed every third of it while the work runs (a heartbeat), so another worker takes over
    # the work of a worker that died (killed, disconnected) this long after its last renewal
    lease_seconds: float = 30.0
    step_timeout_seconds: float = 90.0  # a step still running after this long is stopped (a retryable failure)
    max_attempts: int = 5  # claims of one event or job before it is failed for good
    retry_base_seconds: float = 10.0  # back-off: base * 2^(attempt - 1), at most retry_max_seconds
    retry_max_seconds: float = 3600.0
    max_chain_depth: int = 3  # events caused by workflow runs this deep or deeper start nothing
    retention_seconds: float = 7 * 24 * 3600.0  # settled queue rows are purged after this long

    @property
    def heartbeat_seconds(self) -> float:
        """How often a running claim renews its lease."""
        return self.lease_seconds / 3

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before the attempt after `attempt` (1-based)."""
        return float(min(self.retry_max_seconds, self.retry_base_seconds * 2 ** max(0, attempt - 1)))
