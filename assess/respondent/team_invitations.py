"""Inviting the executive's team to answer the team sections, and collecting their answers.

An invitation is a row per address with an unguessable link, and an e-mail sent through the
outbox like every other message (kind "team-<invitation id>"). A member's answers are kept
on their invitation; the team view (assess/team.py) only ever shows them pooled.

Invitations go out on the executive's behalf, so only once their address is confirmed
(assess/confirmation.py queues the ones that waited), and within limits. Inviting checks
only the limit per submission (TEAM_MAX_INVITATIONS). The daily limits, per inviting address
and for the whole app, count the invitation e-mails actually queued in the last 24 hours and
hold when invitations are released: invitations waiting for an address nobody confirms use
none of them, so made-up addresses cannot block the feature for everyone. An invitation a
daily limit holds back stays unsent ("held"): the team page says so and offers to send it
again, the consultant's lead page lists it. An address whose owner reported an invitation
as unwanted gets no more.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update

from assess.core.contact import normalise_email
from assess.core.questionnaire import Questionnaire
from assess.core.team import TeamView, clean_member_answers, compare_with_team, team_sections
from assess.db.audit import record
from assess.db.database import dialect_insert, serialise, write_transaction
from assess.db.models import (
    Delivery,
    InvitationOptOut,
    Lead,
    Submission,
    TeamInvitation,
    utcnow,
)
from assess.db.opt_outs import address_hash, opted_out
from assess.extensions import db
from assess.outbox.messages import TEAM_KIND, queue_delivery

_SEPARATORS = re.compile(r"[\s,;]+")


@dataclass
class Invited:
    """The invitations created, and how many of their e-mails were queued now (none while
    the executive's address waits for confirmation; fewer when a daily limit holds some)."""

    created: list[TeamInvitation]
    queued: int


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


def inviting_address(submission: Submission) -> str:
    """Whose behalf the invitations go out on: the address typed, confirmed or not."""
    return normalise_email(
        submission.pending_email or (submission.lead.email if submission.lead else "")
    )


def _released_today(inviter: str | None = None) -> int:
    """Invitation e-mails queued in the last 24 hours, on behalf of one (confirmed) inviting
    address or of everyone."""
    query = select(func.count(Delivery.id)).where(
        Delivery.kind.startswith(TEAM_KIND), Delivery.created_at >= utcnow() - timedelta(days=1)
    )
    if inviter is not None:
        query = (
            query.join(Submission, Submission.id == Delivery.submission_id)
            .join(Lead, Lead.id == Submission.lead_id)
            .where(Lead.email == inviter)  # stored normalised
        )
    return int(db.session.execute(query).scalar_one())


def _checked(submission: Submission, typed: list[str]) -> list[str]:
    """The normalised addresses, or InvitationRefused with every problem (in the write
    transaction, the submission locked, so that its count holds until it commits)."""
    config = current_app.config
    already = {invitation.email for invitation in invitations_of(submission.id)}
    inviter = inviting_address(submission)
    own = {inviter, normalise_email(submission.lead.email if submission.lead else "")}
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
        if address in own:
            problems.append((raw, "own"))
        elif address in already:
            problems.append((raw, "already"))
        elif address in addresses:
            problems.append((raw, "twice"))
        else:
            addresses.append(address)
    problems.extend((address, "unwanted") for address in sorted(opted_out(addresses)))
    if len(already) + len(addresses) > config["TEAM_MAX_INVITATIONS"]:
        problems.append(("", "too_many"))
    if problems:
        raise InvitationRefused(problems)
    return addresses


def invite(q: Questionnaire, submission: Submission, text: str) -> Invited:
    """Invite the addresses typed (all or none); their e-mails are queued now when the
    executive's address is confirmed, else when it is (assess/confirmation.py), within the
    daily limits."""
    if not team_sections(q):
        raise InvitationRefused([("", "no_team_sections")])
    typed = parse_addresses(text)
    with write_transaction():
        # The submission's lock keeps its count; the daily limits serialise on their own,
        # always after a submission's lock (as confirming does), never before.
        current = db.session.execute(
            select(Submission).where(Submission.id == submission.id).with_for_update()
        ).scalar_one()
        addresses = _checked(current, typed)
        created = [
            TeamInvitation(submission_id=current.id, email=address, token=secrets.token_urlsafe(24))
            for address in addresses
        ]
        db.session.add_all(created)
        db.session.flush()
        queued = invitation_deliveries(current.id) if current.pending_email is None else []
    return Invited(created, len(queued))


def _unsent(submission_id: int) -> list[TeamInvitation]:
    """A submission's invitations with no e-mail yet, to addresses that did not opt out."""
    invitations = invitations_of(submission_id)
    kinds = set(
        db.session.execute(
            select(Delivery.kind).where(
                Delivery.submission_id == submission_id, Delivery.kind.startswith(TEAM_KIND)
            )
        ).scalars()
    )
    refused = opted_out([invitation.email for invitation in invitations])
    return [
        invitation
        for invitation in invitations
        if f"{TEAM_KIND}{invitation.id}" not in kinds and invitation.email not in refused
    ]


def invitation_deliveries(submission_id: int) -> list[Delivery]:
    """The e-mails of a submission's unsent invitations, as many as the daily limits per
    inviting address and for the whole app let through (in the caller's write transaction,
    serialised so that concurrent releases cannot pass the limits); the others stay held."""
    serialise("team-invitations")
    unsent = _unsent(submission_id)
    if not unsent:
        return []
    submission = db.session.get(Submission, submission_id)
    inviter = normalise_email(submission.lead.email if submission and submission.lead else "")
    config = current_app.config
    room = min(
        config["TEAM_INVITATIONS_PER_ADDRESS_DAY"] - _released_today(inviter),
        config["TEAM_INVITATIONS_PER_DAY"] - _released_today(),
    )
    return [
        queue_delivery(submission_id, f"{TEAM_KIND}{invitation.id}", invitation.email)
        for invitation in unsent[: max(0, room)]
    ]


def held_invitations(
    submission: Submission,
    invitations: list[TeamInvitation] | None = None,
    deliveries: list[Delivery] | None = None,
) -> list[TeamInvitation]:
    """Invitations a daily limit held back: the executive's address is confirmed, yet no
    e-mail was queued for them (none while the address waits for its confirmation). A page
    that has loaded the submission's invitations and deliveries passes them: no query then
    but the opt-outs', and that one only when some invitation is unsent."""
    if submission.pending_email is not None:
        return []
    if invitations is None or deliveries is None:
        return _unsent(submission.id)
    sent = {row.kind for row in deliveries if row.kind.startswith(TEAM_KIND)}
    unsent = [i for i in invitations if f"{TEAM_KIND}{i.id}" not in sent]
    refused = opted_out([i.email for i in unsent]) if unsent else set()
    return [i for i in unsent if i.email not in refused]


def release_held(submission_id: int) -> int:
    """Queue the held invitations of a submission, within today's limits: how many left."""
    with write_transaction():
        current = db.session.execute(
            select(Submission).where(Submission.id == submission_id).with_for_update()
        ).scalar_one_or_none()
        if current is None or current.pending_email is not None:
            return 0
        return len(invitation_deliveries(current.id))


def report_unwanted(token: str) -> bool:
    """The invited person does not know who asked: keep their address (hashed) so that no
    invitation goes to it again, and log it for the consultant. False for an unknown link."""
    invitation = invitation_by_token(token)
    if invitation is None:
        return False
    invitation_id, submission_id = invitation.id, invitation.submission_id
    hashed = address_hash(invitation.email)
    with write_transaction():
        db.session.execute(
            dialect_insert(InvitationOptOut)
            .values(address_hash=hashed, reported_at=utcnow())
            .on_conflict_do_nothing()
        )
        record("invitation.unwanted", f"invitation:{invitation_id}", {"submission": submission_id})
    return True


def invitation_by_token(token: str) -> TeamInvitation | None:
    if not token or len(token) > 64:
        return None
    return db.session.execute(
        select(TeamInvitation).where(TeamInvitation.token == token)
    ).scalar_one_or_none()


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


def team_view(
    q: Questionnaire, submission: Submission, invitations: list[TeamInvitation] | None = None
) -> TeamView | None:
    """The executive against the team, once enough members answered (`invitations`: the
    submission's, when the caller has them already)."""
    if invitations is None:
        invitations = invitations_of(submission.id)
    answered = [i.answers for i in invitations if i.answers is not None]
    contact = submission.lead.expression_contact if submission.lead else None
    minimum = current_app.config["TEAM_MIN_ANSWERS"]
    return compare_with_team(q, submission.answers, answered, contact, minimum)
