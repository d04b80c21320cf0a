"""The analytics dashboard (to be completed)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from assess.views.backoffice import bp


@bp.get("/analytics")
def analytics() -> ResponseReturnValue:
    """Submissions, funnel, scores, sources, pipeline, touches."""
    return render_template("backoffice/placeholder.html", title="Analytics")
