"""The client's address behind proxies (server/client_address.py), without a database."""

from __future__ import annotations

import pytest
import uvicorn

from server.client_address import TrustedProxies, parse_trusted_proxies, uvicorn_proxy_options
from server.settings import Settings

PROXIES = TrustedProxies(("10.0.0.0/8", "2001:db8::/32", "192.0.2.10/32"))


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        # an untrusted peer: its header is the client's invention
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),
        ("203.0.113.5", [], "203.0.113.5"),
        # a trusted proxy: the right-most address it did not add itself
        ("10.1.2.3", ["198.51.100.7"], "198.51.100.7"),
        ("10.1.2.3", ["1.1.1.1, 198.51.100.7"], "198.51.100.7"),  # the client prepended a lie
        ("10.1.2.3", ["1.1.1.1, 198.51.100.7, 10.9.9.9"], "198.51.100.7"),  # two proxies of ours
        ("10.1.2.3", ["1.1.1.1", "198.51.100.7"], "198.51.100.7"),  # several header lines, in order
        ("10.1.2.3", ["198.51.100.7:5555"], "198.51.100.7"),
        ("10.1.2.3", ["[2001:db9::1]:443"], "2001:db9::1"),
        ("10.1.2.3", ["::ffff:198.51.100.7"], "198.51.100.7"),
        ("10.1.2.3", [], "10.1.2.3"),  # no header: the proxy itself
        ("10.1.2.3", ["10.4.4.4, 10.5.5.5"], "10.4.4.4"),  # only trusted hops: the left-most
        ("10.1.2.3", ["not-an-address, 10.5.5.5"], "10.5.5.5"),  # garbage from a proxy: the last hop known
        ("2001:db8::9", ["198.51.100.8"], "198.51.100.8"),
        ("192.0.2.10", ["198.51.100.9"], "198.51.100.9"),
        ("192.0.2.11", ["198.51.100.9"], "192.0.2.11"),
        (None, ["198.51.100.9"], None),
    ],
)
def test_the_client_is_the_right_most_untrusted_address(peer: str | None, forwarded: list[str], client: str) -> None:
    assert PROXIES.client(peer, forwarded) == client


def test_without_trusted_proxies_the_header_is_never_read() -> None:
    assert not TrustedProxies()
    assert TrustedProxies().client("127.0.0.1", ["198.51.100.1"]) == "127.0.0.1"


def test_trusted_proxies_are_parsed_and_normalised() -> None:
    assert parse_trusted_proxies("") == ()
    assert parse_trusted_proxies(" 10.0.0.1, 10.1.2.3/8 ,2001:db8::/32,10.0.0.1") == (
        "10.0.0.1/32",
        "10.0.0.0/8",
        "2001:db8::/32",
    )
    with pytest.raises(ValueError, match=r"LEADGEN_TRUSTED_PROXIES: 'lb\.internal'"):
        parse_trusted_proxies("10.0.0.1, lb.internal")
    assert Settings.from_env({}).trusted_proxies == ()
    assert Settings.from_env({"LEADGEN_TRUSTED_PROXIES": "10.0.0.0/8"}).trusted_proxies == ("10.0.0.0/8",)


def test_uvicorn_trusts_no_proxy_unless_told() -> None:
    """uvicorn's own default trusts X-Forwarded-For from 127.0.0.1; `leadgen serve` turns that off."""
    assert uvicorn_proxy_options(()) == {"proxy_headers": False, "forwarded_allow_ips": []}
    options = uvicorn_proxy_options(parse_trusted_proxies("10.0.0.1, 2001:db8::/32"))
    assert options == {"proxy_headers": True, "forwarded_allow_ips": ["10.0.0.1/32", "2001:db8::/32"]}
    config = uvicorn.Config("server.asgi:app", **options)
    assert config.proxy_headers and config.forwarded_allow_ips == ["10.0.0.1/32", "2001:db8::/32"]
