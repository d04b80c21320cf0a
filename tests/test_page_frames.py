"""Step pages served from a frame rendered once per step and language, filled per respondent."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask, render_template, session
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup

from assess.web.page_frames import render_page
from tests.helpers.database import empty_tables
from tests.helpers.wizard_driver import (
    CSRF,
    FIRST_STEP,
    GOOD_FIRST_STEP,
    csrf_token,
    open_resume_link,
    post_step,
    start,
)

RESUME = re.compile(r"/resume/[^\"]+")


def rendered_whole(app: Flask, client: FlaskClient, path: str) -> str:
    """The page as the template renders it, no frame involved (as when templates reload)."""
    app.jinja_env.auto_reload = True
    try:
        return client.get(path).get_data(as_text=True)
    finally:
        app.jinja_env.auto_reload = False


def kept_frames(app: Flask, template: str) -> list[bool]:
    """For each frame kept for the template, whether it is a frame (False: rendered whole)."""
    store = app.extensions.get("assess.page_frames")
    frames = store.frames.items() if store else ()
    return [frame is not None for (key, _, _), frame in frames if key[0] == template]


def without_tokens(html: str) -> str:
    """The page with its CSRF token and resume link blanked (both are signed with the time)."""
    return RESUME.sub("/resume/TOKEN", CSRF.sub('name="csrf_token" value="TOKEN"', html))


def test_a_step_page_from_its_frame_is_the_page_rendered_whole(app, client):
    start(client)
    first = client.get(FIRST_STEP).get_data(as_text=True)
    from_frame = client.get(FIRST_STEP).get_data(as_text=True)
    assert kept_frames(app, "wizard/step.html"), "the step page was not kept as a frame"
    assert without_tokens(from_frame) == without_tokens(rendered_whole(app, client, FIRST_STEP))
    assert without_tokens(first) == without_tokens(from_frame)
    # The token in the page is this session's valid token: posting with it saves the step.
    response = client.post(
        FIRST_STEP, data={**GOOD_FIRST_STEP, "csrf_token": CSRF.search(from_frame).group(1)}
    )
    assert response.status_code == 303


def test_each_respondent_gets_their_own_answers_token_and_resume_link(app):
    one, two = app.test_client(), app.test_client()
    for client, target in ((one, "12"), (two, "340")):
        start(client)
        post_step(client, FIRST_STEP, {**GOOD_FIRST_STEP, "new_customers_target": target})
    page_one = one.get(FIRST_STEP).get_data(as_text=True)
    page_two = two.get(FIRST_STEP).get_data(as_text=True)
    assert 'value="12"' in page_one and 'value="340"' not in page_one
    assert 'value="340"' in page_two and 'value="12"' not in page_two
    assert RESUME.search(page_one).group(0) != RESUME.search(page_two).group(0)
    assert CSRF.search(page_one).group(1) != CSRF.search(page_two).group(1)
    # Each page's resume link leads back to its own draft.
    other_device = app.test_client()
    back = open_resume_link(other_device, RESUME.search(page_two).group(0))
    assert back.status_code == 303
    assert 'value="340"' in other_device.get(FIRST_STEP).get_data(as_text=True)


def test_the_frame_follows_the_language(app, client):
    start(client)
    french = client.get(FIRST_STEP).get_data(as_text=True)
    client.get(f"/language/en?next={FIRST_STEP}")
    english = client.get(FIRST_STEP).get_data(as_text=True)
    assert '<html lang="fr"' in french and "Suivant" in french
    assert '<html lang="en"' in english and "Next" in english and "Suivant" not in english
    assert without_tokens(english) == without_tokens(rendered_whole(app, client, FIRST_STEP))


def test_a_page_with_errors_is_rendered_whole_with_the_typed_values(app, client):
    start(client)
    page = client.get(FIRST_STEP)
    response = client.post(
        FIRST_STEP,
        data={
            **GOOD_FIRST_STEP,
            "new_customers_target": "beaucoup",
            "csrf_token": csrf_token(page),
        },
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="beaucoup"' in text and "error-summary" in text
    # The next plain visit shows no error summary: errors never reach a frame.
    assert "error-summary" not in client.get(FIRST_STEP).get_data(as_text=True)


def test_holes_are_escaped_and_a_hole_the_template_changes_is_never_cached(app):
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "plain.html": "<p>{{ name }}</p><div>{{ html }}</div><i>{{ token() }}</i>",
                    "filtered.html": "<p>{{ name|upper }}</p>",
                }
            ),
            app.jinja_env.loader,
        ]
    )
    with app.test_request_context("/"):
        holes = {"name": "<b>Ana</b>", "html": Markup("<em>ok</em>"), "token": lambda: "a&b"}
        page = render_page("plain.html", holes)
        again = render_page("plain.html", {**holes, "name": "Léo"})
        assert page == "<p>&lt;b&gt;Ana&lt;/b&gt;</p><div><em>ok</em></div><i>a&amp;b</i>"
        assert again == "<p>Léo</p><div><em>ok</em></div><i>a&amp;b</i>"
        assert render_page("filtered.html", {"name": "ana"}) == "<p>ANA</p>"
        assert render_page("filtered.html", {"name": "léo"}) == "<p>LÉO</p>"
        assert kept_frames(app, "plain.html") == [True]
        assert kept_frames(app, "filtered.html") == [False]


# What a later change could add to the site's base template: a value a context processor
# injects per request (a nonce), one of the session, Talisman's CSP nonce, the user.
NONCE_META = '<meta name="nonce" content="{{ nonce }}">'
DRAFT_META = '<meta name="draft" content="{{ session["draft"] }}">'
CSP_META = '<meta name="csp" content="{{ csp_nonce() }}">'
USER_META = '<meta name="user" content="{{ current_user.is_authenticated }}">'
NONCE = re.compile(r'<meta name="nonce" content="([^"]*)">')
CSP_NONCE = re.compile(r'<meta name="csp" content="([^"]*)">')
DRAFT = re.compile(r'<meta name="draft" content="([^"]*)">')


@pytest.fixture
def own_app(make_app: Callable[..., Flask], request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app of this test alone: the test adds templates and context processors to it."""
    app = make_app(BRAND_NAME=f"Frames {request.node.name}")
    yield app
    empty_tables(app)  # its respondents' drafts must not reach the next test


def with_base(app: Flask, extra: str) -> None:
    """The site's base template with `extra` printed in its head."""
    assert app.jinja_env.loader is not None
    source = app.jinja_env.loader.get_source(app.jinja_env, "base.html")[0]
    assert "</head>" in source
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader({"base.html": source.replace("</head>", extra + "</head>")}),
            app.jinja_env.loader,
        ]
    )
    app.jinja_env.cache.clear()


def two_respondents(app: Flask) -> tuple[FlaskClient, FlaskClient]:
    """Two respondents on the first step: one in French, one in English, their own drafts."""
    one, two = app.test_client(), app.test_client()
    for client, target in ((one, "12"), (two, "340")):
        start(client)
        post_step(client, FIRST_STEP, {**GOOD_FIRST_STEP, "new_customers_target": target})
    two.get(f"/language/en?next={FIRST_STEP}")
    return one, two


def test_a_value_a_context_processor_injects_per_respondent_is_never_served_to_another(own_app):
    with_base(own_app, NONCE_META)
    own_app.context_processor(lambda: {"nonce": session.get("nonce", "")})
    one, two = two_respondents(own_app)
    for client, nonce in ((one, "nonce-one"), (two, "nonce-two")):
        with client.session_transaction() as stored:
            stored["nonce"] = nonce
    pages = {}
    for client in (one, two, one, two):  # the second round comes from the frames
        pages[client] = client.get(FIRST_STEP).get_data(as_text=True)
    assert kept_frames(own_app, "wizard/step.html").count(True) >= 2
    for client, own, other, lang, target in (
        (one, "nonce-one", "nonce-two", "fr", "12"),
        (two, "nonce-two", "nonce-one", "en", "340"),
    ):
        page = pages[client]
        assert NONCE.search(page).group(1) == own and other not in page
        assert f'<html lang="{lang}"' in page and f'value="{target}"' in page
        assert without_tokens(page) == without_tokens(rendered_whole(own_app, client, FIRST_STEP))


def test_a_value_injected_anew_for_each_request_reaches_only_that_request(own_app):
    with_base(own_app, NONCE_META)
    own_app.context_processor(lambda: {"nonce": secrets.token_hex(8)})
    one, two = two_respondents(own_app)
    seen = []
    for client in (one, two, one, two):
        page = client.get(FIRST_STEP).get_data(as_text=True)
        seen.append(NONCE.search(page).group(1))
    assert len(set(seen)) == len(seen), "a page showed a nonce of another request"


def test_what_a_page_reads_of_the_session_and_the_request_is_each_respondents_own(own_app):
    with_base(own_app, DRAFT_META)
    one, two = two_respondents(own_app)
    kept = []
    for _ in range(2):  # the second round comes from the frames the first one kept
        for client in (one, two):
            page = client.get(FIRST_STEP).get_data(as_text=True)
            with client.session_transaction() as stored:
                assert DRAFT.search(page).group(1) == stored["draft"]
            whole = rendered_whole(own_app, client, FIRST_STEP)
            assert without_tokens(page) == without_tokens(whole)
        kept.append(kept_frames(own_app, "wizard/step.html"))
    assert kept[0] and all(kept[0]) and kept[1] == kept[0]


def test_a_page_that_uses_the_csp_nonce_is_rendered_for_its_request_alone(own_app):
    with_base(own_app, CSP_META)
    one, two = two_respondents(own_app)
    nonces = []
    for client in (one, two, one, two):
        response = client.get(FIRST_STEP)
        nonce = CSP_NONCE.search(response.get_data(as_text=True)).group(1)
        assert f"'nonce-{nonce}'" in response.headers["Content-Security-Policy"]
        nonces.append(nonce)
    assert len(set(nonces)) == len(nonces)
    assert kept_frames(own_app, "wizard/step.html") == []


def test_a_page_that_reads_the_user_is_rendered_for_its_request_alone(own_app):
    with_base(own_app, USER_META)
    one, two = two_respondents(own_app)
    for client in (one, two):
        page = client.get(FIRST_STEP).get_data(as_text=True)
        assert '<meta name="user" content="False">' in page
    assert kept_frames(own_app, "wizard/step.html") == []


def test_every_value_the_template_reads_but_the_holes_keys_the_frame(own_app):
    own_app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "page.html": (
                        "{% extends 'layout.html' %}{% block body %}{{ title }}|{{ hole }}"
                        "|{{ request.path }}|{{ session['who'] }}{% endblock %}"
                    ),
                    "layout.html": "<p>{{ greeting }}</p>{% block body %}{% endblock %}",
                    "truthy.html": "{% if session %}someone{% endif %}|{{ hole }}",
                    "args.html": "{{ request.args.get('q') }}|{{ hole }}",
                }
            ),
            own_app.jinja_env.loader,
        ]
    )
    greeting = {"value": "hello"}
    own_app.context_processor(lambda: {"greeting": greeting["value"]})

    def page(path: str, who: str, title: Any, hole: str, template: str = "page.html") -> str:
        with own_app.test_request_context(path):
            session["who"] = who
            context = {"title": title, "hole": hole}
            whole = render_template(template, **context)
            assert render_page(template, {"hole": hole}, title=title) == whole
            return whole

    assert page("/a", "ana", "T", "x") == "<p>hello</p>T|x|/a|ana"
    assert page("/a", "ana", "T", "y") == "<p>hello</p>T|y|/a|ana"
    assert page("/b", "ana", "T", "x") == "<p>hello</p>T|x|/b|ana"
    assert page("/a", "léo", "T", "x") == "<p>hello</p>T|x|/a|léo"
    assert page("/a", "ana", 1, "x") == "<p>hello</p>1|x|/a|ana"
    assert page("/a", "ana", True, "x") == "<p>hello</p>True|x|/a|ana"
    greeting["value"] = "bonjour"
    assert page("/a", "ana", "T", "x") == "<p>bonjour</p>T|x|/a|ana"
    assert kept_frames(own_app, "page.html").count(True) == 6
    # A use of the session other than reading a value from it cannot be keyed: never kept.
    assert page("/a", "", "T", "x", "truthy.html") == "someone|x"
    assert kept_frames(own_app, "truthy.html") == []
    # Nor a read on them that gives an object rather than plain data.
    assert page("/a?q=1", "", "T", "x", "args.html") == "1|x"
    assert page("/a?q=2", "", "T", "x", "args.html") == "2|x"
    assert kept_frames(own_app, "args.html") == []
