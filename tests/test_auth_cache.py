"""Verified tokens are remembered briefly, never past their expiry."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.auth import VERIFIED_CACHE_SECONDS, AuthSettings, TokenError, TokenVerifier
from server.dev_keys import DEV_ISSUER, DevSigningKey

USER = "00000000-0000-4000-a000-000000000001"


async def test_a_verified_token_is_remembered_until_its_expiry_at_most(tmp_path: Path) -> None:
    key = DevSigningKey.load_or_create(tmp_path)
    verifier = TokenVerifier(AuthSettings(jwks=key.jwks(), leeway_seconds=0))
    short = key.mint(USER, email=None, issuer=DEV_ISSUER, expires_in=5)
    long = key.mint(USER, email=None, issuer=DEV_ISSUER, expires_in=3600)
    first = await verifier.verify(short)
    assert await verifier.verify(short) is first  # the second time comes from memory
    claims, until = verifier._verified[short]
    assert until <= claims["exp"]
    await verifier.verify(long)
    _, long_until = verifier._verified[long]
    assert long_until - claims["iat"] <= VERIFIED_CACHE_SECONDS + 1


async def test_a_remembered_token_past_its_time_is_verified_again(tmp_path: Path) -> None:
    key = DevSigningKey.load_or_create(tmp_path)
    verifier = TokenVerifier(AuthSettings(jwks=key.jwks(), leeway_seconds=0))
    token = key.mint(USER, email=None, issuer=DEV_ISSUER, expires_in=3600)
    claims = await verifier.verify(token)
    verifier._verified[token] = (claims, 0.0)  # as if its time were up
    assert await verifier.verify(token) is not claims
    other = DevSigningKey.load_or_create(tmp_path / "other")
    forged = other.mint(USER, email=None, issuer=DEV_ISSUER)
    with pytest.raises(TokenError):
        await verifier.verify(forged)
    assert forged not in verifier._verified
