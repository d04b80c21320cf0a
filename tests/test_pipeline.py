"""The one way a lead's status changes: recorded, audited, the cadence stopped or resumed,
the webhook posted once per real change, from the back office, a touch or a booking."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from assess.db.models import AuditEntry, Lead, LeadEvent, WebhookDelivery
from assess.extensions import db
from assess.tracker import cadence, pipeline
from tests.helpers.backoffice_client import make_user
from tests.helpers.cadence_records import touches_of
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import complete_lead


@pytest.fixture
def hook_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    """An app with a webhook address: its events are written as rows (no worker posts them)."""
    app = make_app(
        SHIPPED, WEBHOOK_URLS="https://crm.example.com/hooks", WEBHOOK_SECRET="pipeline-secret"
    )
    yield app
    empty_tables(app)


@pytest.fixture
def lead_id(hook_app: Flask) -> int:
    return complete_lead(hook_app, "artisan_tpe").lead_id


def status_hooks(lead_id: int) -> list[WebhookDelivery]:
    return list(
        db.session.execute(
            select(WebhookDelivery)
            .where(
                WebhookDelivery.lead_id == lead_id, WebhookDelivery.event == "lead.status_changed"
            )
            .order_by(WebhookDelivery.id)
        ).scalars()
    )


def status_audit(lead_id: int) -> list[AuditEntry]:
    return list(
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "lead.status", AuditEntry.target == f"lead:{lead_id}")
            .order_by(AuditEntry.id)
        ).scalars()
    )


def status_events(lead_id: int) -> list[LeadEvent]:
    return list(
        db.session.execute(
            select(LeadEvent)
            .where(LeadEvent.lead_id == lead_id, LeadEvent.kind == "status")
            .order_by(LeadEvent.id)
        ).scalars()
    )


def test_a_touch_that_books_a_meeting_posts_one_webhook_and_stops_the_cadence(hook_app, lead_id):
    with hook_app.app_context():
        user_id = make_user(hook_app, "commercial@example.com")
        first = touches_of(lead_id)[0]
        cadence.log_touch(first.id, lead_id, "meeting_booked", "", user_id)
        db.session.expire_all()
        lead = db.session.get(Lead, lead_id)
        assert lead.status == "meeting_booked" and lead.next_touch_at is None
        assert lead.status_changed_at is not None
        assert [t.status for t in touches_of(lead_id)] == ["done"] + ["cancelled"] * 6
        [hook] = status_hooks(lead_id)
        change = hook.payload["data"]["change"]
        assert (change["from"], change["to"]) == ("new", "meeting_booked")
        assert (change["changed_by"], change["source"]) == ("commercial@example.com", "touch")
        [audit] = status_audit(lead_id)
        assert audit.user_id == user_id and audit.details["source"] == "touch"
        [event] = status_events(lead_id)
        assert event.data["to"] == "meeting_booked" and event.user_id == user_id


def test_a_first_touch_moves_a_new_lead_to_contacted_and_says_so(hook_app, lead_id):
    with hook_app.app_context():
        touches = touches_of(lead_id)
        cadence.log_touch(touches[0].id, lead_id, "no_answer", "", None)
        cadence.log_touch(touches[1].id, lead_id, "reached", "", None)  # already contacted
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).status == "contacted"
        assert [h.payload["data"]["change"]["to"] for h in status_hooks(lead_id)] == ["contacted"]
        assert len(status_audit(lead_id)) == 1


def test_a_change_with_nobody_signed_in_is_recorded_and_audited(hook_app, lead_id):
    with hook_app.app_context():
        pipeline.change_status(lead_id, "meeting_booked", source="booking")
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).status == "meeting_booked"
        [audit] = status_audit(lead_id)
        assert audit.user_id is None
        assert audit.details == {"from": "new", "to": "meeting_booked", "source": "booking"}
        [event] = status_events(lead_id)
        assert event.user_id is None and event.data["source"] == "booking"
        [hook] = status_hooks(lead_id)
        change = hook.payload["data"]["change"]
        assert (change["changed_by"], change["source"]) == (None, "booking")
        assert all(t.status == "cancelled" for t in touches_of(lead_id))


def test_the_same_status_again_changes_nothing_and_posts_nothing(hook_app, lead_id):
    with hook_app.app_context():
        user_id = make_user(hook_app, "commercial@example.com")
        pipeline.change_status(lead_id, "contacted", "", user_id)
        db.session.expire_all()
        changed_at = db.session.get(Lead, lead_id).status_changed_at
        pipeline.change_status(lead_id, "contacted", "", user_id)
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).status_changed_at == changed_at
        assert len(status_hooks(lead_id)) == 1
        assert len(status_audit(lead_id)) == 1
        assert len(status_events(lead_id)) == 1


def test_a_new_lost_reason_is_recorded_without_a_webhook(hook_app, lead_id):
    with hook_app.app_context():
        pipeline.change_status(lead_id, "lost", "Pas de budget", None)
        pipeline.change_status(lead_id, "lost", "Parti chez un concurrent", None)
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).lost_reason == "Parti chez un concurrent"
        assert len(status_hooks(lead_id)) == 1
        assert [e.data["reason"] for e in status_events(lead_id)] == [
            "Pas de budget",
            "Parti chez un concurrent",
        ]


def test_a_lead_back_in_an_open_status_resumes_its_cadence_from_now(hook_app, lead_id):
    with hook_app.app_context():
        touches = touches_of(lead_id)
        start = cadence.aware(touches[0].due_at)
        cadence.log_touch(touches[0].id, lead_id, "meeting_booked", "", None, now=start)
        later = start + timedelta(days=20)
        pipeline.change_status(lead_id, "contacted", "", None, source="booking", now=later)
        db.session.expire_all()
        resumed = touches_of(lead_id)
        assert [t.status for t in resumed] == ["done"] + ["planned"] * 6
        # the second touch is due at once, the others keep their spacing
        assert cadence.aware(resumed[1].due_at) == later
        gaps = [
            cadence.aware(b.due_at) - cadence.aware(a.due_at)
            for a, b in itertools.pairwise(touches[1:])
        ]
        assert [
            cadence.aware(b.due_at) - cadence.aware(a.due_at)
            for a, b in itertools.pairwise(resumed[1:])
        ] == gaps
        lead = db.session.get(Lead, lead_id)
        assert cadence.aware(lead.next_touch_at) == later
        assert [h.payload["data"]["change"]["to"] for h in status_hooks(lead_id)] == [
            "meeting_booked",
            "contacted",
        ]


def test_refused_changes_leave_no_trace(hook_app, lead_id):
    with hook_app.app_context():
        for status, reason, error in (
            ("lost", "", "reason required"),
            ("archived", "", "unknown status"),
            ("lost", "x" * 501, "reason too long"),
            ("lost", "ligne\nautre", "reason not on one line"),
        ):
            with pytest.raises(pipeline.LeadError, match=error):
                pipeline.change_status(lead_id, status, reason, None)
        with pytest.raises(LookupError):
            pipeline.change_status(999_999, "contacted", "", None)
        with pytest.raises(ValueError):
            pipeline.change_status(lead_id, "contacted", "", None, source="somewhere")
        db.session.expire_all()
        assert db.session.get(Lead, lead_id).status == "new"
        assert status_hooks(lead_id) == [] and status_audit(lead_id) == []
