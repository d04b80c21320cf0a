"""Which client, scheme and host a request comes from: only what the trusted proxies say.

Behind `PROXY_COUNT` reverse proxies, ProxyFix takes the client's address, scheme and
host from the hops those proxies add, no more; every forwarding header is then removed,
so nothing after it (Flask-Login's session check, Talisman's HTTPS redirect, our own
code) can read what the client wrote there.

The Host a request names is checked against `TRUSTED_HOSTS` (PUBLIC_URL's host,
EXTRA_HOSTS, loopback): any other is replaced by PUBLIC_URL's before Flask sees it, and
the request gets the 400 page, whose links, like every link built from the request, name
a trusted host, never the attacker's site.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from flask import abort, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.sansio.utils import host_is_trusted

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask

# The headers a client may write to claim another address, scheme, host, port or prefix.
FORWARDING_HEADERS = (
    "HTTP_FORWARDED",
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PREFIX",
    "HTTP_X_REAL_IP",
)
# Set in the WSGI environment when the request named a host that is not trusted.
UNTRUSTED_HOST = "assess.untrusted_host"
# Always answered to: a link to one of these leads nowhere an attacker controls, and a
# health check from the machine itself uses them.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def init_app(app: Flask) -> None:
    """Trust exactly PROXY_COUNT proxies, and only the configured host names.

    Call it before any other `before_request` is registered: a request for an untrusted
    host is refused before anything else runs.
    """
    public_url = app.config["PUBLIC_URL"]
    hosts = trusted_hosts(public_url, app.config["EXTRA_HOSTS"])
    app.config["TRUSTED_HOSTS"] = hosts
    proxies = app.config["PROXY_COUNT"]
    app.wsgi_app = behind_proxies(  # type: ignore[method-assign,assignment]
        only_trusted_hosts(app.wsgi_app, hosts, urlsplit(public_url).netloc or hosts[0]),
        proxies,
    )
    app.before_request(refuse_untrusted_host)


def refuse_untrusted_host() -> None:
    """The 400 page for a request that named a host we do not serve."""
    if request.environ.get(UNTRUSTED_HOST):
        abort(400)


def trusted_hosts(public_url: str, extra_hosts: str) -> list[str]:
    """PUBLIC_URL's host name, the EXTRA_HOSTS (space-separated) and loopback."""
    names = [urlsplit(public_url).hostname or "", *extra_hosts.split()]
    hosts = [name.lower() for name in names if name]
    return list(dict.fromkeys([*hosts, *LOOPBACK_HOSTS]))


def only_trusted_hosts(
    wsgi_app: WSGIApplication, hosts: list[str], public_host: str
) -> WSGIApplication:
    """Requests naming another host reach the app as for `public_host`, marked as untrusted."""

    def checked(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        host = environ.get("HTTP_HOST")
        if not host or not host_is_trusted(host, hosts):
            environ[UNTRUSTED_HOST] = True
            environ["HTTP_HOST"] = public_host
        return wsgi_app(environ, start_response)

    return checked


def behind_proxies(wsgi_app: WSGIApplication, proxies: int) -> WSGIApplication:
    """The app as reached through exactly `proxies` reverse proxies (0: directly)."""

    def without_forwarding_headers(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        for name in FORWARDING_HEADERS:
            environ.pop(name, None)
        return wsgi_app(environ, start_response)

    if proxies <= 0:
        return without_forwarding_headers
    # x_port stays off: a proxy that does not set X-Forwarded-Port would let the client's through.
    fixed: WSGIApplication = ProxyFix(
        without_forwarding_headers, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=0
    )
    return fixed
