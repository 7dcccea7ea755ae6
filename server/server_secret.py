"""The server secret: LEADGEN_SECRET_KEY, which signs visitor tokens and keys the hashes of client addresses.

The same variable also encrypts integration credentials (server/credential_keys.py); each use derives its own
key from it, so the uses never share key material. Every process of a deployment must see the same value, or
a token signed by one is refused by another and per-client rate limits count apart. In development without
it, the development key of server/credential_keys.py serves (one random key in the data folder). In
production without it the server starts, but public form submissions are refused (an INTERNAL error whose log
says to set the key), as credentials are.
"""

from __future__ import annotations

import logging

from domain.credentials import parse_key
from server.credential_keys import dev_key_text
from server.settings import Settings

log = logging.getLogger(__name__)


def load_server_secret(settings: Settings) -> bytes:
    """The secret's bytes; b"" in production without LEADGEN_SECRET_KEY. A malformed or weak value stops the server."""
    if settings.secret_key:
        return parse_key(settings.secret_key)
    if settings.production:
        log.warning("LEADGEN_SECRET_KEY is not set: public form submissions will be refused")
        return b""
    return parse_key(dev_key_text(settings.data_dir))
