"""Embedding the diagnostic in the consultancy's site: who may frame what, and the snippet."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from assess.web.embedding import origin_of, snippet
from tests.helpers.backoffice_client import log_in
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED

SITE = "https://www.cabinet-exemple.fr"


@pytest.fixture
def embeddable(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(SHIPPED, FRAME_ANCESTORS=SITE, PUBLIC_URL="https://diagnostic.example.com")
    yield app
    empty_tables(app)


def test_the_allowed_site_may_frame_the_diagnostic_which_tells_it_its_height(embeddable):
    response = embeddable.test_client().get("/")
    policy = response.headers["Content-Security-Policy"]
    assert f"frame-ancestors 'self' {SITE}" in policy
    assert "X-Frame-Options" not in response.headers
    html = response.get_data(as_text=True)
    assert f'data-embed-origins="{SITE}"' in html and "js/embed.js" in html


def test_the_back_office_is_never_framed(embeddable):
    for client, path in (
        (embeddable.test_client(), "/backoffice/login"),
        (log_in(embeddable), "/backoffice/leads"),
    ):
        response = client.get(path)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert SITE not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "embed.js" not in response.get_data(as_text=True)


def test_without_allowed_sites_nobody_may_frame_it(app, client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "embed.js" not in response.get_data(as_text=True)


def test_the_admin_gets_the_snippet_and_the_allowed_sites(embeddable):
    admin = log_in(embeddable, email="admin@example.com", role="admin")
    page = admin.get("/backoffice/embed").get_data(as_text=True)
    assert "src=&#34;https://diagnostic.example.com/&#34;" in page or (
        "src=&quot;https://diagnostic.example.com/&quot;" in page
    )
    assert "event.origin !== &#34;https://diagnostic.example.com&#34;" in page or (
        "event.origin !== &quot;https://diagnostic.example.com&quot;" in page
    )
    assert f"<code>{SITE}</code>" in page
    assert log_in(embeddable).get("/backoffice/embed").status_code == 403


def test_the_admin_is_told_when_no_site_may_embed_it(app):
    page = (
        log_in(app, email="admin@example.com", role="admin").get("/backoffice/embed").get_data(True)
    )
    assert "Aucun site ne peut encore intégrer le diagnostic" in page


def test_the_snippet_accepts_messages_from_the_diagnostic_only():
    code = snippet("https://diag.example.com:8443/", 'Diagnostic "commercial"')
    assert 'src="https://diag.example.com:8443/"' in code
    assert 'title="Diagnostic &quot;commercial&quot;"' in code
    assert 'event.origin !== "https://diag.example.com:8443"' in code
    assert origin_of("https://diag.example.com/x/y?z") == "https://diag.example.com"
