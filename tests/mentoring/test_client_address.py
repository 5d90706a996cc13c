"""The one rule for the client address (mentoring/client_address.py)."""

import pytest
from django.test import RequestFactory, override_settings

from mentoring.client_address import client_address, client_network


def _request(remote="10.0.0.2", forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No trusted proxy: the header is ignored, whatever it says.
        (0, "203.0.113.5", None, "203.0.113.5"),
        (0, "203.0.113.5", "198.51.100.1", "203.0.113.5"),
        (0, "203.0.113.5", "198.51.100.1, 198.51.100.2", "203.0.113.5"),
        # One proxy: the entry it appended, the rightmost.
        (1, "10.0.0.2", "198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7", "198.51.100.7"),
        (1, "10.0.0.2", " 6.6.6.6 ,198.51.100.7 ", "198.51.100.7"),
        # Two proxies: the second from the right.
        (2, "10.0.0.2", "6.6.6.6, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        # Fewer entries than trusted proxies, no header, or garbage: the peer.
        (2, "10.0.0.2", "198.51.100.7", "10.0.0.2"),
        (1, "10.0.0.2", None, "10.0.0.2"),
        (1, "10.0.0.2", "", "10.0.0.2"),
        (1, "10.0.0.2", "6.6.6.6, not-an-address", "10.0.0.2"),
        # A proxy that writes the client's port: the address without it (falling back
        # to the proxy's own address would put every visitor behind one address).
        (1, "10.0.0.2", "6.6.6.6, 198.51.100.7:5555", "198.51.100.7"),
        (1, "10.0.0.2", "[2001:db8::1]:443", "2001:db8::1"),
        # Canonical text: one client is one address.
        (0, "2001:DB8:0:0::1", None, "2001:db8::1"),
        (0, "::ffff:198.51.100.7", None, "198.51.100.7"),
        (1, "10.0.0.2", "::FFFF:198.51.100.7", "198.51.100.7"),
    ],
)
def test_client_address(proxies, remote, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(_request(remote, forwarded)) == expected


def test_no_address_at_all_is_none():
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]
    assert client_address(request) is None
    assert client_network(request) is None


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::"),
        ("2001:db8:1:2::1", "2001:db8:1:2::"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
    ],
)
def test_client_network_counts_ipv6_by_64(remote, expected):
    assert client_network(_request(remote)) == expected
