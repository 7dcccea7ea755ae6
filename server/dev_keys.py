"""The development signing key: an ES256 key in the data folder that mints Supabase-style access tokens.

Only for local runs, tests and demos (no Supabase project configured). Its public half goes to `TokenVerifier`
as an inline JWKS, so tokens minted here take the same verification path as real Supabase tokens.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from server.secret_files import create_exclusively, restrict_to_owner

DEV_ISSUER = "http://127.0.0.1:54321/auth/v1"  # the Supabase CLI's local Auth URL
KEY_FILE_NAME = "jwt-signing-key.pem"
_COORDINATE_BYTES = 32  # P-256

logger = logging.getLogger(__name__)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _public_jwk_members(key: ec.EllipticCurvePublicKey) -> dict[str, str]:
    numbers = key.public_numbers()
    return {
        "crv": "P-256",
        "kty": "EC",
        "x": _b64url(numbers.x.to_bytes(_COORDINATE_BYTES, "big")),
        "y": _b64url(numbers.y.to_bytes(_COORDINATE_BYTES, "big")),
    }


def jwk_thumbprint(key: ec.EllipticCurvePublicKey) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url): required members, sorted, no whitespace."""
    canonical = json.dumps(_public_jwk_members(key), sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canonical.encode("ascii")).digest())


def _load(path: Path) -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValueError(f"{path} is not an ES256 (P-256) private key")
    restrict_to_owner(path)
    return key


@dataclass(frozen=True)
class DevSigningKey:
    """An ES256 private key and its key id (the RFC 7638 thumbprint of its public key)."""

    private_key: ec.EllipticCurvePrivateKey = field(repr=False)
    kid: str

    @classmethod
    def from_private_key(cls, private_key: ec.EllipticCurvePrivateKey) -> DevSigningKey:
        return cls(private_key=private_key, kid=jwk_thumbprint(private_key.public_key()))

    @classmethod
    def load_or_create(cls, data_dir: Path) -> DevSigningKey:
        """The key stored in `<data_dir>/jwt-signing-key.pem` (mode 0600), created on first use."""
        path = data_dir / KEY_FILE_NAME
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            new_key = ec.generate_private_key(ec.SECP256R1())
            pem = new_key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            if create_exclusively(path, pem):
                logger.info("created the development JWT signing key %s", path)
                return cls.from_private_key(new_key)
        return cls.from_private_key(_load(path))

    def public_jwk(self) -> dict[str, str]:
        return {
            **_public_jwk_members(self.private_key.public_key()),
            "kid": self.kid,
            "alg": "ES256",
            "use": "sig",
        }

    def jwks(self) -> dict[str, Any]:
        """The public JWK set, shaped like `<SUPABASE_URL>/auth/v1/.well-known/jwks.json`."""
        return {"keys": [self.public_jwk()]}

    def mint(
        self,
        sub: str,
        *,
        email: str | None,
        app_metadata: dict[str, Any] | None = None,
        user_metadata: dict[str, Any] | None = None,
        issuer: str,
        audience: str = "authenticated",
        expires_in: int = 3600,
    ) -> str:
        """A user access token with the claims Supabase Auth issues after a password sign-in."""
        if str(uuid.UUID(sub)) != sub:
            raise ValueError("sub must be a UUID in canonical lowercase form")
        if expires_in <= 0:
            raise ValueError("expires_in must be positive")
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": issuer,
            "sub": sub,
            "aud": audience,
            "exp": now + expires_in,
            "iat": now,
            "email": email or "",
            "phone": "",
            "app_metadata": dict(app_metadata) if app_metadata is not None else _default_app_metadata(),
            "user_metadata": dict(user_metadata) if user_metadata is not None else {},
            "role": "authenticated",
            "aal": "aal1",
            "amr": [{"method": "password", "timestamp": now}],
            "session_id": str(uuid.uuid4()),
            "is_anonymous": False,
        }
        return jwt.encode(claims, self.private_key, algorithm="ES256", headers={"kid": self.kid, "typ": "JWT"})


def _default_app_metadata() -> dict[str, Any]:
    return {"provider": "email", "providers": ["email"]}
