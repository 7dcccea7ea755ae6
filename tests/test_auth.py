"""Token verification with real keys: signatures, pinned algorithms, claims, the JWKS cache, the dev key."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import stat
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import pytest_asyncio
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm
from jwt.api_jws import PyJWS
from jwt.warnings import InsecureKeyLengthWarning

from db.session import ANONYMOUS
from server.auth import REQUIRED_CLAIMS, AuthSettings, TokenError, TokenVerifier, parse_jwks
from server.dev_keys import DEV_ISSUER, KEY_FILE_NAME, DevSigningKey

SUPABASE_URL = "https://abcdefghijklmnop.supabase.co"
ISSUER = f"{SUPABASE_URL}/auth/v1"
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"
SECRET = "legacy-jwt-secret-with-at-least-32-characters"
USER_ID = "5d3c3f3e-8a0b-4f25-9c55-6f1d2a3b4c5d"

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True)
class Signer:
    """A private key with its kid and the algorithm it signs with."""

    kid: str
    private_key: PrivateKey
    algorithm: str

    def public_jwk(self) -> dict[str, Any]:
        public = self.private_key.public_key()
        if isinstance(public, ec.EllipticCurvePublicKey):
            jwk = ECAlgorithm.to_jwk(public, as_dict=True)
        else:
            jwk = RSAAlgorithm.to_jwk(public, as_dict=True)
        return {**jwk, "kid": self.kid, "alg": self.algorithm, "use": "sig"}

    def public_pem(self) -> bytes:
        return self.private_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    def sign(self, claims: dict[str, Any], **header: Any) -> str:
        return jwt.encode(claims, self.private_key, algorithm=self.algorithm, headers={"kid": self.kid, **header})


def ec_signer(kid: str) -> Signer:
    return Signer(kid, ec.generate_private_key(ec.SECP256R1()), "ES256")


def rsa_signer(kid: str, bits: int = 2048) -> Signer:
    return Signer(kid, rsa.generate_private_key(public_exponent=65537, key_size=bits), "RS256")


def claims(**changes: Any) -> dict[str, Any]:
    """A Supabase user access token's claims; a change to None removes the claim."""
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "sub": USER_ID,
        "aud": "authenticated",
        "exp": now + 3600,
        "iat": now,
        "email": "ada@example.com",
        "phone": "",
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": {},
        "role": "authenticated",
        "aal": "aal1",
        "amr": [{"method": "password", "timestamp": now}],
        "session_id": str(uuid.uuid4()),
        "is_anonymous": False,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: object) -> str:
    return b64(json.dumps(value).encode())


def hs256(header: dict[str, Any], payload: dict[str, Any], secret: bytes) -> str:
    """An HS256 token built by hand (PyJWT refuses to use a PEM public key as an HMAC secret)."""
    signing_input = f"{b64json(header)}.{b64json(payload)}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class JwksServer:
    """The Auth server's JWKS endpoint behind httpx.MockTransport (only the network is simulated)."""

    keys: list[dict[str, Any]]
    calls: int = 0
    delay: float = 0.0
    failure: Callable[[httpx.Request], httpx.Response] | None = None
    seen: list[str] = field(default_factory=list)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.calls += 1
        self.seen.append(str(request.url))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.failure is not None:
            return self.failure(request)
        return httpx.Response(200, json={"keys": self.keys})


@dataclass
class Harness:
    server: JwksServer
    clock: FakeClock
    verifier: TokenVerifier
    ec: Signer
    rsa: Signer


@pytest.fixture(scope="module")
def ec_key() -> Signer:
    return ec_signer("ec-1")


@pytest.fixture(scope="module")
def rsa_key() -> Signer:
    return rsa_signer("rsa-1")


@pytest_asyncio.fixture
async def remote(ec_key: Signer, rsa_key: Signer) -> AsyncIterator[Harness]:
    """A verifier for SUPABASE_URL whose JWKS endpoint serves the EC and the RSA key."""
    server = JwksServer(keys=[ec_key.public_jwk(), rsa_key.public_jwk()])
    clock = FakeClock()
    async with httpx.AsyncClient(transport=httpx.MockTransport(server.handle)) as client:
        settings = AuthSettings(supabase_url=SUPABASE_URL, fetch_timeout_seconds=0.5)
        verifier = TokenVerifier(settings, http_client=client, clock=clock)
        yield Harness(server, clock, verifier, ec_key, rsa_key)
        await verifier.aclose()


async def refused(verifier: TokenVerifier, token: str, reason: str) -> None:
    with pytest.raises(TokenError, match=reason) as caught:
        await verifier.verify(token)
    assert not token or token not in str(caught.value)


# --- signatures and algorithms ---------------------------------------------------------------------------


async def test_valid_es256_token_gives_its_claims(remote: Harness) -> None:
    expected = claims()
    assert await remote.verifier.verify(remote.ec.sign(expected)) == expected
    assert remote.server.seen == [JWKS_URL]


async def test_valid_rs256_token_gives_its_claims(remote: Harness) -> None:
    expected = claims(aud=["authenticated", "other"])
    assert await remote.verifier.verify(remote.rsa.sign(expected)) == expected


async def test_signature_by_another_key_with_a_known_kid_is_refused(remote: Harness) -> None:
    impostor = Signer(remote.ec.kid, ec.generate_private_key(ec.SECP256R1()), "ES256")
    await refused(remote.verifier, impostor.sign(claims()), "signature is invalid")


async def test_key_type_decides_the_algorithm_not_the_header(remote: Harness) -> None:
    other_rsa = rsa_signer(remote.ec.kid)  # an RS256 token naming the EC key
    await refused(remote.verifier, other_rsa.sign(claims()), "algorithm is not accepted")


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "HS512", "ES512", "PS256", "EdDSA"])
async def test_other_algorithms_are_refused_without_fetching(remote: Harness, alg: str) -> None:
    token = f"{b64json({'alg': alg, 'kid': remote.ec.kid, 'typ': 'JWT'})}.{b64json(claims())}."
    await refused(remote.verifier, token, "algorithm is not accepted")
    await refused(remote.verifier, token + "c2ln", "algorithm is not accepted")
    assert remote.server.calls == 0


@pytest.mark.parametrize("key_name", ["ec", "rsa"])
@pytest.mark.parametrize("with_secret", [False, True])
async def test_hs256_signed_with_a_public_key_is_refused(
    remote: Harness, key_name: str, with_secret: bool, ec_key: Signer, rsa_key: Signer
) -> None:
    signer = ec_key if key_name == "ec" else rsa_key
    header = {"alg": "HS256", "kid": signer.kid, "typ": "JWT"}
    forged = [
        hs256(header, claims(), signer.public_pem()),
        hs256(header, claims(), json.dumps(signer.public_jwk()).encode()),
    ]
    verifier = remote.verifier
    if with_secret:
        verifier = TokenVerifier(AuthSettings(supabase_url=SUPABASE_URL, jwt_secret=SECRET))
    for token in forged:
        await refused(verifier, token, "signature is invalid" if with_secret else "algorithm is not accepted")
    assert remote.server.calls == 0


async def test_legacy_hs256_only_with_the_configured_secret(remote: Harness) -> None:
    expected = claims()
    token = jwt.encode(expected, SECRET, algorithm="HS256")
    await refused(remote.verifier, token, "algorithm is not accepted")
    legacy = TokenVerifier(AuthSettings(supabase_url=SUPABASE_URL, jwt_secret=SECRET))
    assert await legacy.verify(token) == expected
    await refused(legacy, jwt.encode(expected, SECRET + "x", algorithm="HS256"), "signature is invalid")
    assert remote.server.calls == 0


async def test_hs256_only_verifier_refuses_asymmetric_tokens(ec_key: Signer) -> None:
    verifier = TokenVerifier(AuthSettings(jwt_secret=SECRET, issuer=ISSUER))
    await refused(verifier, ec_key.sign(claims()), "signing key is unknown")
    assert (await verifier.verify(jwt.encode(claims(), SECRET, algorithm="HS256")))["sub"] == USER_ID


async def test_symmetric_and_off_profile_jwks_entries_are_never_used() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1())
    rsa_as_ps = rsa_signer("ps").public_jwk() | {"alg": "PS256"}
    ec_for_encryption = ec_signer("enc").public_jwk() | {"use": "enc"}
    good = ec_signer("good")
    document = {
        "keys": [
            {"kty": "oct", "kid": "oct", "k": b64(SECRET.encode()), "alg": "HS256"},
            ECAlgorithm.to_jwk(p384.public_key(), as_dict=True) | {"kid": "p384"},
            rsa_as_ps,
            ec_for_encryption,
            {"kty": "EC", "crv": "P-256", "kid": "broken", "x": "AA", "y": "AA"},
            "not a key",
            good.public_jwk(),
        ]
    }
    assert list(parse_jwks(document)) == ["good"]
    verifier = TokenVerifier(AuthSettings(jwks=document, issuer=ISSUER))
    await refused(verifier, hs256({"alg": "HS256", "kid": "oct"}, claims(), SECRET.encode()), "algorithm")
    assert (await verifier.verify(good.sign(claims())))["sub"] == USER_ID


async def test_private_members_of_an_inline_jwk_are_ignored() -> None:
    private_key = ec.generate_private_key(ec.SECP256R1())
    signer = Signer("with-private", private_key, "ES256")
    private_jwk = ECAlgorithm.to_jwk(private_key, as_dict=True) | {"kid": signer.kid}
    assert "d" in private_jwk
    verifier = TokenVerifier(AuthSettings(jwks={"keys": [private_jwk]}, issuer=ISSUER))
    assert (await verifier.verify(signer.sign(claims())))["sub"] == USER_ID


async def test_weak_rsa_keys_are_refused() -> None:
    weak = rsa_signer("weak", bits=1024)
    verifier = TokenVerifier(AuthSettings(jwks={"keys": [weak.public_jwk()]}, issuer=ISSUER))
    with pytest.warns(InsecureKeyLengthWarning):
        token = weak.sign(claims())
    await refused(verifier, token, "signing key is not accepted")


# --- claims ----------------------------------------------------------------------------------------------


async def test_expired_token_is_refused(remote: Harness) -> None:
    now = int(time.time())
    await refused(remote.verifier, remote.ec.sign(claims(iat=now - 3700, exp=now - 60)), "expired")


async def test_expiry_within_the_leeway_is_accepted(remote: Harness) -> None:
    now = int(time.time())
    assert await remote.verifier.verify(remote.ec.sign(claims(iat=now - 3600, exp=now - 10)))


async def test_not_yet_valid_token_is_refused(remote: Harness) -> None:
    now = int(time.time())
    await refused(remote.verifier, remote.ec.sign(claims(nbf=now + 120)), "not yet valid")
    await refused(remote.verifier, remote.ec.sign(claims(iat=now + 120)), "not yet valid")


async def test_not_before_within_the_leeway_is_accepted(remote: Harness) -> None:
    now = int(time.time())
    assert await remote.verifier.verify(remote.ec.sign(claims(nbf=now + 10, iat=now + 10)))


@pytest.mark.parametrize("audience", ["anon", "service_role", ["other"], [], ""])
async def test_wrong_audience_is_refused(remote: Harness, audience: object) -> None:
    await refused(remote.verifier, remote.ec.sign(claims(aud=audience)), "audience|missing")


@pytest.mark.parametrize("issuer", ["supabase", f"{ISSUER}/", "https://other.supabase.co/auth/v1", DEV_ISSUER])
async def test_wrong_issuer_is_refused(remote: Harness, issuer: str) -> None:
    await refused(remote.verifier, remote.ec.sign(claims(iss=issuer)), "issuer is not accepted")


@pytest.mark.parametrize("claim", REQUIRED_CLAIMS)
async def test_each_required_claim_must_be_present(remote: Harness, claim: str) -> None:
    await refused(remote.verifier, remote.ec.sign(claims(**{claim: None})), f"missing the '{claim}' claim")


@pytest.mark.parametrize("role", ["service_role", "anon", "postgres", "supabase_admin", "Authenticated", ""])
async def test_only_the_authenticated_role_is_accepted(remote: Harness, role: str) -> None:
    await refused(remote.verifier, remote.ec.sign(claims(role=role)), "role is not accepted")


@pytest.mark.parametrize(
    "sub", ["admin", "", USER_ID.upper(), USER_ID.replace("-", ""), "{" + USER_ID + "}", f"urn:uuid:{USER_ID}"]
)
async def test_subject_must_be_a_canonical_uuid(remote: Harness, sub: str) -> None:
    await refused(remote.verifier, remote.ec.sign(claims(sub=sub)), "subject is not a valid user id")


@pytest.mark.parametrize(
    "changes",
    [
        {"exp": str(int(time.time()) + 3600)},
        {"exp": True},
        {"iat": "now"},
        {"nbf": "0"},
        {"aud": 7},
        {"iss": ["x"]},
        {"sub": 42},
        {"role": ["authenticated"]},
    ],
)
async def test_claims_of_the_wrong_type_are_refused(remote: Harness, changes: dict[str, Any]) -> None:
    payload = json.dumps(claims(**changes)).encode()  # PyJWT would refuse to encode some of these
    token = PyJWS().encode(payload, remote.ec.private_key, algorithm="ES256", headers={"kid": remote.ec.kid})
    await refused(remote.verifier, token, "malformed|not accepted|not a valid|missing|expired")


# --- malformed tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [
        "",
        "garbage",
        "two.segments",
        "a.b.c.d",
        "a b.c.d",
        "a.b.c\n",
        "!!!.???.***",
        f"{b64(b'not json')}.{b64json({'sub': USER_ID})}.c2ln",
        f"{b64json(['a', 'list'])}.{b64json({'sub': USER_ID})}.c2ln",
        f"{b64json({'alg': 'ES256', 'kid': 7})}.{b64json({'sub': USER_ID})}.c2ln",
        f"{b64json({'alg': 'ES256', 'kid': 'ec-1', 'b64': False, 'crit': ['b64']})}..c2ln",
        "e" * 20_000 + ".e.e",
    ],
)
async def test_malformed_tokens_are_refused(remote: Harness, token: str) -> None:
    await refused(remote.verifier, token, "malformed token")


async def test_signed_payload_that_is_not_a_json_object_is_refused(remote: Harness) -> None:
    for payload in (b"not json", b'["a", "list"]', b"null"):
        token = PyJWS().encode(payload, remote.ec.private_key, algorithm="ES256", headers={"kid": remote.ec.kid})
        await refused(remote.verifier, token, "malformed token")


async def test_asymmetric_token_without_kid_is_refused(remote: Harness) -> None:
    token = jwt.encode(claims(), remote.ec.private_key, algorithm="ES256")
    await refused(remote.verifier, token, "no key id")


async def test_verify_rejects_non_strings(remote: Harness) -> None:
    with pytest.raises(TokenError, match="malformed"):
        await remote.verifier.verify(b"a.b.c")  # type: ignore[arg-type]


# --- the JWKS cache --------------------------------------------------------------------------------------


async def test_keys_are_cached(remote: Harness) -> None:
    for _ in range(5):
        await remote.verifier.verify(remote.ec.sign(claims()))
        await remote.verifier.verify(remote.rsa.sign(claims()))
        remote.clock.advance(60)
    assert remote.server.calls == 1
    remote.clock.advance(600)
    await remote.verifier.verify(remote.ec.sign(claims()))
    assert remote.server.calls == 2


async def test_unknown_kid_refreshes_once_then_cools_down(remote: Harness) -> None:
    await remote.verifier.verify(remote.ec.sign(claims()))
    assert remote.server.calls == 1
    rotated = ec_signer("ec-2")
    remote.server.keys.append(rotated.public_jwk())
    remote.clock.advance(31)
    assert await remote.verifier.verify(rotated.sign(claims()))
    assert remote.server.calls == 2
    stranger = ec_signer("never-published")
    remote.clock.advance(5)
    await refused(remote.verifier, stranger.sign(claims()), "signing key is unknown")
    await refused(remote.verifier, stranger.sign(claims()), "signing key is unknown")
    assert remote.server.calls == 2
    remote.clock.advance(30)
    await refused(remote.verifier, stranger.sign(claims()), "signing key is unknown")
    assert remote.server.calls == 3
    assert await remote.verifier.verify(rotated.sign(claims()))
    assert remote.server.calls == 3


async def test_unknown_kid_right_after_a_fetch_waits_for_the_cooldown(remote: Harness) -> None:
    await remote.verifier.verify(remote.ec.sign(claims()))
    rotated = ec_signer("ec-2")
    remote.server.keys.append(rotated.public_jwk())
    await refused(remote.verifier, rotated.sign(claims()), "signing key is unknown")
    assert remote.server.calls == 1
    remote.clock.advance(30)
    assert await remote.verifier.verify(rotated.sign(claims()))
    assert remote.server.calls == 2


async def test_revoked_key_is_refused_after_the_next_refresh(remote: Harness) -> None:
    await remote.verifier.verify(remote.ec.sign(claims()))
    remote.server.keys = [remote.rsa.public_jwk()]
    remote.clock.advance(600)
    await refused(remote.verifier, remote.ec.sign(claims()), "signing key is unknown")
    assert remote.server.calls == 2


def _status_500(request: httpx.Request) -> httpx.Response:
    return httpx.Response(500, text="upstream down")


def _connect_error(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _not_json(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, text="<html>maintenance</html>")


def _not_a_jwks(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"keys": "none"})


def _huge(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, content=b" " * (2 * 1024 * 1024))


FAILURES = [_status_500, _connect_error, _not_json, _not_a_jwks, _huge]


@pytest.mark.parametrize("failure", FAILURES)
async def test_failed_refresh_keeps_the_last_good_keys(
    remote: Harness, failure: Callable[[httpx.Request], httpx.Response], caplog: pytest.LogCaptureFixture
) -> None:
    await remote.verifier.verify(remote.ec.sign(claims()))
    remote.server.failure = failure
    remote.clock.advance(601)
    with caplog.at_level(logging.WARNING, logger="server.auth"):
        assert await remote.verifier.verify(remote.ec.sign(claims()))
    assert remote.server.calls == 2
    assert "could not fetch the JWKS" in caplog.text
    assert await remote.verifier.verify(remote.rsa.sign(claims()))
    assert remote.server.calls == 2  # a failure also starts the cooldown
    remote.clock.advance(30)
    remote.server.failure = None
    assert await remote.verifier.verify(remote.ec.sign(claims()))
    assert remote.server.calls == 3


async def test_slow_jwks_endpoint_times_out_and_keeps_the_keys(remote: Harness) -> None:
    await remote.verifier.verify(remote.ec.sign(claims()))
    remote.server.delay = 5
    remote.clock.advance(601)
    started = time.monotonic()
    assert await remote.verifier.verify(remote.ec.sign(claims()))
    assert time.monotonic() - started < 3
    assert remote.server.calls == 2


async def test_first_fetch_failing_refuses_then_recovers(remote: Harness) -> None:
    remote.server.failure = _connect_error
    await refused(remote.verifier, remote.ec.sign(claims()), "signing key is unknown")
    remote.server.failure = None
    await refused(remote.verifier, remote.ec.sign(claims()), "signing key is unknown")
    assert remote.server.calls == 1
    remote.clock.advance(30)
    assert await remote.verifier.verify(remote.ec.sign(claims()))
    assert remote.server.calls == 2


async def test_concurrent_verifications_share_one_fetch(remote: Harness) -> None:
    remote.server.delay = 0.05
    tokens = [remote.ec.sign(claims()) for _ in range(10)] + [remote.rsa.sign(claims()) for _ in range(10)]
    results = await asyncio.gather(*(remote.verifier.verify(token) for token in tokens))
    assert all(result["sub"] == USER_ID for result in results)
    assert remote.server.calls == 1


async def test_concurrent_unknown_kids_trigger_a_single_refresh(remote: Harness) -> None:
    await remote.verifier.verify(remote.ec.sign(claims()))
    remote.server.delay = 0.05
    remote.clock.advance(31)
    strangers = [ec_signer(f"random-{n}") for n in range(20)]
    outcomes = await asyncio.gather(
        *(remote.verifier.verify(signer.sign(claims())) for signer in strangers), return_exceptions=True
    )
    assert all(isinstance(outcome, TokenError) for outcome in outcomes)
    assert remote.server.calls == 2


async def test_cancelled_fetch_lets_the_next_caller_fetch(remote: Harness) -> None:
    remote.server.delay = 0.2
    first = asyncio.ensure_future(remote.verifier.verify(remote.ec.sign(claims())))
    await asyncio.sleep(0.05)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    remote.server.delay = 0
    assert await remote.verifier.verify(remote.ec.sign(claims()))
    assert remote.server.calls == 2


async def test_inline_jwks_is_never_fetched(ec_key: Signer) -> None:
    def no_network(request: httpx.Request) -> httpx.Response:
        raise AssertionError("inline keys must not be fetched")

    async with httpx.AsyncClient(transport=httpx.MockTransport(no_network)) as client:
        settings = AuthSettings(supabase_url=SUPABASE_URL, jwks={"keys": [ec_key.public_jwk()]})
        verifier = TokenVerifier(settings, http_client=client)
        assert await verifier.verify(ec_key.sign(claims()))
        await refused(verifier, ec_signer("other").sign(claims()), "signing key is unknown")


# --- Authorization header --------------------------------------------------------------------------------


async def test_no_header_is_anonymous(remote: Harness) -> None:
    assert await remote.verifier.caller_for(None) is ANONYMOUS


@pytest.mark.parametrize(
    "header", ["Bearer x", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "", "Token abc", "Bearer a b"]
)
async def test_bad_headers_are_refused(remote: Harness, header: str) -> None:
    with pytest.raises(TokenError):
        await remote.verifier.caller_for(header)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
async def test_bearer_token_makes_an_authenticated_caller(remote: Harness, scheme: str) -> None:
    expected = claims()
    caller = await remote.verifier.caller_for(f"{scheme} {remote.ec.sign(expected)}")
    assert caller.role == "authenticated"
    assert caller.claims == expected
    assert caller.user_id == USER_ID


# --- settings --------------------------------------------------------------------------------------------


def test_settings_derive_the_issuer_from_the_project_url() -> None:
    settings = AuthSettings(supabase_url=SUPABASE_URL + "/")
    assert settings.issuer == ISSUER
    assert settings.jwks_url == JWKS_URL
    assert AuthSettings(jwks={"keys": []}).issuer == DEV_ISSUER


def test_settings_from_env() -> None:
    jwk = ec_signer("env").public_jwk()
    env = {
        "SUPABASE_URL": SUPABASE_URL,
        "SUPABASE_JWT_SECRET": SECRET,
        "SUPABASE_JWKS": json.dumps(jwk),
        "LEADGEN_JWT_AUDIENCE": "leadgen",
        "LEADGEN_JWT_ISSUER": "https://auth.example.com",
    }
    settings = AuthSettings.from_env(env, dev_jwks={"keys": []})
    assert settings.jwks == {"keys": [jwk]}
    assert (settings.supabase_url, settings.jwt_secret) == (SUPABASE_URL, SECRET)
    assert (settings.audience, settings.issuer) == ("leadgen", "https://auth.example.com")
    assert AuthSettings.from_env({"SUPABASE_JWKS": json.dumps([jwk])}).jwks == {"keys": [jwk]}
    project = AuthSettings.from_env({"SUPABASE_URL": SUPABASE_URL}, dev_jwks={"keys": []})
    assert (project.jwks, project.issuer, project.audience) == (None, ISSUER, "authenticated")


def test_bad_inline_jwks_is_not_echoed() -> None:
    with pytest.raises(ValueError, match="not valid JSON") as caught:
        AuthSettings.from_env({"SUPABASE_JWKS": '{"d": "private-part"'})
    assert "private-part" not in str(caught.value)
    with pytest.raises(ValueError):
        TokenVerifier(AuthSettings(jwks={"no": "keys"}))


def test_verifier_needs_a_key_source_and_a_long_enough_secret() -> None:
    with pytest.raises(ValueError, match="no token keys"):
        TokenVerifier(AuthSettings())
    with pytest.raises(ValueError, match="at least 32 bytes"):
        TokenVerifier(AuthSettings(jwt_secret="short"))


# --- the development signing key -------------------------------------------------------------------------


def test_dev_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = DevSigningKey.load_or_create(data_dir)
    path = data_dir / KEY_FILE_NAME
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    again = DevSigningKey.load_or_create(data_dir)
    assert again.kid == first.kid
    assert len(first.kid) == 43  # base64url SHA-256 thumbprint
    assert [p.name for p in data_dir.iterdir()] == [KEY_FILE_NAME]
    assert first.kid != DevSigningKey.load_or_create(tmp_path / "elsewhere").kid
    assert "private_key" not in repr(first)


def test_dev_key_file_readable_by_others_is_tightened(tmp_path: Path) -> None:
    key = DevSigningKey.load_or_create(tmp_path)
    path = tmp_path / KEY_FILE_NAME
    path.chmod(0o644)
    assert DevSigningKey.load_or_create(tmp_path).kid == key.kid
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_dev_key_file_must_hold_a_p256_key(tmp_path: Path) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / KEY_FILE_NAME).write_bytes(pem)
    with pytest.raises(ValueError, match="not an ES256"):
        DevSigningKey.load_or_create(tmp_path)


def test_dev_jwks_is_public_only(tmp_path: Path) -> None:
    key = DevSigningKey.load_or_create(tmp_path)
    (jwk,) = key.jwks()["keys"]
    assert set(jwk) == {"kid", "kty", "crv", "x", "y", "alg", "use"}
    assert (jwk["kid"], jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == (key.kid, "EC", "P-256", "ES256", "sig")


async def test_dev_token_verifies_with_the_supabase_claim_set(tmp_path: Path) -> None:
    key = DevSigningKey.load_or_create(tmp_path)
    verifier = TokenVerifier(AuthSettings.from_env({}, dev_jwks=key.jwks()))
    token = key.mint(
        USER_ID, email="ada@example.com", app_metadata={"provider": "email", "leadgen_role": "admin"}, issuer=DEV_ISSUER
    )
    assert jwt.get_unverified_header(token) == {"alg": "ES256", "kid": key.kid, "typ": "JWT"}
    verified = await verifier.verify(token)
    assert set(verified) == {
        "iss", "sub", "aud", "exp", "iat", "role", "aal", "amr", "session_id",
        "email", "phone", "is_anonymous", "app_metadata", "user_metadata",
    }  # fmt: skip
    assert verified["iss"] == DEV_ISSUER
    assert verified["sub"] == USER_ID
    assert verified["aud"] == "authenticated"
    assert verified["exp"] - verified["iat"] == 3600
    assert verified["role"] == "authenticated"
    assert verified["aal"] == "aal1"
    assert verified["phone"] == ""
    assert verified["is_anonymous"] is False
    assert verified["amr"] == [{"method": "password", "timestamp": verified["iat"]}]
    assert str(uuid.UUID(verified["session_id"])) == verified["session_id"]
    assert verified["app_metadata"]["leadgen_role"] == "admin"
    assert verified["user_metadata"] == {}
    caller = await verifier.caller_for(f"Bearer {token}")
    assert caller.user_id == USER_ID


async def test_dev_token_defaults_and_refusals(tmp_path: Path) -> None:
    key = DevSigningKey.load_or_create(tmp_path)
    token = key.mint(USER_ID, email=None, issuer=DEV_ISSUER, expires_in=60)
    verified = await TokenVerifier(AuthSettings(jwks=key.jwks())).verify(token)
    assert verified["email"] == ""
    assert verified["app_metadata"] == {"provider": "email", "providers": ["email"]}
    project = TokenVerifier(AuthSettings(supabase_url=SUPABASE_URL, jwks=key.jwks()))
    await refused(project, token, "issuer is not accepted")
    with pytest.raises(ValueError):
        key.mint("not-a-uuid", email=None, issuer=DEV_ISSUER)
    with pytest.raises(ValueError):
        key.mint(USER_ID, email=None, issuer=DEV_ISSUER, expires_in=0)
