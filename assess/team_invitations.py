"""Inviting the executive's team to answer the team sections, and collecting their answers.

An invitation is a row per address with an unguessable link, and an e-mail sent through the
outbox like every other message (kind "team-<invitation id>"). A member's answers are kept
on their invitation; the team view (assess/team.py) only ever shows them pooled.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select, update

from assess.database import write_transaction
from assess.extensions import db
from assess.jobs import enqueue_deliveries
from assess.messages import message_id
from assess.models import Delivery, Submission, TeamInvitation, utcnow
from assess.questionnaire import Questionnaire
from assess.team import TeamView, clean_member_answers, compare_with_team, team_sections

TEAM_KIND = "team-"
_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class InvitationRefused(Exception):
    """Nothing was sent: the problems, each (address as typed, reason code)."""

    problems: list[tuple[str, str]] = field(default_factory=list)


def parse_addresses(text: str) -> list[str]:
    """The addresses typed, one per line or separated by commas, as typed."""
    return [part for part in _SEPARATORS.split(text or "") if part]


def invitations_of(submission_id: int) -> list[TeamInvitation]:
    return list(
        db.session.execute(
            select(TeamInvitation)
            .where(TeamInvitation.submission_id == submission_id)
            .order_by(TeamInvitation.id)
        ).scalars()
    )


def _checked(submission: Submission, typed: list[str]) -> list[str]:
    """The normalised addresses, or InvitationRefused with every problem."""
    limit = int(current_app.config["TEAM_MAX_INVITATIONS"])
    already = {invitation.email for invitation in invitations_of(submission.id)}
    own = submission.lead.email.lower() if submission.lead else ""
    problems: list[tuple[str, str]] = []
    addresses: list[str] = []
    if not typed:
        problems.append(("", "empty"))
    for raw in typed:
        if len(raw) > 254:
            problems.append((raw[:60] + "…", "invalid"))
            continue
        try:
            address = validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append((raw, "invalid"))
            continue
        if address == own:
            problems.append((raw, "own"))
        elif address in already:
            problems.append((raw, "already"))
        elif address in addresses:
            problems.append((raw, "twice"))
        else:
            addresses.append(address)
    if len(already) + len(addresses) > limit:
        problems.append(("", "too_many"))
    if problems:
        raise InvitationRefused(problems)
    return addresses


def invite(q: Questionnaire, submission: Submission, text: str) -> list[TeamInvitation]:
    """Invite the addresses typed (all or none) and queue their e-mails."""
    if not team_sections(q):
        raise InvitationRefused([("", "no_team_sections")])
    addresses = _checked(submission, parse_addresses(text))
    sender = current_app.config["MAIL_FROM"]
    with write_transaction():
        created = [
            TeamInvitation(
                submission_id=submission.id, email=address, token=secrets.token_urlsafe(24)
            )
            for address in addresses
        ]
        db.session.add_all(created)
        db.session.flush()
        rows = []
        for invitation in created:
            row = Delivery(
                submission_id=submission.id,
                kind=f"{TEAM_KIND}{invitation.id}",
                recipient=invitation.email,
                status="pending",
                message_id="",
                next_attempt_at=utcnow(),
            )
            row.message_id = message_id(row, sender)
            rows.append(row)
        db.session.add_all(rows)
        db.session.flush()
        delivery_ids = [row.id for row in rows]
    enqueue_deliveries(delivery_ids)
    return created


def invitation_by_token(token: str) -> TeamInvitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        select(TeamInvitation).where(TeamInvitation.token == token)
    ).scalar_one_or_none()


def invitation_of_delivery(delivery: Delivery) -> TeamInvitation | None:
    """The invitation a "team-<id>" delivery row sends."""
    raw = delivery.kind.removeprefix(TEAM_KIND)
    return db.session.get(TeamInvitation, int(raw)) if raw.isascii() and raw.isdigit() else None


class AlreadyAnswered(Exception):
    """The member's answers are kept already: a link is answered once."""


def save_member_answers(
    q: Questionnaire, invitation: TeamInvitation, posted: dict[str, Any]
) -> dict[str, Any]:
    """Validate and keep a member's answers (InvalidAnswers with every error otherwise;
    AlreadyAnswered when answers were kept first, even by a post running at the same time)."""
    submission = db.session.get(Submission, invitation.submission_id)
    if submission is None:
        raise LookupError(invitation.submission_id)
    contact = submission.lead.expression_contact if submission.lead else None
    answers = clean_member_answers(q, submission.answers, posted, contact)
    # "Not answered yet" is checked by the write itself: of concurrent posts, one changes the
    # row; the others, run after it (SQLite's write lock, PostgreSQL's row lock), find it
    # answered.
    answered = (
        update(TeamInvitation)
        .where(TeamInvitation.id == invitation.id, TeamInvitation.answered_at.is_(None))
        .values(answers=answers, answered_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    with write_transaction():
        if db.session.execute(answered).rowcount != 1:  # type: ignore[attr-defined]
            if db.session.get(TeamInvitation, invitation.id) is None:
                raise LookupError(invitation.id)
            raise AlreadyAnswered(invitation.id)
    return answers


def team_view(q: Questionnaire, submission: Submission) -> TeamView | None:
    """The executive against the team, once enough members answered."""
    answered = [i.answers for i in invitations_of(submission.id) if i.answers is not None]
    contact = submission.lead.expression_contact if submission.lead else None
    minimum = int(current_app.config["TEAM_MIN_ANSWERS"])
    return compare_with_team(q, submission.answers, answered, contact, minimum)
