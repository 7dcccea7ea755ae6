"""Integration credentials: validated as secret objects, encrypted with AES-256-GCM, shown only as a masked hint.
(The same keyring seals the secrets of workflow steps, under their own label: domain/workflows/step_secrets.py.)

An envelope is the JSON object stored in `lead_integrations.credentials`:
`{"v": 1, "kid": <key id>, "nonce": <base64, 12 bytes>, "ciphertext": <base64, ciphertext and tag>}`. Its
associated data binds it to one row: the integration's id and its scope (its space, or its owner for a
personal row), so a ciphertext copied to another row, or into another scope, does not decrypt.

The AES key is derived (HKDF-SHA256 with its own `info`) from `LEADGEN_SECRET_KEY`, which other features use
too: at least 32 random bytes, as hex or base64. `kid` (a fingerprint of the derived key, not the key) picks
the key: the current one encrypts, previous ones still decrypt, so `LEADGEN_SECRET_KEY` can be rotated by
moving the old value to `LEADGEN_SECRET_KEY_PREVIOUS`.

Nothing here logs, and no error message carries a secret value.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from domain.errors import bad_input

ENVELOPE_VERSION = 1
KEY_BYTES = 32  # AES-256; also the least a configured secret must hold
NONCE_BYTES = 12
MIN_DISTINCT_KEY_BYTES = 12  # 32 random bytes have about 31 distinct values; fewer means a made-up key
HKDF_INFO = b"leadgen/lead_integrations.credentials/aes-256-gcm/v1"
HEX_DIGITS = re.compile(r"^[0-9a-fA-F]+$")  # read as hex, never as base64 (whose alphabet it also fits)
SECRET_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_SECRET_KEYS = 20
MAX_SECRET_CHARS = 4096
MAX_SECRETS_BYTES = 16_384
MIN_SIGNING_SECRET_CHARS = 16
HINT_MASK = "••••"
HINT_MIN_CHARS = 12  # a shorter secret shows no characters at all
# Which value of a secret object the hint shows, in order of preference (else the first string value).
MAIN_SECRET_NAMES = (
    "signingSecret",
    "apiKey",
    "api_key",
    "accessToken",
    "access_token",
    "token",
    "clientSecret",
    "client_secret",
    "secret",
    "password",
)


class KeyConfigError(ValueError):
    """A configured key is missing, malformed or too weak."""


class CredentialsError(Exception):
    """Stored credentials cannot be decrypted: unknown key, tampered envelope, or another row's envelope."""


def parse_key(text: str, name: str = "LEADGEN_SECRET_KEY") -> bytes:
    """A secret of at least 256 bits, from hex digits or base64 (standard or URL-safe, padding optional).

    Refuses anything else: short keys, passphrases, and keys with few distinct bytes (all zeros, a repeated
    pattern), which are not the output of a random generator."""
    cleaned = text.strip()
    if cleaned.startswith(("hex:", "base64:")):
        cleaned = cleaned.split(":", 1)[1]
    key = _hex(cleaned) if HEX_DIGITS.fullmatch(cleaned) else _base64(cleaned)
    if key is None or len(key) < KEY_BYTES:
        raise KeyConfigError(
            f"{name} must be at least {KEY_BYTES} random bytes, as hex digits or base64 "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
        )
    if len(set(key)) < MIN_DISTINCT_KEY_BYTES:
        raise KeyConfigError(f"{name} is too weak: it does not look random; generate one with a secure generator")
    return key


def _hex(text: str) -> bytes | None:
    try:
        return bytes.fromhex(text)
    except ValueError:  # an odd number of digits
        return None


def _base64(text: str) -> bytes | None:
    """Standard or URL-safe base64, padding optional; None when it is neither."""
    standard = (text + "=" * (-len(text) % 4)).replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard, validate=True)
    except ValueError:  # binascii.Error, or not ASCII
        return None


def new_key_text() -> str:
    """A fresh random key, in the form parse_key reads (URL-safe base64 without padding)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).rstrip(b"=").decode("ascii")


def derive_key(secret: bytes) -> bytes:
    """The AES-256 key of credentials, derived from the configured secret (which serves other purposes too)."""
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=HKDF_INFO).derive(secret)


def key_id(key: bytes) -> str:
    """A public fingerprint of a key (it reveals nothing about the key itself)."""
    return hashlib.sha256(b"leadgen-credentials-kid\x00" + key).hexdigest()[:16]


@dataclass(frozen=True)
class Key:
    material: bytes = field(repr=False)
    kid: str

    @classmethod
    def of(cls, secret: bytes) -> Key:
        """The credentials key derived from a configured secret (see parse_key)."""
        material = derive_key(secret)
        return cls(material=material, kid=key_id(material))


def _scope(owner: uuid.UUID | str, space: uuid.UUID | str | None) -> str:
    return f"space:{space}" if space is not None else f"user:{owner}"


INTEGRATION_LABEL = "lead_integrations.credentials"


def bound_to(kid: str, label: str, subject: str) -> bytes:
    """What an envelope is bound to: its version and key, what kind of secret it is (`label`) and whose (`subject`)."""
    return f"leadgen/{label}/v{ENVELOPE_VERSION}/{kid}/{subject}".encode()


def associated_data(kid: str, row_id: uuid.UUID | str, owner: uuid.UUID | str, space: uuid.UUID | str | None) -> bytes:
    """What an integration's envelope is bound to: its version and key, the integration's id and its scope."""
    return bound_to(kid, INTEGRATION_LABEL, f"{row_id}/{_scope(owner, space)}")


@dataclass(frozen=True)
class Keyring:
    """The current key (encrypts and decrypts) and previous keys (decrypt only), by key id."""

    current: Key
    previous: tuple[Key, ...] = ()

    @classmethod
    def from_texts(cls, current: str, previous: Iterable[str] = (), name: str = "LEADGEN_SECRET_KEY") -> Keyring:
        keys = [Key.of(parse_key(text, f"{name}_PREVIOUS")) for text in previous if text.strip()]
        return cls(current=Key.of(parse_key(current, name)), previous=tuple(keys))

    def _key(self, kid: str) -> Key | None:
        return next((k for k in (self.current, *self.previous) if k.kid == kid), None)

    def encrypt(
        self,
        secret: Mapping[str, Any],
        *,
        row_id: uuid.UUID | str,
        owner: uuid.UUID | str,
        space: uuid.UUID | str | None,
    ) -> dict[str, Any]:
        """An envelope of `secret` (a JSON object) for the integration `row_id` of the given scope."""
        return self.seal(secret, INTEGRATION_LABEL, f"{row_id}/{_scope(owner, space)}")

    def decrypt(
        self,
        envelope: Mapping[str, Any],
        *,
        row_id: uuid.UUID | str,
        owner: uuid.UUID | str,
        space: uuid.UUID | str | None,
    ) -> dict[str, Any]:
        """The secret object of an envelope made for this very row; CredentialsError otherwise."""
        return self.open(envelope, INTEGRATION_LABEL, f"{row_id}/{_scope(owner, space)}")

    def seal(self, secret: Mapping[str, Any], label: str, subject: str) -> dict[str, Any]:
        """An envelope of `secret` (a JSON object) bound to one kind of secret (`label`) of one row (`subject`)."""
        nonce = os.urandom(NONCE_BYTES)
        plaintext = json.dumps(dict(secret), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        ciphertext = AESGCM(self.current.material).encrypt(nonce, plaintext, bound_to(self.current.kid, label, subject))
        return {
            "v": ENVELOPE_VERSION,
            "kid": self.current.kid,
            "nonce": base64.b64encode(nonce).decode("ascii"),
            "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
        }

    def open(self, envelope: Mapping[str, Any], label: str, subject: str) -> dict[str, Any]:
        """The secret object of an envelope sealed for this label and subject; CredentialsError otherwise."""
        if envelope.get("v") != ENVELOPE_VERSION or not isinstance(envelope.get("kid"), str):
            raise CredentialsError("not a credentials envelope of a known version")
        key = self._key(envelope["kid"])
        if key is None:
            raise CredentialsError("encrypted with a key this server does not have")
        try:
            nonce = base64.b64decode(str(envelope.get("nonce", "")), validate=True)
            ciphertext = base64.b64decode(str(envelope.get("ciphertext", "")), validate=True)
            plaintext = AESGCM(key.material).decrypt(nonce, ciphertext, bound_to(key.kid, label, subject))
            secret = json.loads(plaintext.decode("utf-8"))
        except (ValueError, InvalidTag):  # bad base64, JSON or UTF-8; or the tag does not verify
            raise CredentialsError("the envelope does not decrypt for this row (tampered or moved)") from None
        if not isinstance(secret, dict):
            raise CredentialsError("the envelope does not hold a JSON object")
        return secret


def validate_secret(value: Any, field: str, integration_type: str | None = None) -> dict[str, str]:
    """A secret object: 1..20 named string values. A webhook's needs a `signingSecret` of 16+ characters.

    Error messages name the offending key, never its value."""
    if not isinstance(value, dict) or not value:
        raise bad_input(field, f"{field}: must be a JSON object of named secret strings (to remove them, clear them)")
    if len(value) > MAX_SECRET_KEYS:
        raise bad_input(field, f"{field}: at most {MAX_SECRET_KEYS} values")
    secret: dict[str, str] = {}
    for name, item in value.items():
        if not SECRET_NAME.fullmatch(name):
            raise bad_input(field, f"{field}: names are letters, digits and underscores (at most 64)")
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_SECRET_CHARS:
            where = f"{field}.{name}"
            raise bad_input(where, f"{where}: a non-blank string of at most {MAX_SECRET_CHARS} characters")
        secret[name] = item
    if len(json.dumps(secret).encode("utf-8")) > MAX_SECRETS_BYTES:
        raise bad_input(field, f"{field}: too large (at most {MAX_SECRETS_BYTES} bytes)")
    if integration_type == "webhook":
        signing = secret.get("signingSecret")
        if signing is None or len(signing) < MIN_SIGNING_SECRET_CHARS:
            needs = f"a webhook needs a signing secret of at least {MIN_SIGNING_SECRET_CHARS} characters"
            raise bad_input(f"{field}.signingSecret", f"{field}.signingSecret: {needs}")
    return secret


def hint_for(secret: Mapping[str, str]) -> str:
    """A masked hint of the main secret value: "••••" and its last 4 characters (none for short secrets)."""
    main = next((secret[name] for name in MAIN_SECRET_NAMES if isinstance(secret.get(name), str)), None)
    if main is None:
        main = next((v for v in secret.values() if isinstance(v, str)), "")
    return masked(main)


def masked(value: str) -> str:
    """ "••••" and the last 4 characters of a secret value (nothing of one shorter than HINT_MIN_CHARS)."""
    return HINT_MASK + (value[-4:] if len(value) >= HINT_MIN_CHARS else "")
