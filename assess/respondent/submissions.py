"""Use cases of the respondent's path: start a draft, save a step, save the contact, complete.

Every step is saved as soon as it is posted. Each change runs in one write
transaction on the locked draft row and touches only the keys of the step
posted, so reloads, double posts and a second tab never corrupt or duplicate it.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select

from assess.core.answers import (
    AnswerError,
    InvalidAnswers,
    apply_step,
    parse_form_value,
    validate_answers,
)
from assess.core.contact import normalise_email
from assess.core.questionnaire import Questionnaire
from assess.core.scoring import score
from assess.core.steps import CONTACT_STEP, Route, Step, plan_route, route_from
from assess.db.database import write_transaction
from assess.db.models import Lead, Submission, utcnow
from assess.db.peer_stats import count_scores
from assess.db.questionnaire_store import remember_current_version
from assess.extensions import db
from assess.outbox import webhooks
from assess.outbox.delivery import create_deliveries
from assess.outbox.tasks import RENDER_REPORT, enqueue_after_commit
from assess.respondent import confirmation
from assess.respondent.drafts import (
    MOVED,
    RESPONDENT,
    DraftState,
    lock_draft,
    read_draft,
    save_progress,
    save_progress_if_unchanged,
)
from assess.respondent.returning_leads import lead_for_completion
from assess.tracker.cadence import plan_cadence
from assess.tracker.leads import record_completion

__all__ = ["CONTACT_STEP", "Route", "Step"]


class DraftNotFound(LookupError):
    """No draft with this key (never existed, or deleted)."""


class StepNotAvailable(LookupError):
    """A step that this respondent is not shown, or not reached yet."""

    def __init__(self, frontier: str):
        super().__init__(frontier)
        self.frontier = frontier


@dataclass
class StepOutcome:
    """What became of a posted step: errors to show, or where to go next."""

    errors: dict[str, list[AnswerError]] = field(default_factory=dict)
    next_step: str | None = None
    completed_token: str | None = None
    # The draft and its route as they were when the step was posted, to show it again.
    draft: DraftState | None = None
    route: Route | None = None


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


def route_of(q: Questionnaire, draft: Submission | DraftState) -> Route:
    """The steps this respondent goes through, how far they may go, the questions shown."""
    if isinstance(draft, DraftState):
        contact = draft.contact
    else:
        contact = draft.lead.expression_contact if draft.lead else None
    return plan_route(
        q, draft.answers, contact, has_lead=draft.lead_id is not None, steps_done=draft.steps_done
    )


def wizard_steps(q: Questionnaire, draft: Submission | DraftState) -> list[Step]:
    """The steps this respondent goes through, in order, given the answers so far."""
    return list(route_of(q, draft).steps)


def start_draft(
    q: Questionnaire,
    locale: str,
    source: Mapping[str, str | None],
    lead_id: int | None = None,
    holder: str = RESPONDENT,
) -> Submission:
    """Create an empty draft, remembering where the respondent came from; with `lead_id`,
    attached to that known lead (LookupError when it no longer exists), held as `holder`
    says (see assess/drafts.py)."""
    with write_transaction():
        if lead_id is not None and db.session.get(Lead, lead_id) is None:
            raise LookupError(lead_id)
        draft = Submission(
            lead_id=lead_id,
            draft_key=secrets.token_urlsafe(32),
            status="draft",
            holder=holder,
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


def _check_reachable(q: Questionnaire, draft: Submission | DraftState, step_id: str) -> Route:
    route = route_of(q, draft)
    if not route.allows(step_id):
        raise StepNotAvailable(route.frontier.id)
    return route


# Times a step is read and written without a lock before it is saved under the lock.
OPTIMISTIC_ATTEMPTS = 3


@dataclass(frozen=True)
class _SectionChange:
    """What a posted section does to a draft: the progress to write and what follows."""

    answers: dict[str, Any]
    steps_done: list[str]
    current_step: str | None
    outcome: StepOutcome
    completes: bool


def save_section(
    q: Questionnaire,
    key: str,
    section_id: str,
    posted: Callable[[str], list[str]],
    client: str = "",
) -> StepOutcome:
    """Save a posted section; valid answers are kept even when others are refused.

    `posted(name)` gives the values posted under a field name; `client` is the respondent's
    network address (confirmation e-mails are limited per client address a day; empty: not
    counted, for scripts). A refused answer never
    overwrites what was saved before. The draft is read and the change worked out
    without a lock, then written only if the draft has not changed since (one short
    write, so concurrent respondents barely wait for each other); a draft changed in
    between is read again. The step that completes the diagnostic, and a draft that
    keeps changing under the post, are saved under the lock.
    """
    for _ in range(OPTIMISTIC_ATTEMPTS):
        draft = read_draft(key)
        if draft is None:
            raise DraftNotFound(key)
        if draft.is_completed:
            return StepOutcome(completed_token=draft.public_token)
        change = _section_change(q, draft, section_id, posted)
        if change.completes:
            break
        if save_progress_if_unchanged(
            draft, change.answers, change.steps_done, change.current_step
        ):
            return change.outcome
    return _save_section_locked(q, key, section_id, posted, client)


def _save_section_locked(
    q: Questionnaire, key: str, section_id: str, posted: Callable[[str], list[str]], client: str
) -> StepOutcome:
    with write_transaction() as transaction:
        draft = lock_draft(transaction, key)
        if draft is None:
            raise DraftNotFound(key)
        if draft.is_completed:
            return StepOutcome(completed_token=draft.public_token)
        change = _section_change(q, draft, section_id, posted)
        save_progress(transaction, draft.id, change.answers, change.steps_done, change.current_step)
        if not change.completes:
            return change.outcome
        completed = db.session.get(Submission, draft.id)
        if completed is None:
            raise DraftNotFound(key)
        outcome = _complete(q, completed, client)
        outcome.draft, outcome.route = draft, change.outcome.route
        return outcome


def _section_change(
    q: Questionnaire, draft: DraftState, section_id: str, posted: Callable[[str], list[str]]
) -> _SectionChange:
    section = q.sections_by_id.get(section_id)
    if section is None:  # the contact step has its own use case
        raise StepNotAvailable(route_of(q, draft).frontier.id)
    raw = {item.id: parse_form_value(item, posted(item.id)) for item in section.questions}
    step = apply_step(q, draft.answers, section, raw, draft.contact)
    # One walk, of the answers with this section's applied, serves both to check the step
    # may be posted and to find the next one: show_if reads earlier answers only, so a
    # section's own answers never change whether it is a step, nor the steps before it.
    has_lead = draft.lead_id is not None
    route = route_from(q, step.walked, has_lead=has_lead, steps_done=draft.steps_done)
    # (`route.with_done` below gives the route once this step is posted, without a walk.)
    if not route.allows(section_id):
        raise StepNotAvailable(route.frontier.id)
    if step.errors:
        outcome = StepOutcome(errors=step.errors, draft=draft, route=route)
        return _SectionChange(step.answers, draft.steps_done, section_id, outcome, False)
    steps_done = draft.steps_done
    if section_id not in steps_done:
        steps_done = [*steps_done, section_id]
    # The walk saw the answers this section now hides, but a hidden answer is never read:
    # the route is the same without them.
    following = route.with_done(section_id).after(section_id)
    outcome = StepOutcome(next_step=following, draft=draft, route=route)
    current = following if following is not None else draft.current_step
    return _SectionChange(step.answers, steps_done, current, outcome, following is None)


def save_contact(
    q: Questionnaire, key: str, details: ContactDetails, consent_version: str, client: str = ""
) -> StepOutcome:
    """Create or update the draft's lead from the contact step (consent is required upstream).

    A lead that completed a diagnostic before keeps its address: one typed here waits on the
    draft (`pending_email`) until its owner confirms it, like every unconfirmed address.
    """
    details = replace(details, email=normalise_email(details.email))
    with write_transaction():
        draft = _locked(key)
        if draft.is_completed:
            return StepOutcome(completed_token=draft.public_token)
        _check_reachable(q, draft, CONTACT_STEP)
        lead = draft.lead
        # A browser a resume link moved the draft to gives its own details: a lead of its
        # own, never a change to the details of the person who sent the link.
        if lead is None or draft.holder == MOVED:
            lead = Lead(
                utm_source=draft.utm_source,
                utm_medium=draft.utm_medium,
                utm_campaign=draft.utm_campaign,
                referrer=draft.referrer,
            )
            db.session.add(lead)
            draft.lead = lead
        established = lead.completed_at is not None
        for name, value in vars(details).items():
            if name != "email" or not established:
                setattr(lead, name, value)
        draft.pending_email = confirmation.address_to_confirm(lead, details.email, established)
        lead.locale = draft.locale
        lead.refresh_search_text()
        lead.consent_at = utcnow()
        lead.consent_text_version = consent_version
        # This browser gave the details: it is shown them again, and the results.
        draft.holder = RESPONDENT
        draft.updated_at = utcnow()
        db.session.flush()
        return _advance(q, draft, CONTACT_STEP, client)


def set_locale(key: str, locale: str) -> None:
    """Remember the language a respondent switched to (their report uses it)."""
    with write_transaction():
        draft = _locked(key)
        draft.locale = locale
        if draft.lead is not None:
            draft.lead.locale = locale


def _advance(q: Questionnaire, draft: Submission, done_step: str, client: str) -> StepOutcome:
    """After a valid step: go to the next step, or complete when every step is done."""
    target = route_of(q, draft).after(done_step)
    if target is None:
        return _complete(q, draft, client)
    draft.current_step = target
    return StepOutcome(next_step=target)


def _complete(q: Questionnaire, draft: Submission, client: str) -> StepOutcome:
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
    remember_current_version()
    lead = lead_for_completion(draft)
    record_completion(lead, draft, draft.result)
    count_scores(draft, lead)
    plan_cadence(lead, draft, q)
    # Nothing goes to an address on the respondent's behalf before its owner confirms it:
    # the report waits (rendered ahead for the results page), a fixed e-mail asks.
    waiting = confirmation.waits_for_confirmation(draft)
    create_deliveries(draft, report=not waiting)
    if waiting:
        confirmation.request_confirmation(draft, client)
        # Rendered ahead, so that the results page offers the PDF at once.
        enqueue_after_commit(RENDER_REPORT, [draft.id])
    webhooks.submission_completed(draft, lead)
    return StepOutcome(completed_token=draft.public_token)


def find_completed(token: str) -> Submission | None:
    """The completed submission behind a results address."""
    return db.session.execute(
        select(Submission).where(Submission.public_token == token, Submission.status == "completed")
    ).scalar_one_or_none()


def resume_target(q: Questionnaire, draft: Submission | DraftState) -> str:
    """Where a returning respondent continues: the step they were on, if still reachable."""
    route = route_of(q, draft)
    if draft.current_step is not None and route.allows(draft.current_step):
        return draft.current_step
    return route.frontier.id
