"""Exports: the leads CSV (filters, order, separators, injection, streaming) and one lead's JSON."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from assess.db.models import AuditEntry, ReportFile, User, utcnow
from assess.db.questionnaire_store import current_questionnaire
from assess.extensions import db
from assess.tracker import exports
from assess.tracker.lead_list import list_leads, parse_filters
from assess.tracker.leads import add_note
from tests.helpers.backoffice_client import log_in, make_user
from tests.helpers.lead_records import make_lead
from tests.helpers.wizard_driver import complete_lead

HOSTILE = {
    "first_name": '=HYPERLINK("http://evil.example.com","clic")',
    "last_name": "+SUM(1,2)",
    "email": "@evil@example.com",
    "phone": "+33 6 12 34 56 78",
    "company": "-2+3",
    "job_title": "\tTab",
    "utm_campaign": "\r=cmd|' /C calc'!A0",
    "referrer": "  =1+1",
}


def rows_of(response, delimiter: str = ",") -> list[list[str]]:
    """The CSV's rows, header first."""
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def test_the_csv_has_every_column_with_category_labels_and_every_lead(app, client):
    log_in(app, client)
    first = make_lead(app)
    second = make_lead(
        app,
        email="luc.roux@example.org",
        company="Roux BTP",
        overall_score=None,
        level=None,
        category_scores=None,
        completed_at=None,
    )
    response = client.get("/backoffice/leads/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"
    header, *rows = rows_of(response)
    with app.app_context():
        q = current_questionnaire()
        labels = [c.label.get("fr", "fr") for c in q.categories]
    assert header[0] == "ID"
    assert header[16 : 16 + len(labels)] == labels  # in the consultant's language
    assert len(header) == 20 + len(labels)
    by_id = {int(row[0]): row for row in rows}
    assert set(by_id) == {first, second}
    row = by_id[first]
    assert row[1:7] == ["Anne", "Petit", "anne.petit@example.com", "", "Petit Négoce", "Gérante"]
    assert row[13] == "2026-10-01 09:30"
    assert row[14] == "61.2" or row[14] == "61.3"  # one decimal
    assert row[16] == "70.0"  # strategie
    assert row[16 + [c.id for c in q.categories].index("digital")] == "12.5"
    assert by_id[second][13:16] == ["", "", ""]


def test_the_csv_follows_the_lists_filters_and_order_over_every_page(app, client):
    log_in(app, client)
    for index in range(12):
        make_lead(
            app,
            email=f"lead{index}@example.com",
            company=f"Société {index:02d}",
            status="won" if index % 3 == 0 else "new",
            overall_score=float(index * 7 % 100),
        )
    query = "status=won&sort=score&direction=asc"
    _header, *rows = rows_of(client.get(f"/backoffice/leads/export.csv?{query}"))
    with app.app_context():
        filters = parse_filters(
            dict(p.split("=") for p in query.split("&")), current_questionnaire()
        )
        page = list_leads(filters.filters, per_page=1000)
    assert [int(row[0]) for row in rows] == [lead.id for lead, _ in page.rows]
    assert len(rows) == 4
    assert [float(row[14]) for row in rows] == sorted(float(row[14]) for row in rows)
    # the page number of the list is not a filter of the export: all pages go out
    assert len(rows_of(client.get(f"/backoffice/leads/export.csv?{query}&page=2"))) == 5


def test_semicolon_separator_writes_french_decimals(app, client):
    log_in(app, client)
    make_lead(app)
    response = client.get("/backoffice/leads/export.csv?separator=semicolon")
    header, row = rows_of(response, ";")
    assert response.get_data(as_text=True).splitlines()[0].count(";") == len(header) - 1
    assert row[14] in {"61,2", "61,3"}
    assert row[16] == "70,0"


def test_an_unknown_separator_is_refused(app, client):
    log_in(app, client)
    assert client.get("/backoffice/leads/export.csv?separator=tab").status_code == 400


@pytest.mark.parametrize("query", ["score_min=abc", "sort=evil"])
def test_a_malformed_filter_sends_the_export_back_to_the_list_that_says_why(app, client, query):
    log_in(app, client)
    response = client.get(f"/backoffice/leads/export.csv?{query}&status=won")
    assert response.status_code == 303
    assert response.location.startswith("/backoffice/leads?")
    assert query in response.location and "status=won" in response.location
    assert "Certains filtres ont été ignorés" in client.get(response.location).get_data(True)


def test_the_export_has_every_page_whatever_the_page_asked(app, client):
    log_in(app, client)
    assert client.get("/backoffice/leads/export.csv?page=abc").status_code == 200


def test_cells_a_spreadsheet_would_run_are_neutralised(app, client):
    consultant = make_user(app)
    log_in(app, client)
    with app.app_context():
        db.session.get(User, consultant).name = "=cmd()"
        db.session.commit()
    make_lead(app, owner_id=consultant, **HOSTILE)
    header, row = rows_of(client.get("/backoffice/leads/export.csv"))
    cells = dict(zip(header, row, strict=True))
    assert row[1] == "'" + HOSTILE["first_name"]
    assert row[2] == "'+SUM(1,2)"
    assert row[3] == "'@evil@example.com"
    assert row[4] == "'+33 6 12 34 56 78"  # a phone typed with + is text, shown with its quote
    assert row[5] == "'-2+3"
    assert row[6] == "'\tTab"
    assert row[11] == "'\r=cmd|' /C calc'!A0"
    assert row[12] == "'  =1+1"
    assert cells[header[-3]] == "'=cmd()"  # the owner's name, typed by an admin
    # numbers we write ourselves are left as numbers
    assert row[0].isdigit() and row[14][0].isdigit()
    for cell in row:
        assert not cell or cell[0] not in exports.FORMULA_TRIGGERS


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        (" =1", "' =1"),
        ("\n=1", "'\n=1"),
        ("Dupont", "Dupont"),
        ("a=b", "a=b"),
        ("", ""),
        ("2026-10-01", "2026-10-01"),
    ],
)
def test_neutralise(value, expected):
    assert exports.neutralise(value) == expected


def test_the_export_is_streamed_in_batches(app, client, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 5)
    log_in(app, client)
    for index in range(23):
        make_lead(app, email=f"l{index}@example.com")
    response = client.get("/backoffice/leads/export.csv", buffered=False)
    assert response.is_streamed
    chunks = [chunk for chunk in response.response if chunk]
    response.close()
    assert len(chunks) == 1 + 5  # the header, then ceil(23 / 5) batches
    assert sum(c.count(b"\r\n") for c in chunks) == 24


def test_the_export_is_audited_without_personal_data(app, client):
    log_in(app, client)
    make_lead(app)
    client.get("/backoffice/leads/export.csv?q=petit&status=new&sort=company")
    with app.app_context():
        [entry] = (
            db.session.execute(select(AuditEntry).where(AuditEntry.action == "leads.export"))
            .scalars()
            .all()
        )
        assert entry.details == {"format": "csv", "filters": 2}
        assert "petit" not in json.dumps(entry.details).lower() + entry.target


def test_a_lead_json_export_holds_everything_about_the_lead(app, client):
    lead_id = complete_lead(app, confirm=True).lead_id
    consultant = make_user(app, name="Consultant Test")
    log_in(app, client)
    with app.app_context():
        add_note(lead_id, "Rappeler jeudi.", consultant)
        report = db.session.execute(select(ReportFile)).scalars().first()
        report.pdf, report.rendered_at = b"%PDF-1.7 secret bytes", utcnow() - timedelta(hours=1)
        db.session.commit()
    response = client.get(f"/backoffice/leads/{lead_id}/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == f'attachment; filename="lead-{lead_id}.json"'
    data = json.loads(response.get_data(as_text=True))
    assert data["lead_id"] == lead_id
    assert data["contact"]["email"] == "claire.dubois@example.com"
    assert data["contact"]["company"] == "Dubois Équipements"
    assert data["consent"]["consent_text_version"] and data["consent"]["consent_at"]
    assert set(data["source"]) >= {"utm_source", "utm_medium", "utm_campaign", "referrer"}
    [submission] = data["submissions"]
    assert submission["status"] == "completed"
    assert submission["answers"] and submission["result"]["overall"] is not None
    assert "draft_key" not in submission and "public_token" not in submission
    kinds = {d["kind"].split("-")[0] for d in data["deliveries"]}
    assert kinds == {"confirm", "report", "new_lead"}
    assert data["contact"]["email_confirmed_at"]
    assert [c["email"] for c in data["address_confirmations"]] == ["claire.dubois@example.com"]
    assert data["reports"] == [
        {
            "submission_id": submission["id"],
            "rendered_at": data["reports"][0]["rendered_at"],
            "rendered": True,
        }
    ]
    assert "secret bytes" not in response.get_data(as_text=True)
    assert [n["body"] for n in data["notes"]] == ["Rappeler jeudi."]
    assert data["notes"][0]["author"] == "Consultant Test"
    assert {"submission.completed", "note"} <= {e["kind"] for e in data["timeline"]}
    assert isinstance(data["touches"], list)
    with app.app_context():
        assert db.session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "lead.export")
        ).scalar_one() == {"format": "json"}


def test_an_unknown_lead_has_no_json_export(app, client):
    log_in(app, client)
    assert client.get("/backoffice/leads/424242/export.json").status_code == 404
