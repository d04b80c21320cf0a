"""Which client a limit counts: an IPv4 address, or the IPv6 network one customer holds.

An Internet provider hands each customer a whole IPv6 /64 (often more): counting single
IPv6 addresses would give one machine as many fresh clients as it likes.
"""

from __future__ import annotations

import ipaddress

# The smallest IPv6 network a provider gives one customer.
IPV6_CUSTOMER_PREFIX = 64


def client_network(address: str) -> str:
    """The client a limit counts for this address: an IPv4 address as it is (an IPv4-mapped
    IPv6 address too), an IPv6 address as its /64 network; anything else unchanged."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        plain = ipaddress.IPv6Address(int(parsed))  # without a zone ("%eth0")
        return str(ipaddress.ip_network(f"{plain}/{IPV6_CUSTOMER_PREFIX}", strict=False))
    return str(parsed)
