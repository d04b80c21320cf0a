"""Webhooks against a real HTTP server on loopback: signed, retried, refused where they must be."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from assess.db.models import Lead, WebhookDelivery, utcnow
from assess.extensions import db
from assess.outbox import webhooks
from assess.outbox.links import public_url
from assess.outbox.webhook_transport import WebhookError, check_target, is_public
from assess.tracker import gdpr, pipeline
from tests.helpers.backoffice_client import log_in, make_user
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.webhook_receiver import WebhookReceiver
from tests.helpers.wizard_driver import complete_lead, confirm_address, csrf_token
from tests.helpers.worker_process import Worker, app_environment, wait_for

SECRET = "webhook-test-secret"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def hook_app(
    make_app: Callable[..., Flask], receiver: WebhookReceiver, tmp_path_factory
) -> Iterator[Flask]:
    """An app posting its events to the loopback receiver (private targets allowed)."""
    app = make_app(
        SHIPPED,
        WEBHOOK_URLS=receiver.url,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_ALLOW_PRIVATE=True,
        WEBHOOK_TIMEOUT=1,
        DELIVERY_RETRY_BASE_SECONDS=1,
        HUEY_SQLITE_PATH=str(tmp_path_factory.mktemp("hooks") / "huey.sqlite3"),
    )
    yield app
    empty_tables(app)


def webhook_rows(app: Flask) -> list[WebhookDelivery]:
    with app.app_context():
        found = list(
            db.session.execute(select(WebhookDelivery).order_by(WebhookDelivery.id)).scalars()
        )
        for row in found:
            db.session.expunge(row)
        return found


def attempt(app: Flask, row_id: int) -> webhooks.Attempt:
    with app.app_context():
        return webhooks.deliver_webhook(row_id)


def test_a_completed_submission_posts_a_signed_event_through_the_worker(
    hook_app: Flask, receiver: WebhookReceiver, tmp_path: Path
):
    settings = {**hook_app.config, "DATABASE_URL": hook_app.config["SQLALCHEMY_DATABASE_URI"]}
    worker = Worker(app_environment(settings), tmp_path / "worker.log").start()
    try:
        submission = complete_lead(hook_app)
        assert wait_for(lambda: len(receiver.requests()) >= 1, timeout=60), worker.log.read_text()
        assert wait_for(lambda: webhook_rows(hook_app)[0].status == "sent", timeout=30)
    finally:
        worker.stop()
    [request] = receiver.requests()
    [row] = webhook_rows(hook_app)
    assert request.path == "/hooks/crm" and request.signed_by(SECRET)
    assert not request.signed_by("another secret")
    assert request.headers["x-webhook-event"] == "submission.completed"
    assert request.headers["x-webhook-id"] == str(row.id)
    payload = request.payload
    assert payload["event"] == "submission.completed"
    data = payload["data"]
    assert data["lead"]["email"] == "claire.dubois@example.com"
    assert data["lead"]["company"] == "Dubois Équipements"
    assert data["submission"]["id"] == submission.id
    assert data["submission"]["overall_score"] == submission.result["overall"]
    assert set(data["submission"]["categories"]) == set(submission.result["categories"])
    with hook_app.app_context():
        assert data["links"]["results"] == public_url("results.show", token=submission.public_token)
    assert row.last_status_code == 200 and row.attempts == 1 and row.sent_at is not None


def test_a_pipeline_change_posts_who_moved_the_lead_from_where_to_where(
    hook_app: Flask, receiver: WebhookReceiver
):
    lead_id = complete_lead(hook_app).lead_id
    user_id = make_user(hook_app, "commercial@example.com")
    with hook_app.app_context():
        pipeline.change_status(lead_id, "contacted", "", user_id)
        with pytest.raises(pipeline.LeadError):  # refused: nothing queued
            pipeline.change_status(lead_id, "lost", "", user_id)
    rows = [row for row in webhook_rows(hook_app) if row.event == "lead.status_changed"]
    assert len(rows) == 1
    assert attempt(hook_app, rows[0].id).status == "sent"
    [request] = [r for r in receiver.requests() if r.payload["event"] == "lead.status_changed"]
    change = request.payload["data"]["change"]
    assert change["from"] == "new" and change["to"] == "contacted"
    assert change["changed_by"] == "commercial@example.com"
    assert request.signed_by(SECRET)


def test_a_target_answering_500_is_retried_then_delivered(hook_app, receiver):
    receiver.behaviour.statuses = [500]
    complete_lead(hook_app)
    [row] = webhook_rows(hook_app)
    first = attempt(hook_app, row.id)
    assert first.status == "pending" and first.retry_at is not None
    [row] = webhook_rows(hook_app)
    assert row.last_status_code == 500 and "500" in (row.last_error or "")
    with hook_app.app_context():  # the backoff has passed
        db.session.execute(update(WebhookDelivery).values(next_attempt_at=utcnow()))
        db.session.commit()
        assert webhooks.due_webhook_ids() == [row.id]
    assert attempt(hook_app, row.id).status == "sent"
    assert len(receiver.requests()) == 2
    [row] = webhook_rows(hook_app)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None


def test_a_target_that_hangs_times_out_and_is_retried(hook_app, receiver):
    receiver.behaviour.hang = threading.Event()
    complete_lead(hook_app)
    [row] = webhook_rows(hook_app)
    outcome = attempt(hook_app, row.id)
    assert outcome.status == "pending"
    [row] = webhook_rows(hook_app)
    assert "timed out" in (row.last_error or "").lower()
    assert row.status == "pending" and row.attempts == 1 and row.sent_at is None


def test_a_redirect_to_a_private_address_is_recorded_and_not_followed(hook_app, receiver):
    receiver.behaviour.statuses = [302]
    receiver.behaviour.location = "http://169.254.169.254/latest/meta-data/"
    complete_lead(hook_app)
    [row] = webhook_rows(hook_app)
    assert attempt(hook_app, row.id).status == "failed"
    [row] = webhook_rows(hook_app)
    assert "redirects are not followed" in (row.last_error or "")
    assert "169.254.169.254" in (row.last_error or "")
    assert len(receiver.requests()) == 1


def test_a_loopback_target_is_refused_unless_allowed(make_app, receiver, tmp_path_factory):
    app = make_app(
        SHIPPED,
        WEBHOOK_URLS=receiver.url,
        WEBHOOK_SECRET=SECRET,
        HUEY_SQLITE_PATH=str(tmp_path_factory.mktemp("refused") / "huey.sqlite3"),
    )
    try:
        submission = complete_lead(app)
        [row] = webhook_rows(app)
        assert attempt(app, row.id).status == "failed"
        [row] = webhook_rows(app)
        assert "loopback" in (row.last_error or "") and receiver.requests() == []
        # the submission is intact and its results page works
        page = app.test_client().get(f"/results/{submission.public_token}")
        assert page.status_code == 200
    finally:
        empty_tables(app)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.10", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),  # noqa: S104 - an address checked, not bound
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1%eth0", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        # IPv6 forms that carry an IPv4 address: judged by the address they carry.
        ("::ffff:169.254.169.254", False),  # IPv4-mapped
        ("::ffff:10.0.0.1", False),
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated, still routed by some stacks)
        ("::169.254.169.254", False),
        ("::192.168.1.10", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b::10.1.2.3", False),
        ("64:ff9b::93.184.216.34", True),  # NAT64 of a public address
        ("64:ff9b:1::a00:1", False),  # local-use NAT64: the translator is inside
        ("64:ff9b:1:5db8:d8:2200::", False),
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of 169.254.169.254
        ("2002:c0a8:10a::", False),  # 6to4 of 192.168.1.10
        ("2002:5db8:d822::1", True),  # 6to4 of a public address
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),  # Teredo, client 127.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo, client 10.0.0.1
    ],
)
def test_only_public_addresses_count_as_public(address: str, public: bool):
    assert is_public(address) is public


def test_deleting_a_lead_deletes_its_webhook_rows(hook_app, receiver):
    lead_id = complete_lead(hook_app).lead_id
    assert webhook_rows(hook_app)
    with hook_app.app_context():
        assert gdpr.delete_lead(lead_id)
    # only the row reporting the deletion remains, and it names no lead
    assert [(row.event, row.lead_id) for row in webhook_rows(hook_app)] == [("lead.deleted", None)]


def test_webhooks_without_a_secret_stop_the_app(make_app, capsys):
    with pytest.raises(SystemExit):
        make_app(SHIPPED, WEBHOOK_URLS="https://crm.example.com/hook ftp://x")
    errors = capsys.readouterr().err
    assert "WEBHOOK_SECRET is empty" in errors and "'ftp://x' is not an http(s) address" in errors


def test_nothing_is_queued_without_configured_addresses(app):
    complete_lead(app)
    assert webhook_rows(app) == []


def test_the_admin_sees_the_posts_and_can_post_one_again(hook_app, receiver):
    receiver.behaviour.statuses = [404]
    complete_lead(hook_app)
    [row] = webhook_rows(hook_app)
    assert attempt(hook_app, row.id).status == "failed"
    admin = log_in(hook_app, email="admin@example.com", role="admin")
    page = admin.get("/backoffice/webhooks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and receiver.url in html and "answered 404" in html
    assert log_in(hook_app).get("/backoffice/webhooks").status_code == 403
    again = admin.post(
        f"/backoffice/webhooks/{row.id}/resend", data={"csrf_token": csrf_token(page)}
    )
    assert again.status_code == 303
    assert (
        admin.post(
            "/backoffice/webhooks/999999/resend", data={"csrf_token": csrf_token(page)}
        ).status_code
        == 404
    )
    [row] = webhook_rows(hook_app)
    assert row.status == "pending" and row.attempts == 0
    assert attempt(hook_app, row.id).status == "sent"


def test_a_row_whose_address_does_not_parse_fails_with_a_message(hook_app, receiver):
    """An address queued under an older setting: recorded as failed, never left "sending"."""
    complete_lead(hook_app)
    [row] = webhook_rows(hook_app)
    with hook_app.app_context():
        db.session.execute(update(WebhookDelivery).values(url="http://[oops/hook"))
        db.session.commit()
    assert attempt(hook_app, row.id).status == "failed"
    [row] = webhook_rows(hook_app)
    assert row.status == "failed" and "http://[oops/hook" in (row.last_error or "")
    assert receiver.requests() == []


def test_a_row_stuck_posting_past_its_attempts_ends_failed(hook_app, receiver):
    complete_lead(hook_app)
    [row] = webhook_rows(hook_app)
    with hook_app.app_context():
        db.session.execute(
            update(WebhookDelivery).values(
                status="sending",
                attempts=hook_app.config["WEBHOOK_MAX_ATTEMPTS"],
                claimed_at=utcnow() - timedelta(hours=1),
            )
        )
        db.session.commit()
        assert webhooks.due_webhook_ids() == [row.id]
    assert attempt(hook_app, row.id).status == "failed"
    [row] = webhook_rows(hook_app)
    assert row.status == "failed" and "attempts" in (row.last_error or "")
    assert receiver.requests() == []
    with hook_app.app_context():
        assert webhooks.due_webhook_ids() == []


def test_an_address_that_does_not_parse_stops_the_app(make_app, capsys):
    with pytest.raises(SystemExit):
        make_app(SHIPPED, WEBHOOK_URLS="http://[oops/hook", WEBHOOK_SECRET=SECRET)
    assert "'http://[oops/hook' is not an http(s) address" in capsys.readouterr().err


@pytest.mark.parametrize(
    "host",
    ["[64:ff9b::a9fe:a9fe]", "[2002:7f00:1::]", "[::127.0.0.1]", "[64:ff9b:1::a00:1]"],
)
def test_a_target_written_as_an_ipv6_form_of_a_private_address_is_refused(host: str):
    with pytest.raises(WebhookError) as refused:
        check_target(f"http://{host}/latest/meta-data/", allow_private=False)
    assert refused.value.permanent and "private, loopback or link-local" in str(refused.value)


def test_a_deletion_posts_lead_deleted_with_the_id_and_the_time_only(hook_app, receiver):
    lead_id = complete_lead(hook_app).lead_id
    with hook_app.app_context():
        assert gdpr.delete_lead(lead_id)
    [row] = webhook_rows(hook_app)  # the lead's earlier rows went with it
    assert row.event == "lead.deleted" and row.lead_id is None
    assert attempt(hook_app, row.id).status == "sent"
    [request] = receiver.requests()
    assert request.signed_by(SECRET) and request.headers["x-webhook-event"] == "lead.deleted"
    payload = request.payload
    assert payload["event"] == "lead.deleted"
    assert set(payload["data"]) == {"lead", "deleted_at"}
    assert payload["data"]["lead"] == {"id": lead_id}
    assert payload["data"]["deleted_at"] <= utcnow().isoformat()
    body = request.body.decode()
    assert "claire" not in body.lower() and "dubois" not in body.lower()


def test_the_retention_purge_posts_lead_deleted_for_each_lead(hook_app, receiver):
    first = complete_lead(hook_app).lead_id
    second = complete_lead(hook_app, contact={"email": "paul.martin@example.com"}).lead_id
    with hook_app.app_context():
        old = utcnow() - timedelta(days=900)
        db.session.execute(update(Lead).values(completed_at=old, created_at=old))
        db.session.commit()
        assert gdpr.purge_expired(lead_months=24).leads == 2
    rows = webhook_rows(hook_app)
    assert [(row.event, row.payload["data"]["lead"]["id"]) for row in rows] == [
        ("lead.deleted", first),
        ("lead.deleted", second),
    ]


def test_an_unknown_event_is_refused(hook_app):
    with hook_app.app_context(), pytest.raises(ValueError, match="unknown webhook event"):
        webhooks.queue_event("lead.exploded", {}, None)


def test_every_lead_says_whether_its_address_is_confirmed_and_confirming_posts_an_event(
    hook_app: Flask, receiver: WebhookReceiver
):
    submission = complete_lead(hook_app)
    [completed] = webhook_rows(hook_app)
    assert completed.event == "submission.completed"
    assert completed.payload["data"]["lead"]["email_confirmed"] is False
    confirm_address(hook_app, "claire.dubois@example.com")
    confirm_address(hook_app, "claire.dubois@example.com")  # a second click posts nothing
    confirmed = [row for row in webhook_rows(hook_app) if row.event == "lead.email_confirmed"]
    assert len(confirmed) == 1
    assert attempt(hook_app, confirmed[0].id).status == "sent"
    [request] = [r for r in receiver.requests() if r.payload["event"] == "lead.email_confirmed"]
    assert request.signed_by(SECRET)
    assert request.headers["x-webhook-event"] == "lead.email_confirmed"
    data = request.payload["data"]
    assert data["lead"]["id"] == submission.lead_id
    assert data["lead"]["email"] == "claire.dubois@example.com"
    assert data["lead"]["email_confirmed"] is True
    assert data["confirmation"]["submission_id"] == submission.id
    assert data["confirmation"]["email_changed"] is False
    assert data["confirmation"]["confirmed_at"]
    # every later event's lead carries the flag too
    user_id = make_user(hook_app, "flag@example.com")
    with hook_app.app_context():
        pipeline.change_status(submission.lead_id, "contacted", "", user_id)
    [changed] = [row for row in webhook_rows(hook_app) if row.event == "lead.status_changed"]
    assert changed.payload["data"]["lead"]["email_confirmed"] is True
