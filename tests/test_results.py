"""The results page quotes the main challenge, escaped, in the page's language."""

from __future__ import annotations

import re
from html import unescape

from assess.outbox.links import public_url
from tests.helpers.booking_records import consultant_with_hours
from tests.helpers.personas import persona
from tests.helpers.wizard_driver import (
    CONTACT,
    complete,
    complete_lead,
    confirm_address,
    questionnaire,
)


def test_the_results_page_quotes_the_main_challenge(app):
    submission = complete_lead(app, "pme_industrielle")
    client = app.test_client()
    page = client.get(f"/results/{submission.public_token}").get_data(as_text=True)
    quoted = "Trouver des relais de croissance hors automobile."
    assert unescape(page).count(f"Vous nous avez dit\u202f: «\u202f{quoted}\u202f»") == 1
    english = client.get(f"/results/{submission.public_token}?lang=en").get_data(as_text=True)
    assert f"You told us: “{quoted}”" in unescape(english)


def test_an_unanswered_challenge_is_not_quoted(app):
    submission = complete_lead(app, "negoce_historique")
    page = app.test_client().get(f"/results/{submission.public_token}").get_data(as_text=True)
    assert 'class="challenge"' not in page
    assert "Vous nous avez dit" not in page


def test_the_quoted_challenge_is_escaped(app):
    answer = "<script>alert(1)</script> Croître & durer"
    data = persona("negoce_historique")
    answers = {**data["answers"], "main_challenge": answer}
    response, _ = complete(app.test_client(), questionnaire(app), answers, data["contact"])
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Croître &amp; durer" in page


def _page(app, submission, lang: str = "fr") -> str:
    return unescape(
        app.test_client()
        .get(f"/results/{submission.public_token}?lang={lang}")
        .get_data(as_text=True)
    )


def test_the_bars_go_from_the_weakest_area_up_with_their_values(app):
    submission = complete_lead(app, "negoce_historique")
    page = _page(app, submission)
    q = questionnaire(app)
    scores = {
        category_id: found["score"]
        for category_id, found in submission.result["categories"].items()
        if found["score"] is not None
    }
    labels = {c.id: c.label.get("fr") for c in q.categories}
    bars = page[page.index('<ol class="score-bars">') :]
    bars = bars[: bars.index("</ol>")]
    shown = re.findall(r'<span class="score-label">(.*?)</span>', bars)
    expected = sorted(scores, key=lambda category_id: scores[category_id])
    assert shown == [labels[category_id] for category_id in expected]
    focus = _first_area_to_improve(q, scores)
    assert re.search(
        rf'class="score-row focus">\s*<span class="score-label">{re.escape(labels[focus])}', bars
    )
    assert bars.count("score-row focus") == 1
    assert f'>{round(min(scores.values()))}<span class="score-max">' in bars
    assert 'class="median"' not in bars  # nobody to compare with yet


def _first_area_to_improve(q, scores: dict[str, float]) -> str:
    """The area whose weight x (100 - score) is largest: where the plan starts."""
    weights = {c.id: c.weight for c in q.categories}
    return max(scores, key=lambda category_id: weights[category_id] * (100 - scores[category_id]))


def test_the_call_names_the_first_area_to_improve_under_the_score_and_after_the_priorities(
    app,
):
    consultant_with_hours(app)  # the built-in booking page has times to offer
    submission = complete_lead(app, "negoce_historique")
    page = _page(app, submission)
    q = questionnaire(app)
    scores = {
        k: v["score"] for k, v in submission.result["categories"].items() if v["score"] is not None
    }
    focus = _first_area_to_improve(q, scores)
    label = next(c.label.get("fr") for c in q.categories if c.id == focus)
    assert q.report.call_to_action is not None
    # Without CALL_TO_ACTION_URL the call to action leads to the lead's booking page.
    with app.app_context():
        url = public_url("booking.choose", token=submission.public_token)
    offer = (
        f"30 minutes avec un directeur commercial sur votre premier axe de progrès\u202f: {label}"
    )
    assert page.count(offer) == 2
    assert page.count(f'href="{url}"') == 2
    top, priorities = (
        page.index('class="card call-to-action"'),
        page.index('class="recommendations"'),
    )
    assert page.index("<h1>") < top < page.index('class="score-bars"')
    assert page.rindex('class="card call-to-action"') > priorities
    english = _page(app, submission, "en")
    assert "30 minutes with a sales director on your first area to improve" in english


def test_until_a_consultant_sets_hours_the_call_keeps_the_questionnaire_s_address(app):
    """A booking page with no time to offer is a dead end: the questionnaire's address stays."""
    submission = complete_lead(app, "negoce_historique")
    page = _page(app, submission)
    q = questionnaire(app)
    assert q.report.call_to_action is not None
    assert page.count(f'href="{q.report.call_to_action.url}"') == 2
    assert f"/results/{submission.public_token}/call" not in page


def _results_after_giving_up_at(app, contacts: int) -> str:
    """The results page of an industrial company of 20 leads a month, 8 000 € a sale, that drops a
    prospect after `contacts` attempts."""
    data = persona("pme_industrielle")  # it prospects: the leads question is asked
    answers = {
        **data["answers"],
        "contacts_before_giving_up": contacts,
        "new_leads_per_month": 20,
        "deal_value": 8000,
    }
    response, _ = complete(app.test_client(), questionnaire(app), answers, data["contact"])
    return unescape(response.get_data(as_text=True))


def test_a_company_that_gives_up_early_sees_what_it_costs(app):
    page = _results_after_giving_up_at(app, 2)
    assert "Ce que vous coûte l'abandon trop tôt" in page
    assert '<p class="cost-headline">' in page and "€" in page
    assert "<details>" in page  # the assumptions, on demand


def test_a_company_that_persists_is_told_so_instead_of_a_cost(app):
    page = _results_after_giving_up_at(app, 8)
    assert '<p class="cost-headline">' not in page
    assert "Le suivi de vos prospects" in page


def test_the_status_says_where_the_report_stands(app):
    submission = complete_lead(app, "pme_industrielle")
    client = app.test_client()
    waiting = client.get(f"/results/{submission.public_token}/status")
    assert waiting.status_code == 200
    assert waiting.get_json() == {"state": "waiting_confirmation", "ready": False, "final": False}
    confirm_address(app, CONTACT["email"])
    queued = client.get(f"/results/{submission.public_token}/status").get_json()
    assert queued == {"state": "preparing", "ready": False, "final": False}
    page = client.get(f"/results/{submission.public_token}").get_data(as_text=True)
    assert 'data-state="preparing"' in page and 'data-ready="no"' in page
    assert "js/results.js" in page and 'class="no-script-only"' in page  # the refresh link
    assert client.get("/results/unknown-token/status").status_code == 404


def test_the_report_is_said_to_plan_the_priorities_and_the_first_step_of_the_others(app):
    # The report dates every action of the three priorities and the first step of the other
    # recommendations (docs/decisions/0007-report-plan-first-steps.md), and says no more.
    submission = complete_lead(app, "negoce_historique")
    others = min(len(submission.result["recommendations"]), 10) - 3
    assert others > 1
    page = " ".join(_page(app, submission).split())
    assert (
        "Votre rapport détaille vos 3 priorités, chacune avec son plan d'action, et la "
        f"première étape des {others} autres recommandations." in page
    )
    assert "chacune avec son plan d'actions" not in page and "(s)" not in page
    english = " ".join(_page(app, submission, "en").split())
    assert (
        "Your report details your 3 priorities, each with its action plan, and the first "
        f"step of the {others} other recommendations." in english
    )
