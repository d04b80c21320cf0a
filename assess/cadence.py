"""The 7-touch follow-up cadence (to be completed)."""

from __future__ import annotations

from assess.models import Lead, Submission
from assess.questionnaire import Questionnaire


def plan_cadence(lead: Lead, submission: Submission, q: Questionnaire) -> None:
    """Plan the lead's seven touches, inside the completion's transaction (once per lead)."""
