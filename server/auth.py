"""Verifies Supabase access tokens (project JWKS, inline JWKS or legacy HS256) and turns them into a Caller.

Only a token whose signature, algorithm, `exp`/`nbf`/`iat`, `aud`, `iss`, `role` ("authenticated") and `sub`
(a UUID) all check out becomes an authenticated caller; no header means `anon`. Every refusal is a
`TokenError` whose message is safe to show to the client (it never contains the token).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt.exceptions import InvalidSubjectError

from db.session import ANONYMOUS, Caller
from server.dev_keys import DEV_ISSUER

logger = logging.getLogger(__name__)

REQUIRED_CLAIMS = ("exp", "iat", "sub", "aud", "iss", "role")
MAX_TOKEN_LENGTH = 16 * 1024
# Verified tokens are remembered this long at most (a revoked key stops working within it), this many at once.
VERIFIED_CACHE_SECONDS = 60.0
VERIFIED_CACHE_SIZE = 10_000
MAX_JWKS_BYTES = 1024 * 1024
MIN_SECRET_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")
_ASYMMETRIC_ALGORITHMS = frozenset({"ES256", "RS256"})
_PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class TokenError(Exception):
    """A refused token or Authorization header; the message is safe to show to clients."""


@dataclass(frozen=True)
class AuthSettings:
    """Where verification keys come from and what a token must claim."""

    supabase_url: str | None = None
    jwt_secret: str | None = None  # legacy HS256 shared secret; HS256 tokens are refused without it
    jwks: dict[str, Any] | None = None  # inline JWK set: used as-is, never fetched
    audience: str = "authenticated"
    issuer: str | None = None  # default: f"{supabase_url}/auth/v1", or DEV_ISSUER without a URL
    leeway_seconds: int = 30
    jwks_cache_seconds: float = 600
    refresh_cooldown_seconds: float = 30
    fetch_timeout_seconds: float = 5

    def __post_init__(self) -> None:
        url = self.supabase_url.rstrip("/") if self.supabase_url else None
        object.__setattr__(self, "supabase_url", url)
        if not self.issuer:
            object.__setattr__(self, "issuer", f"{url}/auth/v1" if url else DEV_ISSUER)
        if not self.audience:
            raise ValueError("audience must not be empty")
        if self.leeway_seconds < 0 or self.jwks_cache_seconds < 0 or self.refresh_cooldown_seconds < 0:
            raise ValueError("leeway, cache and cooldown durations must not be negative")
        if self.fetch_timeout_seconds <= 0:
            raise ValueError("fetch_timeout_seconds must be positive")

    @property
    def jwks_url(self) -> str | None:
        return f"{self.supabase_url}/auth/v1/.well-known/jwks.json" if self.supabase_url else None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, dev_jwks: dict[str, Any] | None = None) -> AuthSettings:
        """Settings from the environment; `dev_jwks` is used only when neither SUPABASE_URL nor SUPABASE_JWKS is set."""
        env = os.environ if environ is None else environ
        url = env.get("SUPABASE_URL") or None
        jwks = _jwks_from_env(env.get("SUPABASE_JWKS") or None)
        if jwks is None and url is None:
            jwks = dev_jwks
        return cls(
            supabase_url=url,
            jwt_secret=env.get("SUPABASE_JWT_SECRET") or None,
            jwks=jwks,
            audience=env.get("LEADGEN_JWT_AUDIENCE") or "authenticated",
            issuer=env.get("LEADGEN_JWT_ISSUER") or None,
        )


def _jwks_from_env(text: str | None) -> dict[str, Any] | None:
    """SUPABASE_JWKS as a JWK set; a bare JWK or a JSON array of JWKs is accepted too."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise ValueError("SUPABASE_JWKS is not valid JSON") from None  # no echo: it may hold private members
    if isinstance(value, list):
        return {"keys": value}
    if isinstance(value, dict) and "keys" not in value and "kty" in value:
        return {"keys": [value]}
    if isinstance(value, dict):
        return value
    raise ValueError("SUPABASE_JWKS must be a JWK set, a JWK or a list of JWKs")


def _pinned_algorithm(jwk: Mapping[str, Any]) -> str | None:
    """The one algorithm a JWK may verify: ES256 for EC P-256, RS256 for RSA, nothing else."""
    kty, alg = jwk.get("kty"), jwk.get("alg")
    if kty == "EC" and jwk.get("crv") == "P-256" and alg in (None, "ES256"):
        return "ES256"
    if kty == "RSA" and alg in (None, "RS256"):
        return "RS256"
    return None


def parse_jwks(document: object) -> dict[str, jwt.PyJWK]:
    """Usable signing keys of a JWK set by `kid`; keys of other types, uses or algorithms are skipped."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("a JWK set must be an object with a 'keys' array")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document["keys"]:
        if not isinstance(entry, dict):
            continue
        kid, algorithm = entry.get("kid"), _pinned_algorithm(entry)
        ops = entry.get("key_ops")
        usable = entry.get("use") in (None, "sig") and (ops is None or (isinstance(ops, list) and "verify" in ops))
        if not isinstance(kid, str) or not kid or algorithm is None or not usable or kid in keys:
            logger.debug("skipping JWK %r (kty=%r alg=%r)", kid, entry.get("kty"), entry.get("alg"))
            continue
        public = {name: value for name, value in entry.items() if name not in _PRIVATE_JWK_MEMBERS}
        try:
            keys[kid] = jwt.PyJWK(public, algorithm=algorithm)
        except jwt.PyJWTError as error:
            logger.warning("skipping unusable JWK %r: %s", kid, error)
    return keys


class _RemoteKeys:
    """The project's JWKS: fetched with httpx, cached, refreshed on an unknown kid at most once per cooldown."""

    def __init__(
        self, url: str, settings: AuthSettings, client: Callable[[], httpx.AsyncClient], clock: Callable[[], float]
    ) -> None:
        self._url = url
        self._settings = settings
        self._client = client
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = asyncio.Lock()

    def _should_fetch(self, kid: str) -> bool:
        now = self._clock()
        if self._attempted_at is not None and now - self._attempted_at < self._settings.refresh_cooldown_seconds:
            return False  # a fetch just happened (or failed): no hammering the Auth server
        stale = self._fetched_at is None or now - self._fetched_at >= self._settings.jwks_cache_seconds
        return stale or kid not in self._keys

    async def key(self, kid: str) -> jwt.PyJWK | None:
        if self._should_fetch(kid):
            async with self._lock:  # concurrent callers wait for one fetch, then re-check
                if self._should_fetch(kid):
                    await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        try:
            keys = await self._download()
        except Exception as error:
            self._attempted_at = self._clock()
            logger.warning(
                "could not fetch the JWKS from %s (%s: %s); keeping the %d keys known before",
                self._url,
                type(error).__name__,
                error,
                len(self._keys),
            )
            return
        self._keys = keys
        self._attempted_at = self._fetched_at = self._clock()

    async def _download(self) -> dict[str, jwt.PyJWK]:
        timeout = self._settings.fetch_timeout_seconds
        body = bytearray()
        async with (
            asyncio.timeout(timeout),
            self._client().stream("GET", self._url, headers={"Accept": "application/json"}, timeout=timeout) as reply,
        ):
            if reply.status_code != 200:
                raise ValueError(f"HTTP status {reply.status_code}")
            async for chunk in reply.aiter_bytes():
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError("response too large")
        return parse_jwks(json.loads(body))


_REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "token has expired"),
    (jwt.ImmatureSignatureError, "token is not yet valid"),
    (jwt.InvalidAudienceError, "token audience is not accepted"),
    (jwt.InvalidIssuerError, "token issuer is not accepted"),
    (jwt.InvalidAlgorithmError, "token algorithm is not accepted"),
    (jwt.InvalidSignatureError, "token signature is invalid"),
    (InvalidSubjectError, "token subject is not a valid user id"),
    (jwt.InvalidKeyError, "token signing key is not accepted"),
)


def _refusal(error: Exception) -> TokenError:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return TokenError(f"token is missing the {error.claim!r} claim")
    for kind, message in _REFUSALS:
        if isinstance(error, kind):
            return TokenError(message)
    return TokenError("malformed token")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_claims(claims: dict[str, Any]) -> None:
    """What PyJWT leaves to us: numeric dates, the role and a canonical UUID subject."""
    if not all(_is_number(claims[name]) for name in ("exp", "iat", "nbf") if name in claims):
        raise TokenError("malformed token")
    if claims["role"] != "authenticated":
        raise TokenError("token role is not accepted")
    sub = claims["sub"]
    try:
        canonical = str(uuid.UUID(sub))
    except (TypeError, ValueError, AttributeError):
        canonical = None
    if canonical != sub:
        raise TokenError("token subject is not a valid user id")


class TokenVerifier:
    """Verifies access tokens against the configured keys; one per process, safe for concurrent use."""

    def __init__(
        self,
        settings: AuthSettings,
        http_client: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if settings.jwt_secret is not None and len(settings.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes")
        self._settings = settings
        self._issuer = settings.issuer or DEV_ISSUER  # always set by AuthSettings
        self._http_client = http_client
        self._owns_client = http_client is None
        self._inline: dict[str, jwt.PyJWK] | None = None
        self._verified: dict[str, tuple[dict[str, Any], float]] = {}
        self._remote: _RemoteKeys | None = None
        if settings.jwks is not None:
            self._inline = parse_jwks(settings.jwks)
        elif settings.jwks_url is not None:
            self._remote = _RemoteKeys(settings.jwks_url, settings, self._client, clock)
        elif settings.jwt_secret is None:
            raise ValueError("no token keys configured: set SUPABASE_URL, SUPABASE_JWKS or SUPABASE_JWT_SECRET")

    def _client(self) -> httpx.AsyncClient:
        if self._http_client is None:
            self._http_client = httpx.AsyncClient(timeout=self._settings.fetch_timeout_seconds)
        return self._http_client

    async def aclose(self) -> None:
        """Close the HTTP client if this verifier created it."""
        if self._owns_client and self._http_client is not None:
            client, self._http_client = self._http_client, None
            await client.aclose()

    async def caller_for(self, authorization: str | None) -> Caller:
        """The caller behind an Authorization header: none is anonymous, `Bearer <token>` must verify."""
        if authorization is None:
            return ANONYMOUS
        scheme, _, token = authorization.strip().partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or " " in token:
            raise TokenError("the Authorization header must be 'Bearer <access token>'")
        return Caller(role="authenticated", claims=await self.verify(token))

    async def verify(self, token: str) -> dict[str, Any]:
        """The token's claims once everything checks out; otherwise TokenError.

        A verified token is remembered for a short while (never past its `exp`), because clients send the
        same token with every request and an ES256 verification costs more than a whole compiled read."""
        now = time.time()
        remembered = self._verified.get(token)
        if remembered is not None:
            claims, until = remembered
            if now < until:
                return claims
            del self._verified[token]
        claims = await self._verify_signature(token)
        until = min(now + VERIFIED_CACHE_SECONDS, float(claims["exp"]) + self._settings.leeway_seconds)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))
        self._verified[token] = (claims, until)
        return claims

    async def _verify_signature(self, token: str) -> dict[str, Any]:
        key, algorithm = await self._key_for(_unverified_header(token))
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=[algorithm],
                audience=self._settings.audience,
                issuer=self._issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": list(REQUIRED_CLAIMS), "enforce_minimum_key_length": True},
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise _refusal(error) from None
        _check_claims(claims)
        return claims

    async def _key_for(self, header: dict[str, Any]) -> tuple[Any, str]:
        """The verification key and the one algorithm it allows; the header only says which key."""
        alg = header.get("alg")
        if alg == "HS256":
            if self._settings.jwt_secret is None:
                raise TokenError("token algorithm is not accepted")
            return self._settings.jwt_secret.encode(), "HS256"
        if alg not in _ASYMMETRIC_ALGORITHMS:
            raise TokenError("token algorithm is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise TokenError("token has no key id")
        if self._inline is not None:
            jwk = self._inline.get(kid)
        elif self._remote is not None:
            jwk = await self._remote.key(kid)
        else:
            jwk = None
        if jwk is None:
            raise TokenError("token signing key is unknown")
        return jwk.key, jwk.algorithm_name


def _unverified_header(token: str) -> dict[str, Any]:
    if not isinstance(token, str) or len(token) > MAX_TOKEN_LENGTH or not _TOKEN_SHAPE.fullmatch(token):
        raise TokenError("malformed token")
    try:
        return jwt.get_unverified_header(token)
    except (jwt.PyJWTError, ValueError):
        raise TokenError("malformed token") from None
