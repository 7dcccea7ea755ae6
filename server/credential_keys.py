"""The keys that encrypt integration credentials, from settings; and what integration resolvers get.

`LEADGEN_SECRET_KEY` (with `LEADGEN_SECRET_KEY_PREVIOUS` during a rotation) when set: validated, a bad or weak
value stops the server. Without it, in development a random key is generated once into
`<data dir>/credentials-key` (mode 0600), beside the embedded database whose credentials it encrypts; in
production there is none, and any use of credentials fails with a message saying to set the key.
"""

from __future__ import annotations

import logging
from pathlib import Path

from domain.credentials import Keyring, new_key_text
from domain.webhooks import WebhookPolicy
from resolvers.context import Integrations
from server.secret_files import create_exclusively, restrict_to_owner
from server.settings import Settings

DEV_KEY_FILE = "credentials-key"

logger = logging.getLogger(__name__)


def dev_key_text(data_dir: Path) -> str:
    """The development key stored in `<data_dir>/credentials-key`, created on first use."""
    path = data_dir / DEV_KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if create_exclusively(path, (new_key_text() + "\n").encode("ascii")):
            logger.info("created the development credentials key %s", path)
    restrict_to_owner(path)
    return path.read_text(encoding="ascii").strip()


def load_keyring(settings: Settings) -> Keyring | None:
    """The credentials keyring of these settings; None in production without LEADGEN_SECRET_KEY."""
    if settings.secret_key:
        return Keyring.from_texts(settings.secret_key, settings.previous_secret_keys)
    if settings.production:
        logger.warning("LEADGEN_SECRET_KEY is not set: integration credentials can be neither stored nor used")
        return None
    return Keyring.from_texts(dev_key_text(settings.data_dir), settings.previous_secret_keys)


def integrations_from(settings: Settings) -> Integrations:
    if settings.webhook_allow_private:
        logger.warning("LEADGEN_WEBHOOK_ALLOW_PRIVATE is on: webhooks may call private and loopback addresses")
    return Integrations(
        keyring=load_keyring(settings),
        webhooks=WebhookPolicy(timeout=settings.webhook_timeout, allow_private=settings.webhook_allow_private),
    )
