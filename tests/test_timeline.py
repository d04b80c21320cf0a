"""A lead's timeline in plain words: every kind of event the code writes has its label."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from flask_babel import force_locale

from assess.db.models import LeadEvent
from assess.tracker import timeline
from tests.helpers.source_scan import argument, calls, trees


@pytest.fixture
def french(make_app) -> Iterator[Flask]:
    app = make_app()
    with app.test_request_context(), force_locale("fr"):
        yield app


def written_kinds() -> dict[str, str]:
    """Every event kind assess/ can write, and where: LeadEvent(kind=...) and the demo's
    event(at, kind, ...) rows. A kind that is not a plain string fails, so none slips by."""
    found: dict[str, str] = {}
    for path, tree in trees():
        writes = [argument(c, "kind", 99) for c in calls(tree, "LeadEvent")]
        if path.name == "demo_history.py":
            writes += [argument(c, "kind", 1) for c in calls(tree, "event")]
        for kind in writes:
            assert isinstance(kind, ast.Constant), f"{path}: an event kind that is not a string"
            found[str(kind.value)] = path.name
    return found


def test_every_kind_of_event_the_code_writes_has_a_label():
    kinds = written_kinds()
    assert {"submission.completed", "status", "touch", "email.confirmed"} <= set(kinds)
    assert set(kinds) - set(timeline.EVENT_LABELS) == set()
    assert set(timeline.EVENT_LABELS) - set(kinds) == set()  # no label left for a kind gone


def test_each_event_reads_as_a_sentence_in_french(french):
    names = {7: "Julie Martin"}

    def said(kind: str, **data: object) -> str:
        return timeline.event_detail(kind, data, names)

    assert timeline.event_label("submission.completed") == "Diagnostic terminé"
    assert said("submission.completed", overall=62.54, submission_id=3) == (
        "Score global : 62,5 / 100"
    )
    assert said("status", **{"from": "new", "to": "lost", "reason": "Budget gelé"}) == (
        "De « Nouveau » à « Perdu » · motif : Budget gelé"
    )
    assert said("owner", owner_id=7) == "Confié à Julie Martin"
    assert said("owner", owner_id=8) == "Confié à un consultant qui n'est plus actif"
    assert said("owner", owner_id=None) == "Plus personne ne suit ce prospect"
    assert said("touch", number=2, channel="phone", outcome="no_answer", touch_id=4) == (
        "Relance n° 2 (Téléphone) : Pas de réponse"
    )
    assert said("email.confirmed", changed=True).startswith("L'adresse a été corrigée")
    assert said("note", note_id=1) == ""
    assert timeline.event_label("import.legacy") == "Autre événement"


def test_entries_keep_the_stored_event_for_admins_only_to_show(french):
    event = LeadEvent(
        lead_id=1,
        at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        kind="status",
        data={"from": "new", "to": "contacted", "reason": None},
    )
    (entry,) = timeline.entries([(event, None, "julie@example.com")], {})
    assert (entry.label, entry.by) == ("Statut modifié", "julie@example.com")
    assert entry.detail == "De « Nouveau » à « Contacté »"
    assert (entry.kind, entry.data["to"]) == ("status", "contacted")
