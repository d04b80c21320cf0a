"""The tables, one module per side of the product."""

from assess.db.models.backoffice import (
    AuditEntry,
    BackofficeSession,
    FunnelCount,
    LeadEvent,
    Note,
    Touch,
    User,
)
from assess.db.models.booking import Booking, ConsultantAvailability
from assess.db.models.confirmations import AddressConfirmation, InvitationOptOut
from assess.db.models.outbox import Delivery, ReportFile
from assess.db.models.peers import PeerScoreCount
from assess.db.models.respondents import Lead, QuestionnaireVersion, Submission, aware, utcnow
from assess.db.models.team import TeamInvitation
from assess.db.models.webhooks import WebhookDelivery

__all__ = [
    "AddressConfirmation",
    "AuditEntry",
    "BackofficeSession",
    "Booking",
    "ConsultantAvailability",
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
    "aware",
    "utcnow",
]
