"""Step pages served from a frame rendered once per step and language, filled per respondent."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup

from assess.web.page_frames import render_page
from tests.helpers.wizard_driver import (
    CSRF,
    FIRST_STEP,
    GOOD_FIRST_STEP,
    csrf_token,
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


def without_tokens(html: str) -> str:
    """The page with its CSRF token and resume link blanked (both are signed with the time)."""
    return RESUME.sub("/resume/TOKEN", CSRF.sub('name="csrf_token" value="TOKEN"', html))


def test_a_step_page_from_its_frame_is_the_page_rendered_whole(app, client):
    start(client)
    first = client.get(FIRST_STEP).get_data(as_text=True)
    from_frame = client.get(FIRST_STEP).get_data(as_text=True)
    assert app.extensions["assess.web.page_frames"], "the step page was not kept as a frame"
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
    back = other_device.get(RESUME.search(page_two).group(0))
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
        page = render_page("plain.html", "k", holes)
        again = render_page("plain.html", "k", {**holes, "name": "Léo"})
        assert page == "<p>&lt;b&gt;Ana&lt;/b&gt;</p><div><em>ok</em></div><i>a&amp;b</i>"
        assert again == "<p>Léo</p><div><em>ok</em></div><i>a&amp;b</i>"
        assert render_page("filtered.html", "k", {"name": "ana"}) == "<p>ANA</p>"
        assert render_page("filtered.html", "k", {"name": "léo"}) == "<p>LÉO</p>"
        frames = app.extensions["assess.web.page_frames"]
        assert frames[("plain.html", "k")] is not None
        assert frames[("filtered.html", "k")] is None
