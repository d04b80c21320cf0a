"""The back office: login, lockout, roles, the leads list and the lead page's actions."""

from __future__ import annotations

import html
import time
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from assess.db.models import AuditEntry, Lead, LeadEvent, Note, User
from assess.extensions import db
from assess.tracker.accounts import LoginRefused, authenticate, create_user
from assess.tracker.lead_list import LeadFilters, list_leads
from tests.helpers.backoffice_client import PASSWORD, log_in, make_user, post_form
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import complete, csrf_token, questionnaire


def add_leads(app: Flask) -> list[int]:
    """Leads with known values, created directly."""
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    rows = [
        (
            "Alpha Industrie",
            "industrie",
            "pe",
            72.5,
            "structure",
            "prospection",
            "linkedin",
            "automne",
            "new",
            1,
        ),
        (
            "Bravo Négoce",
            "negoce",
            "me",
            35.0,
            "debutant",
            "fidelisation",
            "newsletter",
            "automne",
            "contacted",
            5,
        ),
        (
            "Charlie Services",
            "services_b2b",
            "tpe",
            55.0,
            "en_progression",
            "prospection",
            None,
            None,
            "won",
            10,
        ),
        ("Delta BTP", "btp", "eti", 88.0, "performant", "digital", "linkedin", "salon", "lost", 30),
    ]
    ids = []
    with app.app_context():
        for index, (
            company,
            sector,
            size,
            score,
            level,
            weakest,
            source,
            campaign,
            status,
            age,
        ) in enumerate(rows):
            lead = Lead(
                email=f"contact{index}@example.com",
                first_name=f"Prénom{index}",
                last_name=f"Nom{index}",
                company=company,
                job_title="Dirigeant",
                phone=None,
                company_size=size,
                sector=sector,
                locale="fr",
                consent_at=now,
                consent_text_version="t",
                marketing_opt_in=False,
                utm_source=source,
                utm_campaign=campaign,
                status=status,
                completed_at=now - timedelta(days=age),
                overall_score=score,
                level=level,
                weakest_category=weakest,
                next_touch_at=now + timedelta(days=age - 7),
            )
            lead.refresh_search_text()
            db.session.add(lead)
            db.session.flush()
            ids.append(lead.id)
        db.session.commit()
    return ids


def companies(app: Flask, **filters: object) -> list[str]:
    now = datetime(2026, 11, 20, 12, tzinfo=UTC)
    with app.app_context():
        page = list_leads(LeadFilters(**filters), per_page=50, now=now)  # type: ignore[arg-type]
        return [lead.company for lead, _ in page.rows]


def test_login_renews_the_session_and_logout_ends_it(app):
    client = log_in(app)
    assert client.get("/backoffice/leads").status_code == 200
    page = client.get("/backoffice/leads")
    response = client.post("/backoffice/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert client.get("/backoffice/leads").status_code == 302


def test_the_language_chosen_before_login_carries_over_and_nothing_else_does(app):
    make_user(app)
    client = app.test_client()
    client.get("/language/en?next=/backoffice/login")
    with client.session_transaction() as session:
        session["draft"] = "left-over-before-login"
    page = client.get("/backoffice/login")
    response = client.post(
        "/backoffice/login",
        data={
            "email": "consultant@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_token(page),
        },
    )
    assert response.status_code == 303
    with client.session_transaction() as session:
        assert session.get("lang") == "en" and "draft" not in session
    assert '<html lang="en">' in client.get("/backoffice/leads").get_data(as_text=True)


def test_logout_needs_a_post(app):
    client = log_in(app)
    assert client.get("/backoffice/logout").status_code == 405


def test_a_wrong_password_gets_one_message_for_all_refusals(app):
    make_user(app, "known@example.com")
    client = app.test_client()
    messages = []
    for email in ("known@example.com", "unknown@example.com"):
        page = client.get("/backoffice/login")
        response = client.post(
            "/backoffice/login",
            data={"email": email, "password": "wrong password!!", "csrf_token": csrf_token(page)},
        )
        assert response.status_code == 401
        messages.append(
            response.get_data(as_text=True).split('<div class="flashes"')[1].split("</div>")[0]
        )
    assert messages[0] == messages[1]


def test_the_account_locks_after_repeated_failures(app):
    make_user(app, "locked@example.com")
    with app.app_context():
        for _ in range(app.config["LOGIN_MAX_FAILURES"]):
            with pytest.raises(LoginRefused):
                authenticate("locked@example.com", "not the password")
        with pytest.raises(LoginRefused):
            authenticate("locked@example.com", PASSWORD)  # locked: even the right password fails
        user = db.session.execute(
            select(User).where(User.email == "locked@example.com")
        ).scalar_one()
        user.locked_until = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
        assert authenticate("locked@example.com", PASSWORD).email == "locked@example.com"
        actions = set(db.session.execute(select(AuditEntry.action)).scalars())
        assert {"user.locked", "user.login"} <= actions


def test_a_huge_password_is_refused_quickly(app):
    make_user(app, "big@example.com")
    with app.app_context():
        started = time.perf_counter()
        with pytest.raises(LoginRefused):
            authenticate("big@example.com", "x" * 1_000_000)
        assert time.perf_counter() - started < 5


def test_password_length_rules(app):
    with app.app_context():
        from assess.tracker.accounts import AccountError

        with pytest.raises(AccountError):
            create_user("short@example.com", "too short")
        with pytest.raises(AccountError):
            create_user("long@example.com", "x" * 129)


def test_a_disabled_account_is_logged_out_at_once(app):
    client = log_in(app, email="soon-disabled@example.com")
    user_id = make_user(app, "soon-disabled@example.com")
    with app.app_context():
        from assess.tracker.accounts import set_active

        set_active(user_id, False)
    assert client.get("/backoffice/leads").status_code == 302


def test_only_admins_manage_accounts(app):
    consultant = log_in(app, email="plain@example.com", role="consultant")
    assert consultant.get("/backoffice/users").status_code == 403
    assert consultant.get("/backoffice/audit").status_code == 403
    admin = log_in(app, email="boss@example.com", role="admin")
    assert admin.get("/backoffice/users").status_code == 200
    response = post_form(
        admin,
        "/backoffice/users",
        "/backoffice/users",
        {"email": "new@example.com", "role": "owner", "name": "Nouveau"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="err-u-role">Choisissez un rôle dans la liste.' in page
    assert 'value="new@example.com"' in page and 'value="Nouveau"' in page
    response = post_form(
        admin,
        "/backoffice/users",
        "/backoffice/users",
        {"email": "new@example.com", "name": "Nou\u2029veau"},
    )
    assert response.status_code == 422
    assert 'id="err-u-name">Écrivez le nom sur une seule ligne' in response.get_data(as_text=True)
    response = post_form(
        admin,
        "/backoffice/users",
        "/backoffice/users",
        {"email": "new@example.com", "role": "consultant", "name": "Nouveau"},
    )
    assert response.status_code == 303
    users = admin.get("/backoffice/users").get_data(as_text=True)
    assert "new@example.com" in users
    assert "<td>Administrateur</td>" in users and "<td>admin</td>" not in users  # roles in words
    assert '<option value="consultant" selected>Consultant</option>' in users  # the default
    assert admin.get("/backoffice/audit").status_code == 200


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Alpha Industrie", "Bravo Négoce", "Charlie Services", "Delta BTP"]),
        ({"status": "won"}, ["Charlie Services"]),
        ({"level": "debutant"}, ["Bravo Négoce"]),
        ({"score_min": 50, "score_max": 80}, ["Alpha Industrie", "Charlie Services"]),
        ({"weakest": "prospection"}, ["Alpha Industrie", "Charlie Services"]),
        ({"sector": "btp"}, ["Delta BTP"]),
        ({"size": "tpe"}, ["Charlie Services"]),
        ({"source": "linkedin"}, ["Alpha Industrie", "Delta BTP"]),
        ({"campaign": "automne"}, ["Alpha Industrie", "Bravo Négoce"]),
        ({"q": "négoce"}, ["Bravo Négoce"]),
        ({"q": "contact2@"}, ["Charlie Services"]),
        ({"followup": "overdue"}, ["Alpha Industrie", "Bravo Négoce"]),
        ({"owner": "none"}, ["Alpha Industrie", "Bravo Négoce", "Charlie Services", "Delta BTP"]),
        (
            {"sort": "score", "direction": "asc"},
            ["Bravo Négoce", "Charlie Services", "Alpha Industrie", "Delta BTP"],
        ),
        (
            {"sort": "company", "direction": "desc"},
            ["Delta BTP", "Charlie Services", "Bravo Négoce", "Alpha Industrie"],
        ),
        (
            {"sort": "next_touch", "direction": "asc"},
            ["Alpha Industrie", "Bravo Négoce", "Charlie Services", "Delta BTP"],
        ),
    ],
)
def test_filters_and_sorting_against_known_data(app, filters, expected):
    from datetime import date

    add_leads(app)
    if "date_from" in filters:
        filters["date_from"] = date.fromisoformat(str(filters["date_from"]))
    assert companies(app, **filters) == expected


def test_date_range_filter(app):
    from datetime import date

    add_leads(app)
    assert companies(app, date_from=date(2026, 11, 10), date_to=date(2026, 11, 20)) == [
        "Alpha Industrie",
        "Bravo Négoce",
        "Charlie Services",
    ]


def test_the_list_page_keeps_filters_in_the_url_and_refuses_malformed_ones(app):
    add_leads(app)
    client = log_in(app)
    page = client.get("/backoffice/leads?status=won&sort=score&direction=asc")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Charlie Services" in text and "Alpha Industrie" not in text
    for query in (
        "status=bogus",
        "score_min=abc",
        "page=0",
        "page=-1",
        "date_from=2026-13-45",
        "owner=x",
    ):
        response = client.get(f"/backoffice/leads?{query}")
        assert response.status_code == 200, query
        assert "Certains filtres ont été ignorés" in response.get_data(as_text=True), query
    far = client.get("/backoffice/leads?page=999999")
    assert far.status_code == 200


def test_a_refused_filter_is_said_in_french_beside_it_with_what_was_typed(app):
    """ "score_min: not a number" came in English, in a 400, and the typed value was lost."""
    add_leads(app)
    client = log_in(app)
    response = client.get("/backoffice/leads?score_min=abc&score_max=150&status=won&q=Charlie")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Le score minimum doit être un nombre entre 0 et 100" in page
    assert "Le score maximum doit être un nombre entre 0 et 100" in page
    assert "score_min:" not in page and "not a number" not in page
    field = page.split('id="f-min"', 1)[1].split(">", 1)[0]
    assert 'aria-invalid="true"' in field and 'aria-describedby="err-score_min"' in field
    assert 'value="abc"' in field
    assert 'value="150"' in page.split('id="f-max"', 1)[1].split(">", 1)[0]
    assert "Charlie Services" in page  # the other filters still apply
    dated = client.get("/backoffice/leads?date_from=31/02/2026").get_data(as_text=True)
    assert "La date de début doit être une date réelle" in dated
    assert 'value="31/02/2026"' in dated.split('id="f-from"', 1)[1].split(">", 1)[0]
    forged = client.get("/backoffice/leads", query_string={"score_min": '"><script>x</script>'})
    assert "<script>x" not in forged.get_data(as_text=True)  # what was typed comes back escaped
    french = client.get("/backoffice/leads?date_from=31/01/2026").get_data(as_text=True)
    assert "Certains filtres" not in french and 'value="2026-01-31"' in french
    export = client.get("/backoffice/leads/export.csv?score_min=abc&status=won")
    assert export.status_code == 303
    assert "score_min=abc" in export.location and "status=won" in export.location


def test_pipeline_owner_and_notes_from_the_lead_page(app):
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        lead_id = db.session.execute(select(Lead.id)).scalar_one()
    client = log_in(app)
    owner_id = make_user(app, "owner@example.com")
    page = f"/backoffice/leads/{lead_id}"
    assert client.get(page).status_code == 200
    refused = post_form(client, page, f"{page}/status", {"status": "lost", "reason": ""})
    assert refused.status_code == 303
    with app.app_context():
        assert db.session.get(Lead, lead_id).status == "new"
    post_form(client, page, f"{page}/status", {"status": "lost", "reason": "Budget gelé"})
    post_form(client, page, f"{page}/owner", {"owner_id": str(owner_id)})
    post_form(client, page, f"{page}/notes", {"body": "Rappeler en janvier"})
    too_long = post_form(client, page, f"{page}/notes", {"body": "x" * 5001})
    assert too_long.status_code == 303
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert (lead.status, lead.lost_reason, lead.owner_id) == ("lost", "Budget gelé", owner_id)
        assert [n.body for n in db.session.execute(select(Note)).scalars()] == [
            "Rappeler en janvier"
        ]
        kinds = [
            e.kind for e in db.session.execute(select(LeadEvent).order_by(LeadEvent.id)).scalars()
        ]
        assert kinds[0] == "submission.completed" and {"status", "owner", "note"} <= set(kinds)
    text = client.get(page).get_data(as_text=True)
    assert "Rappeler en janvier" in text and "Budget gelé" in text


def test_the_lead_page_speaks_plain_french_and_keeps_the_internals_for_admins(app):
    """Rule conditions, event payloads and raw kinds showed on the lead page."""
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        lead_id = db.session.execute(select(Lead.id)).scalar_one()
    page = f"/backoffice/leads/{lead_id}"
    client = log_in(app)
    post_form(client, page, f"{page}/status", {"status": "lost", "reason": "Budget gelé"})
    # French typography: (narrow) no-break spaces inside quotes and before colons.
    text = html.unescape(client.get(page).get_data(as_text=True))
    text = text.replace("\u202f", " ").replace("\xa0", " ")
    # Why each recommendation fired, from the answers, in a sentence.
    assert "A répondu « " in text and "Pourquoi :" in text
    assert "Quel est ce taux de fidélisation ?" in text
    # The timeline and the messages in words.
    assert "Diagnostic terminé" in text and "Score global : " in text
    assert "Statut modifié" in text and "De « Nouveau » à « Perdu » · motif : Budget gelé" in text
    assert "Avis de nouveau prospect au consultant" in text and "En attente d'envoi" in text
    assert "Confirmation de l'adresse" in text  # the report waits for the address
    for internal in (
        "answers.",
        "scores.",
        "submission.completed",
        '"overall"',
        "new_lead",
        "confirm-",
        ">pending<",
        "Détails techniques",
    ):
        assert internal not in text, internal
    admin = log_in(app, role="admin")
    technical = admin.get(page).get_data(as_text=True)
    assert "Détails techniques" in technical
    assert "answers." in technical and "submission.completed" in technical


def test_forged_ids_are_404(app):
    client = log_in(app)
    assert client.get("/backoffice/leads/999999").status_code == 404
    response = post_form(
        client, "/backoffice/leads", "/backoffice/leads/999999/status", {"status": "won"}
    )
    assert response.status_code == 404


def test_levels_show_as_the_questionnaire_names_them_in_the_consultants_language(app):
    add_leads(app)
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        query = select(Lead).where(Lead.latest_submission_id.is_not(None))
        lead_id, level = (found := db.session.execute(query).scalar_one()).id, found.level
    q = questionnaire(app)
    label = next(lv.label for lv in q.levels if lv.id == level)
    client = log_in(app)
    listed = client.get("/backoffice/leads").get_data(as_text=True)
    assert "<small>En progression</small>" in listed and "<small>Structuré</small>" in listed
    assert "<small>en_progression</small>" not in listed
    page = client.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert f"· {label.get('fr', 'fr')} ·" in page
    client.get("/language/en?next=/backoffice/leads")
    assert "<small>Developing</small>" in client.get("/backoffice/leads").get_data(as_text=True)
    page = client.get(f"/backoffice/leads/{lead_id}").get_data(as_text=True)
    assert f"· {label.get('en', 'en')} ·" in page


@pytest.mark.parametrize("breaker", ["\x85", "\u2028", "\u2029", "\r\n"])
def test_a_lost_reason_on_more_than_one_line_is_refused(app, breaker):
    data = persona("pme_industrielle")
    complete(app.test_client(), questionnaire(app), data["answers"], data["contact"])
    with app.app_context():
        lead_id = db.session.execute(select(Lead.id)).scalar_one()
    client = log_in(app)
    page = f"/backoffice/leads/{lead_id}"
    reason = f"Budget gelé{breaker}Rappeler en mars"
    refused = post_form(client, page, f"{page}/status", {"status": "lost", "reason": reason})
    assert refused.status_code == 303
    assert "sur une seule ligne" in client.get(page).get_data(as_text=True)
    with app.app_context():
        lead = db.session.get(Lead, lead_id)
        assert (lead.status, lead.lost_reason) == ("new", None)
