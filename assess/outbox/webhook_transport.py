"""Sending one signed webhook: the target checked, the POST made, the answer judged.

No Flask here. A target must resolve to public addresses only (unless private ones are
allowed by configuration), and the connection goes to the address that was checked, so a
DNS answer that changes between the check and the connection cannot reach the inside.
Redirects are never followed: a 3xx is recorded as a failure with its Location.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"
EVENT_HEADER = "X-Webhook-Event"
ID_HEADER = "X-Webhook-Id"


class WebhookError(Exception):
    """The POST failed; `permanent` says whether trying again could help."""

    def __init__(self, message: str, permanent: bool = False, status: int | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.status = status


@dataclass(frozen=True)
class Target:
    """A checked webhook address: where to connect and what to ask for."""

    https: bool
    host: str
    port: int
    path: str
    address: str


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of "<timestamp>." followed by the body."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def is_public(address: str) -> bool:
    """Whether an IP address is reachable on the public Internet (not private, loopback,
    link-local, shared, reserved, multicast or unspecified). An IPv6 address that carries an
    IPv4 one (mapped, compatible, NAT64, 6to4, Teredo) is public only if that one is too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _is_global(ip)
    if ip.ipv4_mapped is not None:
        return _is_global(ip.ipv4_mapped)
    if ip in _LOCAL_NAT64:
        return False
    return _is_global(ip) and all(_is_global(carried) for carried in carried_ipv4(ip))


# IPv6 prefixes whose last 32 bits are an IPv4 address: NAT64's well-known prefix (RFC 6052),
# which a translator turns into a connection to that address, and IPv4-compatible addresses.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Local-use NAT64 (RFC 8215): the translator is on the inside and may put the IPv4 address at
# any of RFC 6052's positions, so nothing in it counts as public.
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")


def carried_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address carries (NAT64, IPv4-compatible, 6to4, Teredo)."""
    carried = []
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip.sixtofour is not None:
        carried.append(ip.sixtofour)
    if ip.teredo is not None:
        carried.extend(ip.teredo)  # the Teredo server and the client
    return carried


def _is_global(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def is_http_address(url: str) -> bool:
    """Whether the URL parses as http(s) with a host name (an unclosed "[" does not)."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def check_target(url: str, allow_private: bool) -> Target:
    """The URL resolved and checked; WebhookError (permanent) when it may not be called."""
    if not is_http_address(url):
        raise WebhookError(f"not an http(s) address: {url!r}", permanent=True)
    parts = urlsplit(url)
    hostname = str(parts.hostname)
    if parts.username or parts.password:
        raise WebhookError("credentials in a webhook address are refused", permanent=True)
    https = parts.scheme == "https"
    try:
        port = parts.port or (443 if https else 80)
    except ValueError:
        raise WebhookError(f"bad port in {url!r}", permanent=True) from None
    try:
        found = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except OSError as error:
        raise WebhookError(f"{hostname}: name not resolved ({error})") from None
    addresses = [str(info[4][0]) for info in found]
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise WebhookError(
                    f"{hostname} resolves to {address}, a private, loopback or "
                    "link-local address: refused (WEBHOOK_ALLOW_PRIVATE allows it)",
                    permanent=True,
                )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(https, hostname, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """HTTP to the checked address, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to the checked address; the certificate is checked against the host name."""

    def __init__(self, target: Target, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self._tls)
        self._address = target.address

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(raw, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; the status code of a 2xx answer, else WebhookError.

    Connection errors, timeouts, 429 and 5xx can be retried; other 4xx and any 3xx cannot.
    """
    connection: http.client.HTTPConnection = (
        _PinnedHTTPSConnection(target, timeout)
        if target.https
        else _PinnedHTTPConnection(target, timeout)
    )
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
        status, location = response.status, response.getheader("Location", "")
    except (OSError, http.client.HTTPException) as error:
        raise WebhookError(f"{type(error).__name__}: {error}") from None
    finally:
        connection.close()
    if 200 <= status < 300:
        return status
    if 300 <= status < 400:
        raise WebhookError(
            f"answered {status} to {location[:300]!r}: redirects are not followed",
            permanent=True,
            status=status,
        )
    retry = status == 429 or status >= 500
    raise WebhookError(f"answered {status}", permanent=not retry, status=status)
