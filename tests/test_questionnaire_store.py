"""Old submissions keep the questionnaire they were answered with, after the file changes."""

from __future__ import annotations

from sqlalchemy import select

from assess.db.models import QuestionnaireVersion, Submission
from assess.extensions import db
from tests.helpers.database import empty_tables
from tests.helpers.paths import OTHER_TOPIC
from tests.helpers.wizard_driver import complete, plausible_answers, questionnaire


def test_results_show_the_texts_the_submission_was_answered_with(other_app, make_app, tmp_path):
    q = questionnaire(other_app)
    complete(other_app.test_client(), q, plausible_answers(q))
    with other_app.app_context():
        submission = db.session.execute(select(Submission)).scalar_one()
        token, answered_hash = submission.public_token, submission.questionnaire_hash
        stored = db.session.get(QuestionnaireVersion, answered_hash)
        assert stored is not None and stored.source == OTHER_TOPIC.read_bytes()
    first_label = q.categories[0].label.get("en")
    edited = tmp_path / "edited.yaml"
    edited.write_text(
        OTHER_TOPIC.read_text()
        .replace(first_label, "Renamed area", 1)
        .replace('version: "', 'version: "2-', 1)
    )
    newer = make_app(edited)
    try:
        with newer.app_context():
            from assess.db.questionnaire_store import current_questionnaire

            assert current_questionnaire().source_hash != answered_hash
        page = newer.test_client().get(f"/results/{token}").get_data(as_text=True)
        assert first_label in page
        assert "Renamed area" not in page
    finally:
        empty_tables(newer)
