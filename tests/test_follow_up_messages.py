"""The follow-up e-mail itself: personalised, in the lead's language, with a one-click
unsubscribe (RFC 8058) in its headers and a visible link in its body."""

from __future__ import annotations

import email
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from assess.db.database import write_transaction
from assess.db.models import Delivery, Lead, Touch, utcnow
from assess.extensions import db
from assess.outbox import delivery
from assess.outbox.messages import queue_delivery
from assess.outbox.tasks import enqueue_after_commit
from assess.tracker import follow_up
from tests.helpers.database import empty_tables
from tests.helpers.follow_up_records import (
    ALWAYS,
    OPT_IN,
    after,
    email_touch,
    follow_ups,
    reached_lead,
)
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.wizard_driver import complete_lead
from tests.helpers.worker_process import Worker, app_environment, wait_for

UNSUBSCRIBE = re.compile(r"https?://[^\s<>\"]+/follow-up/[^\s<>\"/]+/stop")


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def mail_app(make_app, outbox: Path) -> Iterator[Flask]:
    application = make_app(
        SMTP_HOST="", OUTBOX_FOLDER=str(outbox), CONSULTANT_EMAIL="conseil@example.com", **ALWAYS
    )
    yield application
    empty_tables(application)


def sent_follow_up(app: Flask, outbox: Path, lead_id: int, number: int) -> EmailMessage:
    """Write touch `number`'s follow-up and let the outbox send it; the message sent."""
    with app.app_context():
        touch = email_touch(lead_id, number)
        follow_up.send_follow_up(touch.id, after(touch))
        [row] = [r for r in follow_ups(lead_id) if r.kind.endswith(f"-{touch.id}")]
        assert delivery.deliver(row.id).status == "sent"
        message_id = row.message_id
    found = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in outbox.glob("follow-*.eml")
    ]
    [message] = [m for m in found if m["Message-ID"] == message_id]
    assert isinstance(message, EmailMessage)
    return message


def plain(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content()).replace("\u202f", " ").replace("\u00a0", " ")


def html(message: EmailMessage) -> str:
    part = message.get_body(("html",))
    assert part is not None
    return str(part.get_content())


def test_the_follow_up_names_the_weakest_area_and_a_priority_in_french(mail_app, outbox):
    lead_id = reached_lead(mail_app, OPT_IN)
    message = sent_follow_up(mail_app, outbox, lead_id, 5)
    subject = str(message["Subject"]).replace("\u202f", " ")
    assert subject == "Votre diagnostic : « Prospection », un premier pas"
    text = plain(message)
    assert text.startswith("Bonjour Claire,")
    assert "Prospection (9,1 / 100)" in text  # the artisan's weakest area
    assert "Une priorité pour commencer : " in text and "Première action : " in text
    assert "Trente minutes au téléphone suffisent" in text
    assert message["Reply-To"] == "conseil@example.com"
    assert message["Date"]
    # RFC 8058: an https (or http) address between angle brackets, and the one-click POST
    [address] = re.findall(r"<([^>]+)>", str(message["List-Unsubscribe"]))
    assert UNSUBSCRIBE.fullmatch(address)
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    # the same link visible in both parts
    assert address in text and address in html(message)
    assert "Ne plus les recevoir" in html(message)


def test_each_follow_up_brings_another_priority_and_the_last_closes_the_loop(mail_app, outbox):
    lead_id = reached_lead(mail_app, OPT_IN)
    first = plain(sent_follow_up(mail_app, outbox, lead_id, 5))
    last_message = sent_follow_up(mail_app, outbox, lead_id, 7)
    last = plain(last_message)
    assert "dernier message" in last
    assert (
        str(last_message["Subject"]).replace("\u202f", " ")
        == "Votre diagnostic : gardons-nous votre dossier ouvert ?"
    )
    priority = re.search(r"Une priorité pour commencer : (.+)", first)
    assert priority is not None and priority.group(1) not in last


def test_an_english_lead_reads_it_in_english(mail_app, outbox):
    lead_id = reached_lead(mail_app, OPT_IN)
    with mail_app.app_context(), write_transaction():
        db.session.execute(update(Lead).where(Lead.id == lead_id).values(locale="en"))
    text = plain(sent_follow_up(mail_app, outbox, lead_id, 5))
    assert text.startswith("Hello Claire,")
    assert "A priority to start with: " in text
    assert "To receive no more of them:" in text


def test_a_follow_up_stopped_after_it_was_written_is_not_sent(mail_app, outbox):
    lead_id = reached_lead(mail_app, OPT_IN)
    with mail_app.app_context():
        touch = email_touch(lead_id)
        follow_up.send_follow_up(touch.id, after(touch))
        [row] = follow_ups(lead_id)
        row_id, submission_id = row.id, row.submission_id
        # the lead unsubscribes from an earlier e-mail while this row waits: it goes with it
        assert follow_up.unsubscribe(lead_id)
        assert db.session.get(Delivery, row_id) is None
        # a row written before the stop and still there at send time is refused then
        last = email_touch(lead_id, 7)
        with write_transaction():
            slipped = queue_delivery(
                submission_id, f"follow-{last.id}", "claire.dubois@example.com"
            ).id
        assert delivery.deliver(slipped).status == "failed"
        assert (
            "the follow-up stopped (unsubscribed)" in db.session.get(Delivery, slipped).last_error
        )
    assert list(outbox.glob("follow-*.eml")) == []


@pytest.fixture
def worker_app(
    make_app, smtp: SmtpServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    queue = tmp_path_factory.mktemp("follow-up-queue") / "huey.sqlite3"
    application = make_app(
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp.port,
        SMTP_TIMEOUT=3,
        CONSULTANT_EMAIL="conseil@example.com",
        HUEY_SQLITE_PATH=str(queue),
        DELIVERY_RETRY_BASE_SECONDS=1,
        **ALWAYS,
    )
    yield application
    empty_tables(application)


def test_the_worker_sends_it_once_over_smtp_and_its_one_click_stops_them(
    worker_app: Flask, smtp: SmtpServer, tmp_path: Path
):
    settings = {**worker_app.config, "DATABASE_URL": worker_app.config["SQLALCHEMY_DATABASE_URI"]}
    worker = Worker(app_environment(settings), tmp_path / "worker.log").start()
    try:
        submission = complete_lead(worker_app, "artisan_tpe", contact=OPT_IN, confirm=True)
        assert wait_for(lambda: len(smtp.recorder.received()) >= 2), worker.log.read_text()
        with worker_app.app_context():
            assert wait_for(lambda: _report_sent(submission.id)), worker.log.read_text()
            touch = email_touch(submission.lead_id)
            with write_transaction():
                db.session.execute(
                    update(Touch)
                    .where(Touch.id == touch.id)
                    .values(due_at=utcnow() - timedelta(hours=1))
                )
                # handed to the worker twice (a lost enqueue's sweep): written once
                enqueue_after_commit(follow_up.FOLLOW_UP, [touch.id, touch.id])
        smtp.recorder.clear()
        assert wait_for(lambda: len(smtp.recorder.received()) >= 1), worker.log.read_text()
        time.sleep(2)  # a second copy would have arrived by now
        [message] = smtp.recorder.received()
        assert message["To"].addresses[0].addr_spec == "claire.dubois@example.com"
        assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
        [address] = re.findall(r"<([^>]+)>", str(message["List-Unsubscribe"]))
        path = "/" + address.split("://", 1)[1].split("/", 1)[1]
        # the mail provider's one click
        assert (
            worker_app.test_client().post(path, data={"List-Unsubscribe": "One-Click"}).status_code
            == 200
        )
        with worker_app.app_context():
            assert db.session.get(Lead, submission.lead_id).follow_up_stop == "unsubscribed"
    finally:
        worker.stop()


def _report_sent(submission_id: int) -> bool:
    db.session.rollback()
    return (
        db.session.execute(
            select(Delivery.status).where(
                Delivery.submission_id == submission_id, Delivery.kind == "report"
            )
        ).scalar_one_or_none()
        == "sent"
    )
