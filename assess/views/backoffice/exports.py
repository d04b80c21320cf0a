"""Exports and deletion (to be completed)."""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from assess.views.backoffice import bp


@bp.get("/leads/export.csv")
def export_csv() -> ResponseReturnValue:
    """The filtered list as CSV."""
    abort(404)


@bp.get("/leads/<int:lead_id>/export.json")
def export_lead_json(lead_id: int) -> ResponseReturnValue:
    """Everything about one lead, as JSON."""
    abort(404)


@bp.post("/leads/<int:lead_id>/delete")
def delete_lead(lead_id: int) -> ResponseReturnValue:
    """Delete a lead and everything about it."""
    abort(404)
