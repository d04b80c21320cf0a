"""Who may reach what in the back office, and hostile input: refused, never a 500,
nothing changed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from assess.db.models import AuditEntry, Delivery, Lead, Note, User
from assess.extensions import db
from assess.tracker.accounts import create_user
from assess.web.views.backoffice.blueprint import PUBLIC_ENDPOINTS
from tests.helpers.backoffice_client import PASSWORD, log_in, token_of
from tests.helpers.wizard_driver import (
    complete_lead,
    csrf_token,
)

ANSWERS = {"has_sales_team": True, "new_customers_target": 12}
_PLACEHOLDER = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")


def _backoffice_rules(app: Flask) -> Iterator[tuple[str, str, set[str]]]:
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/backoffice") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        path = _PLACEHOLDER.sub(lambda m: "1" if m.group(1) in {"int", "float"} else "x", rule.rule)
        yield rule.endpoint, path, set(rule.methods or ()) - {"HEAD", "OPTIONS"}


def _refused_anonymous(status: int, location: str | None) -> bool:
    if status in {302, 303}:
        return (location or "").split("?")[0].endswith("/backoffice/login")
    return status in {401, 403, 405}


def test_every_backoffice_route_refuses_anonymous_visitors(app, client):
    login_page = client.get("/backoffice/login")
    token = csrf_token(login_page)
    seen, problems = set(), []
    for endpoint, path, methods in _backoffice_rules(app):
        seen.add(endpoint)
        if "GET" in methods:
            response = client.get(path)
        else:
            response = client.post(path, data={"csrf_token": token})
        if not _refused_anonymous(response.status_code, response.location):
            problems.append((endpoint, path, response.status_code, response.location))
        if "GET" in methods and "POST" in methods:
            posted = client.post(path, data={"csrf_token": token})
            if not _refused_anonymous(posted.status_code, posted.location):
                problems.append((endpoint, path, "POST", posted.status_code))
    assert not problems
    assert {
        "backoffice.leads",
        "backoffice.lead",
        "backoffice.export_csv",
        "backoffice.export_lead_json",
        "backoffice.delete_lead",
        "backoffice.users",
        "backoffice.audit",
    } <= seen


def test_a_post_without_csrf_token_is_refused_not_served(app, client):
    for endpoint, path, methods in _backoffice_rules(app):
        if methods == {"POST"}:
            response = client.post(path)
            assert response.status_code in {302, 400, 401, 403}, (endpoint, response.status_code)


def test_a_consultant_gets_403_on_admin_pages_and_changes_nothing(app, client):
    with app.app_context():
        admin_id = create_user("boss@example.com", PASSWORD, "admin").id
    log_in(app, client)
    token = token_of(client)
    admin_rules = [
        (endpoint, path.replace("/1/", f"/{admin_id}/"), methods)
        for endpoint, path, methods in _backoffice_rules(app)
        if path.startswith(("/backoffice/users", "/backoffice/audit"))
    ]
    assert {e for e, _, _ in admin_rules} >= {"backoffice.users", "backoffice.audit"}
    for endpoint, path, methods in admin_rules:
        for method in sorted(methods):
            data = {
                "csrf_token": token,
                "email": "new@example.com",
                "password": PASSWORD,
                "role": "admin",
                "active": "0",
            }
            response = client.open(path, method=method, data=data if method == "POST" else None)
            assert response.status_code == 403, (endpoint, method, response.status_code)
    with app.app_context():
        admin = db.session.get(User, admin_id)
        assert admin.active and admin.role == "admin"
        assert db.session.execute(select(func.count(User.id))).scalar_one() == 2


@pytest.mark.parametrize(
    "path",
    [
        "/backoffice/leads/999999",
        "/backoffice/leads/999999/export.json",
        "/backoffice/leads/3000000000/export.json",
        "/backoffice/leads/99999999999999999999/export.json",
        "/backoffice/leads/-1",
        "/backoffice/leads/abc",
        "/backoffice/leads/99999999999999999999",
        "/backoffice/leads/99999999999999999999/report.pdf",
    ],
)
def test_forged_lead_ids_are_not_found(app, client, path):
    log_in(app, client)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("lead_id", ["3000000000", "99999999999999999999"])
def test_out_of_range_ids_are_not_found_by_the_delete(app, client, lead_id):
    log_in(app, client)
    response = client.post(
        f"/backoffice/leads/{lead_id}/delete",
        data={"csrf_token": token_of(client), "confirm_company": "x"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    ["page=999999", "page=-1", "page=abc", "page=0", "page=99999999999999999999", "page="],
)
def test_out_of_range_pages_never_fail(app, client, query):
    log_in(app, client, role="admin")
    for path in ("/backoffice/leads", "/backoffice/audit"):
        response = client.get(f"{path}?{query}")
        assert response.status_code in {200, 400}, (path, query, response.status_code)


@pytest.mark.parametrize(
    "query",
    [
        "score_min=abc",
        "score_max=101",
        "date_from=2026-13-45",
        "status=%3Cscript%3E",
        "owner=abc",
        "owner=99999999999",
        "sort=id;drop",
        "direction=sideways",
        "level=nope",
        "q=" + "x" * 101,
        "followup=later",
    ],
)
def test_malformed_filters_are_refused_by_the_list_and_the_export(app, client, query):
    """Said beside the filter on the list (a 200), sent back to the list by the export."""
    log_in(app, client)
    listed = client.get(f"/backoffice/leads?{query}")
    assert listed.status_code == 200
    assert (
        'class="field-error"' in listed.get_data(as_text=True)
        or "sort" in query
        or ("direction" in query)
    )
    assert "Certains filtres ont été ignorés" in listed.get_data(as_text=True)
    exported = client.get(f"/backoffice/leads/export.csv?{query}")
    assert exported.status_code == 303 and exported.location.startswith("/backoffice/leads?")


def test_posts_about_another_leads_rows_or_with_bad_values_change_nothing(app, client):
    first = complete_lead(app, confirm=True).lead_id
    second = complete_lead(
        app, contact={"email": "paul.martin@example.com", "company": "Martin SAS"}, confirm=True
    ).lead_id
    log_in(app, client)
    token = token_of(client)
    with app.app_context():
        [foreign] = (
            db.session.execute(
                select(Delivery.id)
                .join(Delivery.submission)
                .where(Delivery.kind == "report")
                .where(Delivery.submission.has(lead_id=first))
            )
            .scalars()
            .all()
        )
        before = _snapshot()
    cases = [
        (f"/backoffice/leads/{second}/deliveries/{foreign}/resend", {}),
        (f"/backoffice/leads/{second}/notes", {"body": "x" * 5001}),
        (f"/backoffice/leads/{second}/notes", {"body": "   "}),
        (f"/backoffice/leads/{second}/status", {"status": "hacked"}),
        (f"/backoffice/leads/{second}/status", {"status": "lost", "reason": ""}),
        (f"/backoffice/leads/{second}/owner", {"owner_id": "abc"}),
        (f"/backoffice/leads/{second}/owner", {"owner_id": "999999"}),
        (f"/backoffice/leads/{second}/delete", {"confirm_company": "Dubois Équipements"}),
        (f"/backoffice/leads/{second}/delete", {"confirm_company": ""}),
        ("/backoffice/leads/999999/notes", {"body": "hello"}),
        ("/backoffice/leads/999999/delete", {"confirm_company": "Martin SAS"}),
    ]
    for path, data in cases:
        response = client.post(path, data={**data, "csrf_token": token})
        assert response.status_code < 500, (path, data, response.status_code)
        assert response.status_code != 200, (path, data)
    huge = client.post(
        f"/backoffice/leads/{second}/notes", data={"body": "x" * 300_000, "csrf_token": token}
    )
    assert huge.status_code == 413
    with app.app_context():
        assert _snapshot() == before


def _snapshot() -> dict[str, Any]:
    """What a refused request must not change: leads, notes, deliveries."""
    leads = db.session.execute(
        select(Lead.id, Lead.status, Lead.owner_id, Lead.lost_reason).order_by(Lead.id)
    ).all()
    deliveries = db.session.execute(
        select(Delivery.id, Delivery.status, Delivery.attempts).order_by(Delivery.id)
    ).all()
    notes = db.session.execute(select(func.count(Note.id))).scalar_one()
    audit = (
        db.session.execute(select(AuditEntry.action).where(AuditEntry.action != "user.login"))
        .scalars()
        .all()
    )
    return {"leads": leads, "deliveries": deliveries, "notes": notes, "audit": audit}
