"""The peer benchmark on the results page: counted at completion, read from the counts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from assess.db.models import PeerScoreCount, Submission
from assess.db.peer_stats import peer_comparison
from assess.extensions import db
from tests.helpers.database import empty_tables
from tests.helpers.paths import SHIPPED
from tests.helpers.wizard_driver import complete_lead, questionnaire


@pytest.fixture
def peer_app(make_app: Callable[..., Flask]) -> Iterator[Flask]:
    application = make_app(SHIPPED, PEER_MIN_GROUP=2)
    yield application
    empty_tables(application)


def peer(number: int, size: str, sector: str) -> dict[str, str]:
    """A respondent's own address, company size and sector."""
    return {"email": f"peer{number}@example.com", "company_size": size, "sector": sector}


def page(app: Flask, submission: Submission, language: str = "fr") -> str:
    client = app.test_client()
    client.get(f"/language/{language}")
    return client.get(f"/results/{submission.public_token}").get_data(as_text=True)


def test_no_comparison_until_a_group_is_large_enough(peer_app):
    first = complete_lead(peer_app, "pme_industrielle", contact=peer(1, "pe", "industrie"))
    assert "Comparé aux autres entreprises" not in page(peer_app, first)
    with peer_app.app_context():
        assert peer_comparison(db.session.get(Submission, first.id)) is None


def test_a_respondent_is_placed_among_their_size_and_sector(peer_app):
    names = ["artisan_tpe", "pme_industrielle", "services_b2b_structure"]
    done = [
        complete_lead(peer_app, name, contact=peer(n, "pe", "industrie"))
        for n, name in enumerate(names)
    ]
    with peer_app.app_context():
        last = db.session.get(Submission, done[-1].id)
        peers = peer_comparison(last)
        assert peers is not None and peers.group.is_segment and peers.others == 2
        own = round(last.result["overall"])
        others = [round(s.result["overall"]) for s in done[:-1]]
        expected = 100 * (sum(o < own for o in others) + sum(o == own for o in others) / 2) / 2
        assert peers.overall == round(expected, 1)
        assert set(peers.categories) == set(last.result["categories"])
    html = page(peer_app, done[-1])
    assert "Comparé aux autres entreprises" in html
    assert "Parmi les 2 autres entreprises de votre taille et de votre secteur" in html
    assert "Compared with other companies" in page(peer_app, done[-1], "en")


def test_a_small_segment_falls_back_to_every_submission(peer_app):
    for n, name in enumerate(["artisan_tpe", "pme_industrielle"]):
        complete_lead(peer_app, name, contact=peer(n, "pe", "industrie"))
    alone = complete_lead(
        peer_app, "services_b2b_structure", contact=peer(9, "eti", "services_b2b")
    )
    with peer_app.app_context():
        peers = peer_comparison(db.session.get(Submission, alone.id))
        assert peers is not None and not peers.group.is_segment and peers.others == 2
        groups = db.session.execute(select(func.count(func.distinct(PeerScoreCount.group_key))))
        assert groups.scalar_one() == 3  # two segments and "all"
    assert "pas encore assez d'entreprises de votre taille" in page(peer_app, alone)


def test_the_report_places_the_respondent_among_peers(peer_app):
    from assess.outbox.delivery import report_input
    from assess.report.content import Branding, build_report, render_report_html

    done = [
        complete_lead(peer_app, name, contact=peer(n, "pe", "industrie"))
        for n, name in enumerate(["artisan_tpe", "pme_industrielle", "services_b2b_structure"])
    ]
    with peer_app.app_context():
        data = report_input(db.session.get(Submission, done[-1].id))
        html = render_report_html(build_report(questionnaire(peer_app), data, Branding("DC Pilot")))
    assert "Parmi les 2 autres entreprises de votre taille et de votre secteur" in html
    assert "Entreprises ayant un score inférieur" in html
    with peer_app.app_context():  # the first one had no peers: nothing said
        data = report_input(db.session.get(Submission, done[0].id))
        assert data.peers is None or data.peers.others == 2
