"""Hostile requests to every form route: never a 5xx, 413 for huge bodies, nothing forbidden stored.

FUZZ_EXAMPLES sets the number of generated examples per route group; each test checks
that every example of its own sent its requests. The default plan sends about 14,000
hostile requests in all (at least 10,000, checked by the last test).
"""

from __future__ import annotations

import os
import re
from typing import Any

from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from assess.core.answers import clean_answer
from assess.db.models import Lead, Note, Submission, TeamInvitation
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from tests.helpers.backoffice_client import log_in
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    complete,
    csrf_token,
    form_values,
    post_step,
    questionnaire,
    start,
)

DEFAULT_EXAMPLES = 1300
EXAMPLES = max(1, int(os.environ.get("FUZZ_EXAMPLES", str(DEFAULT_EXAMPLES))))
# Requests sent by the running test, reset by each test before it starts.
SENT = [0]
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

hostile_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x1F), max_size=20),
    st.sampled_from(
        [
            "\r\nBcc: evil@example.com",
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "{{ 7*7 }}",
            "yes",
            "no",
            "1e309",
            "NaN",
            "-0",
            "９９",
            "\u202e",
            "=cmd|' /C calc'!A0",
            "🙂" * 300,
            "a" * 5000,
            "",
        ]
    ),
    st.integers().map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)


# Per route group: the share of FUZZ_EXAMPLES it runs, and the requests each example sends.
PLAN = {
    "wizard": (1, 2),
    "start_login_resume_again_language": (1, 9),
    "back_office": (2, 3),
    "team": (4, 1),
}


def examples_of(group: str, examples: int = EXAMPLES) -> int:
    """How many examples one route group runs."""
    return max(1, examples // PLAN[group][0])


def expected_requests(group: str, examples: int = EXAMPLES) -> int:
    """The hostile requests one route group sends in all."""
    return examples_of(group, examples) * PLAN[group][1]


def start_counting() -> None:
    SENT[0] = 0


def field_names(q: Any) -> list[str]:
    return (
        [question.id for question in q.questions]
        + list(CONTACT)
        + ["nav", "marketing_opt_in", "zzz", "csrf_token"]
    )


def hostile_form(q: Any) -> st.SearchStrategy[list[tuple[str, str]]]:
    names = st.one_of(st.sampled_from(field_names(q)), st.text(max_size=15))
    return st.lists(st.tuples(names, hostile_text), max_size=12)


def post(client: Any, path: str, pairs: list[tuple[str, str]], token: str, with_token: bool) -> int:
    data = MultiDict([(k, v) for k, v in pairs if k != "csrf_token"])
    if with_token:
        data.add("csrf_token", token)
    SENT[0] += 1
    return int(client.post(path, data=data).status_code)


def get(client: Any, path: str, **kwargs: Any) -> int:
    SENT[0] += 1
    return int(client.get(path, **kwargs).status_code)


def assert_nothing_forbidden_stored(app: Flask) -> None:
    with app.app_context():
        q = current_questionnaire()
        for submission in db.session.execute(select(Submission)).scalars():
            for question_id, value in (submission.answers or {}).items():
                question = q.questions_by_id.get(question_id)
                assert question is not None, f"unknown question stored: {question_id!r}"
                cleaned, error = clean_answer(question, value)
                assert error is None and cleaned == value, (question_id, value)
        for lead in db.session.execute(select(Lead)).scalars():
            for name in ("first_name", "last_name", "company", "job_title", "email", "phone"):
                value = getattr(lead, name) or ""
                assert not CONTROL.search(value) and "\n" not in value and "\r" not in value, (
                    name,
                    value,
                )
        for note in db.session.execute(select(Note)).scalars():
            assert len(note.body) <= 5000
        for invitation in db.session.execute(select(TeamInvitation)).scalars():
            assert "\n" not in invitation.email and not CONTROL.search(invitation.email)
            for question_id, value in (invitation.answers or {}).items():
                question = q.questions_by_id[question_id]
                cleaned, error = clean_answer(question, value)
                assert error is None and cleaned == value, (question_id, value)


def test_hostile_posts_to_the_wizard(app: Flask) -> None:
    q = questionnaire(app)
    client = app.test_client()
    first = start(client).location
    token = csrf_token(client.get(first))
    steps = [section.id for section in q.sections] + ["contact", "nope", "../etc"]
    seen: set[int] = set()
    start_counting()
    # Both refusals happen whatever FUZZ_EXAMPLES: a post without its token, and an answer
    # that is not an option (422) on the first step.
    first_section = q.sections[0]
    not_an_option = [(first_section.questions[0].id, "zzz-not-an-option")]

    @settings(
        max_examples=examples_of("wizard"),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        step=st.sampled_from(steps),
        pairs=hostile_form(q),
        with_token=st.booleans(),
        fresh=st.booleans(),
    )
    @example(step=first_section.id, pairs=not_an_option, with_token=False, fresh=True)
    @example(step=first_section.id, pairs=not_an_option, with_token=True, fresh=True)
    def run(step: str, pairs: list[tuple[str, str]], with_token: bool, fresh: bool) -> None:
        nonlocal client, token
        if fresh:
            client = app.test_client()
            first_step = start(client).location
            token = csrf_token(client.get(first_step))
        path = f"/step/{step}"
        code = post(client, path, pairs, token, with_token)
        seen.add(code)
        assert code < 500, (path, pairs, code)
        visibility = post(client, f"{path}/visibility", pairs, token, with_token)
        assert visibility < 500

    run()
    assert SENT[0] >= expected_requests("wizard")
    assert_nothing_forbidden_stored(app)
    assert {400, 422} <= seen  # refused tokens and field errors were both exercised


def test_hostile_posts_to_start_login_resume_again_and_language(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/"))
    start_counting()

    @settings(
        max_examples=examples_of("start_login_resume_again_language"),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        pairs=st.lists(
            st.tuples(
                st.sampled_from(["email", "password", "confirm", "csrf_token", "x"]), hostile_text
            ),
            max_size=6,
        ),
        with_token=st.booleans(),
        text=hostile_text,
    )
    def run(pairs: list[tuple[str, str]], with_token: bool, text: str) -> None:
        assert post(client, "/start", pairs, token, with_token) < 500
        login_token = csrf_token(client.get("/backoffice/login"))
        assert post(client, "/backoffice/login", pairs, login_token, with_token) < 500
        assert post(client, "/backoffice/password/forgotten", pairs, login_token, with_token) < 500
        safe = text.replace("\x00", "")[:300]
        assert get(client, "/resume/" + re.sub(r"[/?#]", "", safe or "x")) < 500
        assert get(client, "/language/en", query_string={"next": safe}) < 500
        assert get(client, "/results/" + re.sub(r"[/?#]", "", safe or "x")) < 500
        again = "/again/" + re.sub(r"[/?#]", "", safe or "x")
        assert get(client, again) < 500
        assert post(client, again, pairs, token, with_token) < 500
        # The invitation's page runs the same code as the reset's.
        reset = "/backoffice/password/reset/" + (re.sub(r"[/?#\s]", "", safe) or "x")
        assert post(client, reset, pairs, login_token, with_token) < 500

    run()
    assert SENT[0] >= expected_requests("start_login_resume_again_language")
    assert_nothing_forbidden_stored(app)


def test_hostile_posts_to_the_back_office_forms(app: Flask) -> None:
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        lead_id = db.session.execute(select(Lead.id)).scalar_one()
    client = log_in(app, email="fuzz-admin@example.com", role="admin")
    token = csrf_token(client.get(f"/backoffice/leads/{lead_id}"))
    actions = [
        f"/backoffice/leads/{lead_id}/status",
        f"/backoffice/leads/{lead_id}/owner",
        f"/backoffice/leads/{lead_id}/notes",
        "/backoffice/users",
        f"/backoffice/leads/{lead_id + 1}/notes",
        f"/backoffice/leads/{lead_id}/deliveries/999/resend",
        "/backoffice/users/999/role",
        "/backoffice/webhooks/999/resend",
    ]
    names = st.sampled_from(
        ["status", "reason", "owner_id", "body", "email", "password", "role", "name", "active"]
    )

    start_counting()

    @settings(
        max_examples=examples_of("back_office"),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        action=st.sampled_from(actions),
        pairs=st.lists(st.tuples(names, hostile_text), max_size=6),
        with_token=st.booleans(),
        query=hostile_text,
    )
    def run(action: str, pairs: list[tuple[str, str]], with_token: bool, query: str) -> None:
        assert post(client, action, pairs, token, with_token) < 500, (action, pairs)
        assert post(client, action, [("owner_id", "²"), ("page", "³")], token, True) < 500
        filters = {"q": query, "page": query[:5], "score_min": query[:8]}
        assert get(client, "/backoffice/leads", query_string=filters) < 500

    run()
    assert SENT[0] >= expected_requests("back_office")
    assert_nothing_forbidden_stored(app)


def test_hostile_posts_to_the_team_forms(app: Flask) -> None:
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        submission = db.session.execute(select(Submission)).scalar_one()
        results_token = submission.public_token
    client = app.test_client()
    team_page = f"/results/{results_token}/team"
    token = csrf_token(client.get(team_page))
    client.post(team_page, data={"emails": "membre@example.com", "csrf_token": token})
    with app.app_context():
        member = db.session.execute(select(TeamInvitation.token)).scalar_one()
    names = st.one_of(
        st.sampled_from([*field_names(questionnaire(app)), "emails"]), st.text(max_size=15)
    )

    start_counting()

    @settings(
        max_examples=examples_of("team"),
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    @given(
        action=st.sampled_from([team_page, f"/team/{member}", "/team/forged"]),
        pairs=st.lists(st.tuples(names, hostile_text), max_size=10),
        with_token=st.booleans(),
    )
    def run(action: str, pairs: list[tuple[str, str]], with_token: bool) -> None:
        assert post(client, action, pairs, token, with_token) < 500, (action, pairs)

    run()
    assert SENT[0] >= expected_requests("team")
    assert_nothing_forbidden_stored(app)


def test_huge_bodies_get_413(app: Flask) -> None:
    client = app.test_client()
    first = start(client).location
    token = csrf_token(client.get(first))
    limit = app.config["MAX_CONTENT_LENGTH"]
    for path in (first, "/start", "/backoffice/login", "/step/contact"):
        response = client.post(
            path, data={"csrf_token": token, "main_challenge": "x" * (limit + 1)}
        )
        assert response.status_code == 413, path


def test_the_wizard_still_completes_after_hostile_input(app: Flask) -> None:
    data = persona("services_b2b_structure")
    client = app.test_client()
    first = start(client).location
    post_step(client, first, {"has_sales_team": "\r\n", "zzz": "x" * 100})
    post_step(
        client, first, form_values(questionnaire(app), first.rsplit("/", 1)[-1], data["answers"])
    )
    results, _ = complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    assert results.status_code == 200


def test_the_default_plan_sends_at_least_ten_thousand_hostile_requests() -> None:
    total = sum(expected_requests(group, DEFAULT_EXAMPLES) for group in PLAN)
    assert total >= 10_000, total
