"""Headers, cookies, CSRF, proxies, rate limits and /healthz."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from assess.core.booking_slots import Availability
from assess.db.models import AddressConfirmation, Submission
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.outbox import follow_ups, meetings
from assess.outbox.delivery import ensure_report
from assess.outbox.links import link_token
from assess.respondent.team_invitations import invite
from assess.tracker import booking
from assess.tracker.account_links import INVITATION, RESET, account_token
from assess.tracker.accounts import create_user, find_user
from assess.tracker.booking import save_availability
from tests.helpers.backoffice_client import PASSWORD, log_in, make_user
from tests.helpers.booking_records import WORKING_HOURS
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.personas import persona
from tests.helpers.production import FILLED_IN
from tests.helpers.wizard_driver import complete, csrf_token, questionnaire, start


def check_headers(response) -> None:
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Request-ID"]


def arguments_for_every_get_route(app: Flask, consultant_email: str) -> dict[str, dict[str, Any]]:
    """Real values for the arguments of every GET route, by endpoint: a completed submission,
    its lead, a draft's resume link, the consultant's calendar feed."""
    client = app.test_client()
    data = persona("pme_industrielle")
    complete(client, questionnaire(app), data["answers"], data["contact"])
    draft = app.test_client()
    start(draft)
    resume = re.search(r"/resume/([A-Za-z0-9._-]+)", draft.get("/step/entreprise").get_data(True))
    assert resume is not None
    with app.app_context():
        # The completed one, not the draft started above (rows come in no set order).
        submission = db.session.execute(
            select(Submission).where(Submission.status == "completed")
        ).scalar_one()
        user = find_user(consultant_email)
        assert submission is not None and user is not None
        ensure_report(submission)  # the worker's job: the PDF routes serve it
        [invitation] = invite(current_questionnaire(), submission, "membre@example.com").created
        confirmation = db.session.execute(select(AddressConfirmation.token)).scalar_one()
        lead = {"lead_id": submission.lead_id}
        # A meeting booked with the consultant, for the booking pages and the cancel link.
        save_availability(user.id, Availability(weekly={d: WORKING_HOURS for d in range(7)}))
        meeting = booking.book(submission, booking.open_slots(user)[0].starts_at)
        results = {"token": submission.public_token}
        invited = create_user("invited@example.com", None)
        invitation_link = account_token(invited, INVITATION)
        reset_link = account_token(user, RESET)
        return {
            "booking.choose": results,
            "booking.booked": results,
            "booking.cancel": {"token": meetings.cancel_token(meeting)},
            "booking.move": {"token": meetings.cancel_token(meeting)},
            "unsubscribe.confirm": {"token": follow_ups.unsubscribe_token(submission.lead)},
            "static": {"filename": "css/site.css"},
            "wizard.step": {"step_id": "entreprise"},
            "wizard.resume": {"token": resume.group(1)},
            "wizard.language": {"code": "en"},
            "results.show": {"token": submission.public_token},
            "results.report_pdf": {"token": submission.public_token},
            "results.status": {"token": submission.public_token},
            "team.team": {"token": submission.public_token},
            "team.answer": {"token": invitation.token},
            "confirmation.ask": {"token": confirmation},
            "confirmation.unwanted": {"token": invitation.token},
            "reassessment.welcome": {
                "token": link_token(app.config["SECRET_KEY"], submission.lead.link_key)
            },
            "backoffice.lead": lead,
            "backoffice.lead_report": lead,
            "backoffice.export_lead_json": lead,
            "backoffice.brief": lead,
            "backoffice.calendar_feed": {"token": user.calendar_token},
            "backoffice.accept_invitation": {"token": invitation_link},
            "backoffice.reset": {"token": reset_link},
        }


def test_every_get_route_answers_with_the_security_headers_and_cookie_flags(app):
    """Walks the whole URL map, arguments filled with real values, as a respondent and as
    the consultant: every HTML response carries the headers, every cookie the flags."""
    consultant = log_in(app, email="admin@example.com", role="admin")  # every page, users' included
    arguments = arguments_for_every_get_route(app, "admin@example.com")
    respondent = app.test_client()
    start(respondent)
    html_pages = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        values = arguments.get(rule.endpoint, {})
        missing = rule.arguments - set(values)
        assert not missing, f"{rule.rule}: give this test a real value for {sorted(missing)}"
        path = rule.build(values)[1]  # type: ignore[index]
        visitor = consultant if rule.rule.startswith("/backoffice") else respondent
        response = visitor.get(path)
        response.close()
        assert response.status_code < 400, (path, response.status_code)
        if response.mimetype == "text/html":
            html_pages += 1
            check_headers(response)
        for cookie in response.headers.getlist("Set-Cookie"):
            flags = {part.strip().lower() for part in cookie.split(";")}
            assert "httponly" in flags and "samesite=lax" in flags, (path, cookie)
    assert html_pages >= 15
    for path in ["/results/unknown", "/backoffice/leads/999999", "/nowhere"]:  # error pages
        response = consultant.get(path)
        assert response.status_code == 404 and response.mimetype == "text/html"
        check_headers(response)


def test_session_cookie_flags_in_development(app, client):
    start(client)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Lax"


@pytest.fixture
def production_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(
        SHIPPED, APP_ENV="production", FRAME_ANCESTORS="https://www.example.com", **FILLED_IN
    )
    yield app
    empty_tables(app)


def test_production_forces_https_hsts_and_host_prefixed_secure_cookies(production_app):
    client = production_app.test_client()
    plain = client.get("/")
    assert plain.status_code in (301, 302) and plain.location.startswith("https://")
    secure = client.get("/", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]
    assert (
        "frame-ancestors 'self' https://www.example.com"
        in secure.headers["Content-Security-Policy"]
    )
    landing = secure
    response = client.post(
        "/start",
        data={"csrf_token": csrf_token(landing)},
        base_url="https://localhost",
        headers={"Referer": "https://localhost/"},
    )
    assert response.status_code == 303
    cookie = client.get_cookie("__Host-session", domain="localhost")
    assert cookie is not None and cookie.secure and cookie.http_only


def test_csrf_is_required_on_every_post(app, client):
    assert client.post("/start").status_code == 400
    assert (
        client.post(
            "/backoffice/login", data={"email": "a@example.com", "password": "x"}
        ).status_code
        == 400
    )


def test_healthz_reports_database_and_queue(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "queue": "ok"}


def test_a_request_id_is_kept_or_made(client):
    assert (
        client.get("/", headers={"X-Request-ID": "abc12345-req"}).headers["X-Request-ID"]
        == "abc12345-req"
    )
    made = client.get("/", headers={"X-Request-ID": "bad id; <script>"}).headers["X-Request-ID"]
    assert made and "<" not in made and " " not in made


@pytest.fixture
def limited_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    app = make_app(
        SHIPPED,
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="3 per minute",
        RATELIMIT_LOGIN_ACCOUNT="5 per hour",
        RATELIMIT_STORAGE_URI="process-memory://",
        PROXY_COUNT=1,
    )
    yield app
    empty_tables(app)


def test_login_is_limited_per_address_with_a_429_page_in_french(limited_app):
    make_user(limited_app, "limited@example.com")
    client = limited_app.test_client()
    responses = []
    for _ in range(5):
        page = client.get("/backoffice/login", environ_base={"REMOTE_ADDR": "10.0.0.1"})
        responses.append(
            client.post(
                "/backoffice/login",
                data={
                    "email": "limited@example.com",
                    "password": "wrong password!",
                    "csrf_token": csrf_token(page),
                },
                environ_base={"REMOTE_ADDR": "10.0.0.1"},
                headers={"X-Forwarded-For": "203.0.113.7"},
            )
        )
    codes = [response.status_code for response in responses]
    assert codes[:3] == [401, 401, 401] and codes[3] == 429
    # Refused by the address's limit only (RATELIMIT_LOGIN, per minute here; the window's
    # end is rounded up to the next second): try again within the minute.
    assert 1 <= int(responses[3].headers["Retry-After"]) <= 61
    assert "X-RateLimit-Remaining" not in responses[3].headers
    page = client.get("/backoffice/login")
    limited = client.post(
        "/backoffice/login",
        data={"email": "limited@example.com", "password": PASSWORD, "csrf_token": csrf_token(page)},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert limited.status_code == 429
    assert "Trop de tentatives" in limited.get_data(as_text=True)
    # Now the account's limit (5 per hour) refuses too: Retry-After is when both let it in.
    assert 61 < int(limited.headers["Retry-After"]) <= 3600


def test_forgotten_password_requests_are_limited_per_address_and_per_account(limited_app):
    """RATELIMIT_PASSWORD_RESET (10 per minute) per visitor, RATELIMIT_PASSWORD_RESET_ACCOUNT
    (5 per hour) per address typed, known or not: no inbox is flooded, nothing told apart."""
    make_user(limited_app, "flooded@example.com")
    client = limited_app.test_client()

    def ask(email: str, remote: str) -> int:
        page = client.get("/backoffice/password/forgotten", environ_base={"REMOTE_ADDR": remote})
        return client.post(
            "/backoffice/password/forgotten",
            data={"email": email, "csrf_token": csrf_token(page)},
            environ_base={"REMOTE_ADDR": remote},
        ).status_code

    for email in ("flooded@example.com", "nobody@example.com"):
        codes = [ask(email, f"10.0.1.{n}") for n in range(6)]  # six visitors, one address
        assert codes == [303] * 5 + [429], (email, codes)
    codes = [ask(f"other{n}@example.com", "10.0.2.1") for n in range(11)]  # one visitor
    assert codes == [303] * 10 + [429]


def failed_logins(client: Any, email: str, count: int) -> list[int]:
    codes = []
    for _ in range(count):
        page = client.get("/backoffice/login")
        data = {"email": email, "password": "wrong password!", "csrf_token": csrf_token(page)}
        codes.append(client.post("/backoffice/login", data=data).status_code)
    return codes


def test_only_the_methods_a_limit_names_are_counted(limited_app):
    make_user(limited_app, "methods@example.com")
    client = limited_app.test_client()
    assert [client.get("/backoffice/login").status_code for _ in range(6)] == [200] * 6
    assert failed_logins(client, "methods@example.com", 4) == [401, 401, 401, 429]


def test_a_rate_limit_storage_that_fails_lets_requests_through(make_app, caplog):
    app = make_app(
        SHIPPED,
        RATELIMIT_ENABLED=True,
        RATELIMIT_LOGIN="1 per minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",  # nobody listens there
    )
    try:
        make_user(app, "storage@example.com")
        assert failed_logins(app.test_client(), "storage@example.com", 3) == [401] * 3
        assert "rate limit storage failed" in caplog.text
    finally:
        empty_tables(app)


def test_a_forged_forwarded_chain_does_not_dodge_the_limit(limited_app):
    make_user(limited_app, "chain@example.com")
    client = limited_app.test_client()
    codes = []
    for index in range(5):
        page = client.get("/backoffice/login")
        # the client forges a first hop; the one trusted proxy appends the real address
        codes.append(
            client.post(
                "/backoffice/login",
                data={
                    "email": "chain@example.com",
                    "password": "wrong password!",
                    "csrf_token": csrf_token(page),
                },
                headers={"X-Forwarded-For": f"198.51.100.{index}, 203.0.113.9"},
            ).status_code
        )
    assert 429 in codes


def test_the_addresses_of_one_ipv6_network_share_its_limit(limited_app):
    # A provider gives each customer a /64: a new address of it per attempt is no new visitor.
    make_user(limited_app, "ipv6@example.com")
    client = limited_app.test_client()
    codes = []
    for index in range(1, 5):
        page = client.get("/backoffice/login")
        codes.append(
            client.post(
                "/backoffice/login",
                data={
                    "email": "ipv6@example.com",
                    "password": "wrong password!",
                    "csrf_token": csrf_token(page),
                },
                headers={"X-Forwarded-For": f"2001:db8:7:7::{index:x}"},
            ).status_code
        )
    assert codes == [401, 401, 401, 429]
    # another customer's network is not held back
    page = client.get("/backoffice/login")
    other = client.post(
        "/backoffice/login",
        data={"email": "ipv6@example.com", "password": PASSWORD, "csrf_token": csrf_token(page)},
        headers={"X-Forwarded-For": "2001:db8:7:8::1"},
    )
    assert other.status_code == 303


def test_a_nul_byte_anywhere_is_a_400(app, client):
    token = csrf_token(client.get("/backoffice/login"))
    response = client.post(
        "/backoffice/login",
        data={"email": "a\x00@example.com", "password": "x", "csrf_token": token},
    )
    assert response.status_code == 400
    assert client.get("/backoffice/leads", query_string={"q": "\x00"}).status_code in (302, 400)
    assert client.get("/resume/abc%00def").status_code == 400


PRIVATE_ENDPOINTS = {
    "results.show",
    "results.report_pdf",
    "results.status",
    "team.team",
    "team.answer",
    "reassessment.welcome",
    "confirmation.ask",
    "confirmation.unwanted",
    "wizard.step",
    "wizard.resume",
    "backoffice.leads",
    "backoffice.lead",
    "backoffice.accept_invitation",
    "backoffice.reset",
    "backoffice.forgotten_password",
    "backoffice.lead_report",
    "backoffice.export_lead_json",
    "backoffice.brief",
    "backoffice.calendar_feed",
    "backoffice.today",
    "backoffice.login",
}


def test_pages_with_personal_data_are_kept_out_of_caches_and_search_engines(app):
    consultant = log_in(app, email="admin@example.com", role="admin")
    arguments = arguments_for_every_get_route(app, "admin@example.com")
    respondent = app.test_client()
    start(respondent)
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    for endpoint in sorted(PRIVATE_ENDPOINTS):
        path = rules[endpoint].build(arguments.get(endpoint, {}))[1]  # type: ignore[index]
        visitor = consultant if endpoint.startswith("backoffice") else respondent
        if endpoint == "backoffice.login":
            visitor = app.test_client()
        response = visitor.get(path)
        response.close()
        assert response.status_code == 200, (endpoint, response.status_code)
        assert response.headers["Cache-Control"] == "private, no-store", endpoint
        assert "noindex" in response.headers["X-Robots-Tag"], endpoint
    # A step posted with an error shows the answers typed: the same headers on the 422.
    page = respondent.get("/step/entreprise")
    refused = respondent.post(
        "/step/entreprise",
        data={"csrf_token": csrf_token(page), "new_customers_target": "beaucoup"},
    )
    assert refused.status_code == 422
    assert refused.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in refused.headers["X-Robots-Tag"]
    landing = respondent.get("/")
    assert "no-store" not in landing.headers.get("Cache-Control", "")
    assert "X-Robots-Tag" not in landing.headers
