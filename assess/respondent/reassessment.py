"""Re-assessment: the same executive takes the diagnostic again, months later, and sees
what changed.

A signed link (assess/outbox/links.py), carried by the report e-mail and the results page,
names the lead and starts a draft attached to the lead: its contact step fills in the e-mail
only, and the completion joins the same lead. The change is measured, score by score,
against the lead's previous completed submission of the same questionnaire
(`db/previous_results.py`).
"""

from __future__ import annotations

from assess.core.questionnaire import Questionnaire
from assess.db.models import Lead, Submission
from assess.outbox.links import LinkInvalid
from assess.respondent.drafts import REASSESSMENT
from assess.respondent.submissions import start_draft


def start_reassessment(q: Questionnaire, lead: Lead, locale: str) -> Submission:
    """A new draft attached to the lead, held by the link (LinkInvalid when the lead was
    deleted in between)."""
    try:
        return start_draft(
            q, locale, {"utm_source": "reassessment"}, lead_id=lead.id, holder=REASSESSMENT
        )
    except LookupError:
        raise LinkInvalid from None
