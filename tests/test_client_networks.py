"""The client a limit counts: an IPv4 address, or an IPv6 /64 network."""

from __future__ import annotations

import pytest

from assess.core.client_networks import client_network


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("198.51.100.7", "198.51.100.7"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2::1", "2001:db8:1:2::/64"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("not an address", "not an address"),
    ],
)
def test_a_client_is_an_ipv4_address_or_an_ipv6_64(address: str, counted_as: str) -> None:
    assert client_network(address) == counted_as


def test_two_ipv6_customers_are_two_clients() -> None:
    assert client_network("2001:db8:1:2::1") != client_network("2001:db8:1:3::1")
