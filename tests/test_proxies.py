"""Forwarding headers count only through PROXY_COUNT hops; only trusted Host names are served."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from werkzeug.test import Client

from assess.web.proxies import behind_proxies, trusted_hosts
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.production import FILLED_IN
from tests.helpers.wizard_driver import start

RESUME = re.compile(r"(https?://[^/\"]+)/resume/")


@pytest.fixture
def production_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(
        SHIPPED, APP_ENV="production", PUBLIC_URL="https://diag.example.com", **FILLED_IN
    )
    yield app
    empty_tables(app)


@pytest.fixture
def proxied_production_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(
        SHIPPED,
        APP_ENV="production",
        PUBLIC_URL="https://diag.example.com",
        EXTRA_HOSTS="www.diag.example.com",
        PROXY_COUNT=1,
        **FILLED_IN,
    )
    yield app
    empty_tables(app)


def test_a_forged_x_forwarded_proto_does_not_skip_the_https_redirect(production_app):
    client = production_app.test_client()
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code in (301, 302) and response.location.startswith("https://")
    assert "Strict-Transport-Security" not in response.headers


def test_behind_the_proxy_its_own_proto_hop_counts(proxied_production_app):
    client = proxied_production_app.test_client()
    secure = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200 and "max-age=" in secure.headers["Strict-Transport-Security"]
    # The client wrote "https"; the proxy appended what it saw: plain HTTP.
    plain = client.get("/", headers={"X-Forwarded-Proto": "https, http"})
    assert plain.status_code in (301, 302)


@pytest.mark.parametrize(("proxies", "address"), [(0, "10.0.0.1"), (1, "198.51.100.7")])
def test_the_app_never_sees_a_forwarding_header(proxies, address):
    seen: dict[str, object] = {}

    def recorder(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        seen["address"] = environ["REMOTE_ADDR"]
        seen["forwarding"] = sorted(name for name in environ if "FORWARD" in name or "REAL" in name)
        start_response("204 No Content", [])
        return []

    Client(behind_proxies(recorder, proxies)).get(  # type: ignore[arg-type]
        "/",
        environ_base={"REMOTE_ADDR": "10.0.0.1"},
        headers={
            "X-Forwarded-For": "1.2.3.4, 198.51.100.7",
            "Forwarded": "for=1.2.3.4",
            "X-Real-IP": "1.2.3.4",
            "X-Forwarded-Proto": "https",
        },
    )
    assert seen == {"address": address, "forwarding": []}


def test_a_forged_host_gets_a_400_page_not_a_link_to_it(app):
    client = app.test_client()
    response = client.get("/", headers={"Host": "evil.example"})
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "evil.example" not in response.get_data(as_text=True)
    start(client)
    step = client.get("/step/entreprise", headers={"Host": "evil.example"})
    assert step.status_code == 400 and "evil.example" not in step.get_data(as_text=True)
    found = RESUME.search(client.get("/step/entreprise").get_data(as_text=True))
    assert found is not None and found.group(1) == "http://localhost"


def test_only_public_urls_host_the_extra_hosts_and_loopback_are_served(proxied_production_app):
    client = proxied_production_app.test_client()
    https = {"X-Forwarded-Proto": "https"}
    for host in ("diag.example.com", "www.diag.example.com", "localhost", "127.0.0.1:8000"):
        response = client.get("/", headers={**https, "Host": host})
        assert response.status_code == 200, host
    assert (
        client.get("/", headers={**https, "Host": "diag.example.com.evil.example"}).status_code
        == 400
    )
    # A forged X-Forwarded-Host, after the proxy's own hop, is refused the same way.
    forged = client.get("/", headers={**https, "X-Forwarded-Host": "evil.example"})
    assert forged.status_code == 400


def test_without_a_proxy_x_forwarded_host_is_ignored(app):
    client = app.test_client()
    start(client)
    page = client.get("/step/entreprise", headers={"X-Forwarded-Host": "evil.example"})
    assert page.status_code == 200
    found = RESUME.search(page.get_data(as_text=True))
    assert found is not None and found.group(1) == "http://localhost"


def test_trusted_hosts_come_from_public_url_and_extra_hosts():
    assert trusted_hosts("https://Diag.Example.com:8443/app", "a.example.com  b.example.com") == [
        "diag.example.com",
        "a.example.com",
        "b.example.com",
        "localhost",
        "127.0.0.1",
    ]
