"""Credentials encryption: round trip, tampering, another row's envelope, key rotation, weak keys, dev key file."""

from __future__ import annotations

import base64
import json
import secrets
import stat
import uuid
from pathlib import Path
from typing import Any

import pytest

from domain.credentials import (
    CredentialsError,
    KeyConfigError,
    Keyring,
    hint_for,
    parse_key,
    validate_secret,
)
from domain.errors import AppError
from server.credential_keys import DEV_KEY_FILE, dev_key_text, load_keyring
from server.settings import Settings

ROW = uuid.UUID("00000000-0000-4000-b600-000000000101")
OWNER = uuid.UUID("00000000-0000-4000-a000-000000000001")
SPACE = uuid.UUID("00000000-0000-4000-b000-000000000001")
SECRET = {"signingSecret": "whsec_0123456789abcdef-9876", "accountId": "acme"}
KEY = secrets.token_urlsafe(48)
OLD_KEY = secrets.token_hex(32)


def envelope(keyring: Keyring, **where: Any) -> dict[str, Any]:
    return keyring.encrypt(SECRET, **{"row_id": ROW, "owner": OWNER, "space": SPACE, **where})


def test_round_trip_and_envelope_shape() -> None:
    keyring = Keyring.from_texts(KEY)
    sealed = envelope(keyring)
    assert set(sealed) == {"v", "kid", "nonce", "ciphertext"} and sealed["v"] == 1
    assert sealed["kid"] == keyring.current.kid and len(base64.b64decode(sealed["nonce"])) == 12
    text = json.dumps(sealed)
    assert "whsec" not in text and "acme" not in text and KEY not in text
    assert keyring.decrypt(sealed, row_id=ROW, owner=OWNER, space=SPACE) == SECRET
    assert envelope(keyring)["nonce"] != sealed["nonce"]  # a fresh nonce every time


def test_personal_rows_bind_their_owner() -> None:
    keyring = Keyring.from_texts(KEY)
    sealed = envelope(keyring, space=None)
    assert keyring.decrypt(sealed, row_id=ROW, owner=OWNER, space=None) == SECRET
    with pytest.raises(CredentialsError):
        keyring.decrypt(sealed, row_id=ROW, owner=uuid.uuid4(), space=None)


@pytest.mark.parametrize(
    "where",
    [
        {"row_id": uuid.UUID("00000000-0000-4000-b600-000000000102")},
        {"space": uuid.UUID("00000000-0000-4000-b000-000000000002")},
        {"space": None},
    ],
    ids=["another-row", "another-space", "made-personal"],
)
def test_an_envelope_does_not_decrypt_for_another_row_or_scope(where: dict[str, Any]) -> None:
    keyring = Keyring.from_texts(KEY)
    sealed = envelope(keyring)
    with pytest.raises(CredentialsError):
        keyring.decrypt(sealed, **{"row_id": ROW, "owner": OWNER, "space": SPACE, **where})


def _flip(text: str) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[len(raw) // 2] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


@pytest.mark.parametrize(
    "tamper",
    [
        lambda e: {**e, "ciphertext": _flip(e["ciphertext"])},
        lambda e: {**e, "nonce": _flip(e["nonce"])},
        lambda e: {**e, "ciphertext": e["ciphertext"][:-8] + "AAAAAAA="},
        lambda e: {**e, "ciphertext": "not base64!"},
        lambda e: {**e, "kid": "0000000000000000"},
        lambda e: {**e, "v": 2},
        lambda e: {k: v for k, v in e.items() if k != "nonce"},
    ],
    ids=["ciphertext-bit", "nonce-bit", "truncated-tag", "garbage", "unknown-kid", "version", "no-nonce"],
)
def test_tampering_is_detected(tamper: Any) -> None:
    keyring = Keyring.from_texts(KEY)
    with pytest.raises(CredentialsError):
        keyring.decrypt(tamper(envelope(keyring)), row_id=ROW, owner=OWNER, space=SPACE)


def test_key_rotation_with_a_previous_key() -> None:
    old = Keyring.from_texts(OLD_KEY)
    sealed_before = envelope(old)
    rotated = Keyring.from_texts(KEY, [OLD_KEY])
    assert rotated.current.kid != old.current.kid and sealed_before["kid"] == old.current.kid
    # the kid picks the key: old envelopes still open, new ones are made with the new key
    assert rotated.decrypt(sealed_before, row_id=ROW, owner=OWNER, space=SPACE) == SECRET
    sealed_after = envelope(rotated)
    assert sealed_after["kid"] == rotated.current.kid
    with pytest.raises(CredentialsError):  # the old key alone cannot read the new envelope
        old.decrypt(sealed_after, row_id=ROW, owner=OWNER, space=SPACE)
    with pytest.raises(CredentialsError):  # once the previous key is dropped, its envelopes are unreadable
        Keyring.from_texts(KEY).decrypt(sealed_before, row_id=ROW, owner=OWNER, space=SPACE)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "short",
        "correct horse battery staple, correct horse battery staple",  # a passphrase, not base64 or hex
        base64.b64encode(secrets.token_bytes(16)).decode(),  # 128 bits
        secrets.token_hex(31),  # 248 bits
        "00" * 32,
        "ab" * 32,
        base64.b64encode(b"0123456789" * 4).decode(),  # 40 bytes, ten distinct values
        "A" * 44,
    ],
    ids=["empty", "short", "passphrase", "128-bit", "248-bit", "zeros", "repeated", "pattern", "all-A"],
)
def test_weak_or_malformed_keys_are_refused(text: str) -> None:
    with pytest.raises(KeyConfigError) as refused:
        Keyring.from_texts(text)
    assert text not in str(refused.value) or not text
    with pytest.raises(KeyConfigError):
        Keyring.from_texts(KEY, [text or "x"])  # previous keys are held to the same standard


@pytest.mark.parametrize(
    "text",
    [
        secrets.token_hex(32),
        secrets.token_hex(48).upper(),
        base64.b64encode(secrets.token_bytes(32)).decode(),
        base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("="),
        "base64:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "hex:" + secrets.token_hex(32),
    ],
    ids=["hex", "long-hex", "base64", "urlsafe-48", "base64-prefix", "hex-prefix"],
)
def test_random_keys_are_accepted(text: str) -> None:
    assert len(parse_key(text)) >= 32
    keyring = Keyring.from_texts(f"  {text}\n")
    assert keyring.decrypt(envelope(keyring), row_id=ROW, owner=OWNER, space=SPACE) == SECRET


def test_the_key_never_shows_in_reprs() -> None:
    keyring = Keyring.from_texts(KEY, [OLD_KEY])
    settings = Settings(secret_key=KEY, previous_secret_keys=(OLD_KEY,))
    for shown in (repr(keyring), repr(settings), str(keyring.current)):
        assert KEY not in shown and OLD_KEY not in shown and "material" not in shown


def test_hints_mask_the_main_secret() -> None:
    assert hint_for({"accountId": "acme-1234567890", "signingSecret": "whsec_abcdefgh1234"}) == "••••1234"
    assert hint_for({"apiKey": "sk_live_0000abcd"}) == "••••abcd"
    assert hint_for({"custom": "a-long-custom-token-wxyz"}) == "••••wxyz"
    assert hint_for({"apiKey": "short-9876"}) == "••••"  # too short to show any of it


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ({}, "credentials"),
        ([], "credentials"),
        ("whsec_0123456789abcdef", "credentials"),
        ({"apiKey": 12345}, "credentials.apiKey"),
        ({"apiKey": "  "}, "credentials.apiKey"),
        ({"bad name": "x"}, "credentials"),
        ({"apiKey": "x" * 5000}, "credentials.apiKey"),
    ],
)
def test_invalid_secret_objects_are_refused(value: Any, field: str) -> None:
    with pytest.raises(AppError) as refused:
        validate_secret(value, "credentials")
    assert refused.value.code == "BAD_USER_INPUT" and refused.value.field == field


def test_a_webhook_needs_a_signing_secret() -> None:
    assert validate_secret({"apiKey": "short"}, "credentials", "crm") == {"apiKey": "short"}
    for value in ({"apiKey": "0123456789abcdef0123"}, {"signingSecret": "too-short"}):
        with pytest.raises(AppError) as refused:
            validate_secret(value, "credentials", "webhook")
        assert refused.value.field == "credentials.signingSecret"
        assert "too-short" not in refused.value.message  # never the value itself


def test_development_key_file(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = dev_key_text(data_dir)
    path = data_dir / DEV_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert dev_key_text(data_dir) == first  # reused, not regenerated
    path.chmod(0o644)
    assert dev_key_text(data_dir) == first and stat.S_IMODE(path.stat().st_mode) == 0o600
    keyring = load_keyring(Settings(data_dir=data_dir))
    assert keyring is not None and keyring.current.kid == Keyring.from_texts(first).current.kid


def test_production_needs_the_configured_key(tmp_path: Path) -> None:
    assert load_keyring(Settings(env="production", data_dir=tmp_path)) is None
    assert not (tmp_path / DEV_KEY_FILE).exists()  # no generated key in production
    configured = load_keyring(Settings(env="production", data_dir=tmp_path, secret_key=KEY))
    assert configured is not None and configured.current.kid == Keyring.from_texts(KEY).current.kid
    with pytest.raises(KeyConfigError):
        load_keyring(Settings(env="production", secret_key="too-short-to-be-a-key"))


def test_settings_read_the_keys_and_webhook_policy() -> None:
    env = {
        "LEADGEN_SECRET_KEY": KEY,
        "LEADGEN_SECRET_KEY_PREVIOUS": f"{OLD_KEY}, ",
        "LEADGEN_WEBHOOK_ALLOW_PRIVATE": "1",
        "LEADGEN_WEBHOOK_TIMEOUT": "2.5",
    }
    settings = Settings.from_env(env)
    assert settings.secret_key == KEY and settings.previous_secret_keys == (OLD_KEY,)
    assert settings.webhook_allow_private is True and settings.webhook_timeout == 2.5
    assert Settings.from_env({}).webhook_allow_private is False
    with pytest.raises(ValueError, match="LEADGEN_WEBHOOK_TIMEOUT"):
        Settings.from_env({"LEADGEN_WEBHOOK_TIMEOUT": "90"})
