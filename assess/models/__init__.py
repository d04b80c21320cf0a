"""The tables, one module per side of the product."""

from assess.models.backoffice import (
    AuditEntry,
    BackofficeSession,
    FunnelCount,
    LeadEvent,
    Note,
    Touch,
    User,
)
from assess.models.confirmations import AddressConfirmation, InvitationOptOut
from assess.models.outbox import Delivery, ReportFile
from assess.models.peers import PeerScoreCount
from assess.models.respondents import Lead, QuestionnaireVersion, Submission, utcnow
from assess.models.team import TeamInvitation
from assess.models.webhooks import WebhookDelivery

__all__ = [
    "AddressConfirmation",
    "AuditEntry",
    "BackofficeSession",
    "Delivery",
    "FunnelCount",
    "InvitationOptOut",
    "Lead",
    "LeadEvent",
    "Note",
    "PeerScoreCount",
    "QuestionnaireVersion",
    "ReportFile",
    "Submission",
    "TeamInvitation",
    "Touch",
    "User",
    "WebhookDelivery",
    "utcnow",
]
