"""Delivery: a real SMTP server on loopback and a real worker process."""

from __future__ import annotations

import ast
import io
import os
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest
from flask import Flask
from flask_babel import force_locale
from sqlalchemy import select

from assess.db.models import AuditEntry, Delivery, ReportFile, Submission, utcnow
from assess.extensions import db
from assess.outbox import delivery
from assess.outbox.links import public_url
from assess.outbox.messages import CONFIRM_KIND, TEAM_KIND
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.source_scan import argument, calls, constants, trees
from tests.helpers.wizard_driver import (
    complete_lead,
)
from tests.helpers.worker_process import Worker, wait_for

CONSULTANT = "consultant@example.com"


def rows(app: Flask) -> list[Delivery]:
    with app.app_context():
        found = list(db.session.execute(select(Delivery).order_by(Delivery.id)).scalars())
        for row in found:
            db.session.expunge(row)
        return found


def test_a_completed_submission_sends_one_report_and_one_notification(
    mailing_app, smtp, mailing_worker
):
    worker = mailing_worker
    submission = complete_lead(mailing_app, confirm=True)
    assert wait_for(lambda: len(smtp.recorder.received()) >= 3, timeout=90), worker.log.read_text()
    messages = smtp.recorder.received()
    # to the lead: the confirmation of their address, then the report
    to_lead = [
        m for m in messages if "claire.dubois@example.com" in m["To"] and list(m.iter_attachments())
    ]
    to_consultant = [m for m in messages if CONSULTANT in m["To"]]
    assert len(to_lead) == 1 and len(to_consultant) == 1
    attachments = list(to_lead[0].iter_attachments())
    assert len(attachments) == 1
    pdf = attachments[0].get_content()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "Dubois" in "".join(page.extract_text() for page in reader.pages[:1])
    assert submission.public_token in to_lead[0].get_body(("plain",)).get_content()
    notification = to_consultant[0].get_body(("plain",)).get_content()
    with mailing_app.app_context():
        lead_url = public_url("backoffice.lead", lead_id=submission.lead_id)
    assert "Dubois Équipements" in notification and lead_url in notification
    assert wait_for(lambda: all(r.status == "sent" for r in rows(mailing_app)))
    stored = rows(mailing_app)
    assert {r.kind.split("-")[0] for r in stored} == {"confirm", "report", "new_lead"}
    assert {m["Message-ID"] for m in messages} == {r.message_id for r in stored}
    with mailing_app.app_context():
        report = db.session.get(ReportFile, submission.id)
        assert report is not None and report.pdf == pdf
    page = (
        mailing_app.test_client().get(f"/results/{submission.public_token}").get_data(as_text=True)
    )
    assert "claire.dubois@example.com" in page
    pdf_link = mailing_app.test_client().get(f"/results/{submission.public_token}/report.pdf")
    assert pdf_link.status_code == 200 and pdf_link.data == pdf
    assert worker_thread_niceness(worker) == {min(os.nice(0) + 10, 19)}


def worker_thread_niceness(worker: Worker) -> set[int]:
    """The nice value of every thread of the worker process (field 19 of /proc/.../stat)."""
    assert worker.process is not None
    values = set()
    for stat in Path(f"/proc/{worker.process.pid}/task").glob("*/stat"):
        fields = stat.read_text().rsplit(")", 1)[1].split()
        values.add(int(fields[16]))
    return values


def test_without_smtp_host_messages_land_in_the_outbox(make_app, tmp_path):
    outbox = tmp_path / "outbox"
    app = make_app(SHIPPED, SMTP_HOST="", OUTBOX_FOLDER=str(outbox), CONSULTANT_EMAIL=CONSULTANT)
    try:
        submission = complete_lead(app, "artisan_tpe", confirm=True)
        with app.app_context():
            for row in delivery.deliveries_of(submission.id):
                assert delivery.deliver(row.id).status == "sent"
        files = sorted(outbox.glob("*.eml"))
        assert len(files) == 3  # the confirmation, the report, the notification
        assert any(b"application/pdf" in f.read_bytes() for f in files)
    finally:
        empty_tables(app)


def test_a_refused_address_fails_at_once_and_can_be_sent_again(mailing_app, smtp):
    smtp.recorder.refuse.add("claire.dubois@example.com")
    submission = complete_lead(mailing_app, confirm=True)
    with mailing_app.app_context():
        report = next(r for r in delivery.deliveries_of(submission.id) if r.kind == "report")
        attempt = delivery.deliver(report.id)
    assert attempt.status == "failed"
    [row] = [r for r in rows(mailing_app) if r.kind == "report"]
    assert row.status == "failed" and "550" in (row.last_error or "")
    # the submission and the results page are intact
    assert mailing_app.test_client().get(f"/results/{submission.public_token}").status_code == 200
    smtp.recorder.refuse.clear()
    with mailing_app.app_context():
        assert not delivery.resend(row.id, lead_id=submission.lead_id + 1000)  # another lead's
        assert db.session.get(Delivery, row.id).status == "failed"
        db.session.rollback()
        assert delivery.resend(row.id, lead_id=submission.lead_id)
        audit = db.session.execute(select(AuditEntry).filter_by(action="delivery.resend"))
        assert [entry.details for entry in audit.scalars()] == [{"lead": submission.lead_id}]
        assert delivery.deliver(row.id).status == "sent"
    assert len([m for m in smtp.recorder.received() if "claire" in m["To"]]) == 1


def test_a_server_that_never_answers_times_out_and_is_retried(make_app, smtp_allowed):
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(5)
    port = silent.getsockname()[1]
    smtp_allowed.add(("127.0.0.1", port))
    app = make_app(
        SHIPPED, SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TIMEOUT=1, CONSULTANT_EMAIL=""
    )
    try:
        submission = complete_lead(app, "startup_tech", confirm=True)
        with app.app_context():
            [row_id] = [r.id for r in delivery.deliveries_of(submission.id) if r.kind == "report"]
            attempt = delivery.deliver(row_id)
        assert attempt.status == "pending" and attempt.retry_at is not None
        [stored] = [r for r in rows(app) if r.id == row_id]
        assert stored.status == "pending" and stored.attempts == 1
        assert (
            "timed out" in (stored.last_error or "").lower()
            or "timeout" in (stored.last_error or "").lower()
        )
    finally:
        silent.close()
        empty_tables(app)


def test_a_render_failure_is_recorded_and_retried(mailing_app, smtp):
    submission = complete_lead(mailing_app, confirm=True)
    with mailing_app.app_context():
        # a stored result the report cannot read (as after a bad migration)
        stored_submission = db.session.get(Submission, submission.id)
        stored_submission.result = {**stored_submission.result, "explanation": {}}
        db.session.commit()
        report = next(r for r in delivery.deliveries_of(submission.id) if r.kind == "report")
        attempt = delivery.deliver(report.id)
        assert attempt.status == "pending"
        stored = db.session.get(ReportFile, submission.id)
        assert stored is not None and "KeyError" in (stored.last_error or "")
        assert stored.pdf is None
    assert mailing_app.test_client().get(f"/results/{submission.public_token}").status_code == 200
    assert (
        mailing_app.test_client().get(f"/results/{submission.public_token}/report.pdf").status_code
        == 404
    )


def report_sent_to_a_lead_named(app: Flask, smtp: Any, first_name: str) -> Any:
    """The report e-mail as received, for a lead whose stored first name is this text."""
    submission = complete_lead(app, confirm=True)
    with app.app_context():
        lead = db.session.get(Submission, submission.id).lead
        lead.first_name = first_name
        db.session.commit()
        report = next(r for r in delivery.deliveries_of(submission.id) if r.kind == "report")
        assert delivery.deliver(report.id).status == "sent"
    [message] = [m for m in smtp.recorder.received() if "claire.dubois" in m["To"]]
    return message


def test_a_name_holding_line_separators_is_sent_on_one_header_line(mailing_app, smtp):
    """A lead stored before the form refused them: NEL, LS and PS become spaces in `To`."""
    message = report_sent_to_a_lead_named(
        mailing_app, smtp, "Claire\x85Bcc: a@example.com\u2028B\u2029C"
    )
    [to] = message["To"].addresses
    assert to.display_name == "Claire Bcc: a@example.com B C Dubois"
    assert to.addr_spec == "claire.dubois@example.com" and message["Bcc"] is None
    assert {"\x85", "\u2028", "\u2029"}.isdisjoint(str(message["To"]))


def test_a_name_with_accents_and_punctuation_reaches_the_wire_as_one_address(mailing_app, smtp):
    """formataddr's encoded string, parsed again by the message's policy, went out as
    `=?utf-8?q?H=C3=A9l=C3=A8ne?= : a@evil.example, b@evil.example; <to>`: a group of other
    addresses in the recipient's `To`, their own address lost."""
    message = report_sent_to_a_lead_named(
        mailing_app, smtp, "Hélène : autre1@evil.example, autre2@evil.example;"
    )
    [to] = message["To"].addresses
    assert to.addr_spec == "claire.dubois@example.com"
    assert to.display_name.startswith("Hélène : autre1@evil.example, autre2@evil.")


@pytest.fixture
def short_retry_app(make_app: Callable[..., Flask], smtp) -> Iterator[Flask]:
    """Three attempts at most, each due again at once after a failure."""
    app = make_app(
        SHIPPED,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_TIMEOUT=3,
        CONSULTANT_EMAIL=CONSULTANT,
        DELIVERY_MAX_ATTEMPTS=3,
        DELIVERY_RETRY_BASE_SECONDS=0,
    )
    yield app
    empty_tables(app)


def test_a_row_whose_header_raises_ends_failed_after_its_attempts(short_retry_app, smtp):
    """Any error while building or sending is recorded; it never leaves a row "sending"."""
    submission = complete_lead(short_retry_app, confirm=True)
    with short_retry_app.app_context():
        row = next(r for r in delivery.deliveries_of(submission.id) if r.kind == "new_lead")
        row.message_id = "<broken\u2028id@example.com>"  # a header the mail library refuses
        db.session.commit()
        outcomes = [delivery.deliver(row.id).status for _ in range(4)]
    assert outcomes == ["pending", "pending", "failed", "skipped"]
    [stored] = [r for r in rows(short_retry_app) if r.kind == "new_lead"]
    assert stored.status == "failed" and stored.attempts == 3
    assert "ValueError" in (stored.last_error or "")
    assert [m for m in smtp.recorder.received() if CONSULTANT in m["To"]] == []


def test_a_row_stuck_sending_past_its_attempts_ends_failed(mailing_app, smtp):
    """A worker that died on its last attempt: the sweeper fails the row, never resends it."""
    submission = complete_lead(mailing_app, confirm=True)
    max_attempts = mailing_app.config["DELIVERY_MAX_ATTEMPTS"]
    with mailing_app.app_context():
        row = next(r for r in delivery.deliveries_of(submission.id) if r.kind == "new_lead")
        row.status = "sending"
        row.attempts = max_attempts
        row.claimed_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        assert row.id in delivery.due_delivery_ids()
        assert delivery.deliver(row.id).status == "failed"
        assert row.id not in delivery.due_delivery_ids()
    [stored] = [r for r in rows(mailing_app) if r.kind == "new_lead"]
    assert stored.status == "failed" and stored.attempts == max_attempts
    assert "attempts" in (stored.last_error or "")
    assert [m for m in smtp.recorder.received() if CONSULTANT in m["To"]] == []


def test_every_kind_of_message_the_code_queues_has_a_label(make_app):
    """The lead page showed "report" and "new_lead": each kind queued has its words."""
    kinds: set[str] = set()
    for _path, tree in trees("outbox"):
        named = constants(tree).items()
        kinds |= {v for n, v in named if n in {"REPORT", "NEW_LEAD"} or n.endswith("_KIND")}
    assert kinds == set(delivery.KIND_LABELS)
    # Every queue_delivery names its kind by one of those constants (a prefix for an id).
    for path, tree in trees():
        for call in calls(tree, "queue_delivery"):
            kind = argument(call, "kind", 1)
            if isinstance(kind, ast.JoinedStr):
                kind = (
                    kind.values[0].value if isinstance(kind.values[0], ast.FormattedValue) else None
                )
            assert isinstance(kind, ast.Name), f"{path}: a message kind that is no constant"
            named = kind.id in {"REPORT", "NEW_LEAD"} or kind.id.endswith("_KIND")
            assert named or (kind.id == "kind" and path.name == "delivery.py"), path
    app = make_app()
    with app.test_request_context(), force_locale("fr"):
        assert delivery.kind_label(delivery.REPORT) == "Rapport envoyé au prospect"
        assert delivery.kind_label(delivery.NEW_LEAD) == "Avis de nouveau prospect au consultant"
        assert delivery.kind_label(f"{TEAM_KIND}12") == "Invitation d'équipe"
        assert delivery.kind_label(f"{CONFIRM_KIND}3") == "Confirmation de l'adresse"
        assert delivery.kind_label("meetc-7") == "Invitation au rendez-vous, au consultant"
        assert delivery.kind_label("fax") == "Message"
