"""Use cases of the respondent's path: start a draft, save a step, save the contact, complete.

Every step is saved as soon as it is posted. Each change runs in one write
transaction on the locked draft row and touches only the keys of the step
posted, so reloads, double posts and a second tab never corrupt or duplicate it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from assess.answers import (
    AnswerError,
    InvalidAnswers,
    clean_answer,
    parse_form_value,
    validate_answers,
    visible_sections,
    walk,
)
from assess.database import write_transaction
from assess.extensions import db
from assess.models import Lead, Submission, utcnow
from assess.questionnaire import Questionnaire, Section
from assess.scoring import score

CONTACT_STEP = "contact"


class DraftNotFound(LookupError):
    """No draft with this key (never existed, or deleted)."""


class StepNotAvailable(LookupError):
    """A step that this respondent is not shown, or not reached yet."""

    def __init__(self, frontier: str):
        super().__init__(frontier)
        self.frontier = frontier


@dataclass(frozen=True)
class Step:
    """A step of the wizard: a section of questions, or the contact form."""

    id: str
    section: Section | None = None

    @property
    def is_contact(self) -> bool:
        """Whether this is the contact step."""
        return self.section is None


@dataclass
class StepOutcome:
    """What became of a posted step: errors to show, or where to go next."""

    errors: dict[str, list[AnswerError]] = field(default_factory=dict)
    next_step: str | None = None
    completed_token: str | None = None


@dataclass(frozen=True)
class ContactDetails:
    """The contact step's fields, already validated by the form."""

    first_name: str
    last_name: str
    email: str
    company: str
    job_title: str
    phone: str | None
    company_size: str
    sector: str
    marketing_opt_in: bool


def wizard_steps(q: Questionnaire, draft: Submission) -> list[Step]:
    """The steps this respondent goes through, in order, given the answers so far."""
    contact = draft.lead.expression_contact if draft.lead else None
    sections = [Step(s.id, s) for s in visible_sections(q, draft.answers, contact)]
    contact_step = Step(CONTACT_STEP)
    return [contact_step, *sections] if q.lead_capture == "start" else [*sections, contact_step]


def frontier(q: Questionnaire, draft: Submission, steps: list[Step] | None = None) -> Step:
    """The first step not yet done: the furthest the respondent may go."""
    steps = steps if steps is not None else wizard_steps(q, draft)
    for step in steps:
        if step.is_contact and draft.lead_id is None:
            return step
        if not step.is_contact and step.id not in draft.steps_done:
            return step
    return steps[-1]


def start_draft(q: Questionnaire, locale: str, source: Mapping[str, str | None]) -> Submission:
    """Create an empty draft, remembering where the respondent came from."""
    with write_transaction():
        draft = Submission(
            draft_key=secrets.token_urlsafe(32),
            status="draft",
            questionnaire_id=q.id,
            questionnaire_version=q.version,
            questionnaire_hash=q.source_hash,
            locale=locale,
            answers={},
            steps_done=[],
            utm_source=source.get("utm_source"),
            utm_medium=source.get("utm_medium"),
            utm_campaign=source.get("utm_campaign"),
            referrer=source.get("referrer"),
        )
        db.session.add(draft)
    return draft


def find_draft(key: str | None) -> Submission | None:
    """The draft or completed submission with this key, if any."""
    if not key:
        return None
    return db.session.execute(
        select(Submission).where(Submission.draft_key == key)
    ).scalar_one_or_none()


def _locked(key: str) -> Submission:
    draft = db.session.execute(
        select(Submission).where(Submission.draft_key == key).with_for_update()
    ).scalar_one_or_none()
    if draft is None:
        raise DraftNotFound(key)
    return draft


def _check_reachable(q: Questionnaire, draft: Submission, step_id: str) -> list[Step]:
    steps = wizard_steps(q, draft)
    ids = [s.id for s in steps]
    limit = frontier(q, draft, steps)
    if step_id not in ids or ids.index(step_id) > ids.index(limit.id):
        raise StepNotAvailable(limit.id)
    return steps


def save_section(
    q: Questionnaire, key: str, section_id: str, posted: Callable[[str], list[str]]
) -> StepOutcome:
    """Save a posted section; valid answers are kept even when others are refused.

    `posted(name)` gives the values posted under a field name. A refused answer
    never overwrites what was saved before.
    """
    with write_transaction():
        draft = _locked(key)
        if draft.is_completed:
            return StepOutcome(completed_token=draft.public_token)
        steps = _check_reachable(q, draft, section_id)
        section = next(s.section for s in steps if s.id == section_id)
        assert section is not None
        raw = {question.id: parse_form_value(question, posted(question.id)) for question in section.questions}
        contact = draft.lead.expression_contact if draft.lead else None
        errors: dict[str, list[AnswerError]] = {}
        try:
            validate_answers(q, {**draft.answers, **raw}, contact, only_sections={section_id})
        except InvalidAnswers as invalid:
            errors = {qid: found for qid, found in invalid.errors.items() if qid in raw}
        answers = dict(draft.answers)
        for question in section.questions:
            if question.id in errors:
                continue
            value, _ = clean_answer(question, raw[question.id])
            if value is None:
                answers.pop(question.id, None)
            else:
                answers[question.id] = value
        # Questions this section's own answers now hide keep no answer.
        for item in walk(q, answers, contact):
            if item.section.id == section_id and not item.shown:
                answers.pop(item.question.id, None)
        draft.answers = answers
        draft.updated_at = utcnow()
        if errors:
            draft.current_step = section_id
            return StepOutcome(errors=errors)
        if section_id not in draft.steps_done:
            draft.steps_done = [*draft.steps_done, section_id]
        return _advance(q, draft, section_id)


def save_contact(q: Questionnaire, key: str, details: ContactDetails, consent_version: str) -> StepOutcome:
    """Create or update the draft's lead from the contact step (consent is required upstream)."""
    with write_transaction():
        draft = _locked(key)
        if draft.is_completed:
            return StepOutcome(completed_token=draft.public_token)
        _check_reachable(q, draft, CONTACT_STEP)
        lead = draft.lead
        if lead is None:
            lead = Lead(
                utm_source=draft.utm_source,
                utm_medium=draft.utm_medium,
                utm_campaign=draft.utm_campaign,
                referrer=draft.referrer,
            )
            db.session.add(lead)
            draft.lead = lead
        for name, value in vars(details).items():
            setattr(lead, name, value)
        lead.locale = draft.locale
        lead.consent_at = utcnow()
        lead.consent_text_version = consent_version
        draft.updated_at = utcnow()
        db.session.flush()
        return _advance(q, draft, CONTACT_STEP)


def set_locale(key: str, locale: str) -> None:
    """Remember the language a respondent switched to (their report uses it)."""
    with write_transaction():
        draft = _locked(key)
        draft.locale = locale
        if draft.lead is not None:
            draft.lead.locale = locale


def _advance(q: Questionnaire, draft: Submission, done_step: str) -> StepOutcome:
    """After a valid step: go to the next step, or complete when every step is done."""
    steps = wizard_steps(q, draft)
    ids = [s.id for s in steps]
    limit = frontier(q, draft, steps)
    all_done = draft.lead_id is not None and all(
        s.is_contact or s.id in draft.steps_done for s in steps
    )
    if all_done and done_step == ids[-1]:
        return _complete(q, draft)
    position = ids.index(done_step) if done_step in ids else -1
    following = ids[position + 1] if position + 1 < len(ids) else limit.id
    # Never jump past the first step not done yet.
    target = following if ids.index(following) <= ids.index(limit.id) else limit.id
    draft.current_step = target
    return StepOutcome(next_step=target)


def _complete(q: Questionnaire, draft: Submission) -> StepOutcome:
    contact = draft.lead.expression_contact if draft.lead else None
    try:
        clean = validate_answers(q, draft.answers, contact)
    except InvalidAnswers as invalid:
        # An earlier answer became required (a question now shown): go back to it.
        first = next(iter(invalid.errors))
        section = q.section_of.get(first)
        if section is not None and section.id in draft.steps_done:
            draft.steps_done = [s for s in draft.steps_done if s != section.id]
        draft.current_step = section.id if section else draft.current_step
        return StepOutcome(next_step=draft.current_step)
    result = score(q, clean, contact)
    draft.answers = clean
    draft.result = result.as_json()
    draft.overall_score = result.overall
    draft.level = result.level
    draft.status = "completed"
    draft.public_token = secrets.token_urlsafe(24)
    draft.completed_at = utcnow()
    draft.current_step = None
    draft.questionnaire_id = q.id
    draft.questionnaire_version = q.version
    draft.questionnaire_hash = q.source_hash
    return StepOutcome(completed_token=draft.public_token)


def find_completed(token: str) -> Submission | None:
    """The completed submission behind a results address."""
    return db.session.execute(
        select(Submission).where(Submission.public_token == token, Submission.status == "completed")
    ).scalar_one_or_none()


def resume_target(q: Questionnaire, draft: Submission) -> str:
    """Where a returning respondent continues: the step they were on, if still reachable."""
    steps = wizard_steps(q, draft)
    ids = [s.id for s in steps]
    limit = frontier(q, draft, steps)
    if draft.current_step in ids and ids.index(draft.current_step) <= ids.index(limit.id):
        return draft.current_step
    return limit.id


def answers_for_display(draft: Submission) -> dict[str, Any]:
    """The saved answers, to fill a step's fields."""
    return dict(draft.answers or {})
