"""Touches due today and overdue (to be completed)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from assess.views.backoffice import bp


@bp.get("/today")
def today() -> ResponseReturnValue:
    """Touches due and overdue."""
    return render_template("backoffice/placeholder.html", title="Today")


@bp.get("/calendar/<token>.ics")
def calendar_feed(token: str) -> ResponseReturnValue:
    """A consultant's due touches as an iCalendar feed."""
    return "", 404


@bp.get("/leads/<int:lead_id>/brief")
def brief(lead_id: int) -> ResponseReturnValue:
    """A printable call-prep brief."""
    return render_template("backoffice/placeholder.html", title="Brief")
