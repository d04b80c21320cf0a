"""The results page quotes the main challenge, escaped, in the page's language."""

from __future__ import annotations

from html import unescape

from tests.helpers.personas import persona
from tests.helpers.wizard_driver import complete, complete_lead, questionnaire


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
