"""Exports (CSV list, one lead's data as JSON) and the GDPR deletion of a lead."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from assess.core.questionnaire import Questionnaire
from assess.db.models import utcnow
from assess.db.questionnaire_store import current_questionnaire
from assess.i18n import COMPANY_SIZE_LABELS, SECTOR_LABELS, translate
from assess.tracker import exports, gdpr
from assess.tracker.lead_list import link_arguments, parse_filters
from assess.tracker.leads import get_lead
from assess.web.views.backoffice.blueprint import bp
from assess.web.views.backoffice.leads import STATUS_LABELS
from assess.web.views.backoffice.leads import lead as lead_page

SEPARATORS = {"comma": ",", "semicolon": ";"}


@bp.get("/leads/export.csv")
def export_csv() -> ResponseReturnValue:
    """The filtered and sorted list as CSV, every page (`separator=semicolon` for French Excel)."""
    q = current_questionnaire()
    parsed = parse_filters(request.args, q)
    separator = SEPARATORS.get(request.args.get("separator") or "comma")
    if separator is None:
        abort(400)
    if set(parsed.errors) - {"page"}:  # the list says which filter is wrong, beside it
        typed: dict[str, Any] = link_arguments(request.args, {})
        return redirect(url_for("backoffice.leads", **typed), code=303)
    layout = _layout(q, separator)
    exports.record_export(
        "leads.export",
        "leads",
        {"format": "csv", "filters": exports.filter_count(parsed.filters)},
        current_user.id,
    )
    response = current_app.response_class(
        stream_with_context(exports.leads_csv(parsed.filters, layout)),
        mimetype="text/csv",
    )
    name = f"leads-{utcnow():%Y-%m-%d}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _layout(q: Questionnaire, separator: str) -> exports.CsvLayout:
    header = [
        _("ID"),
        _("First name"),
        _("Last name"),
        _("E-mail"),
        _("Phone"),
        _("Company"),
        _("Job title"),
        _("Company size"),
        _("Sector"),
        _("UTM source"),
        _("UTM medium"),
        _("UTM campaign"),
        _("Referrer"),
        _("Completed (UTC)"),
        _("Overall score"),
        _("Level"),
        *(translate(category.label) for category in q.categories),
        _("Status"),
        _("Owner"),
        _("Touches done"),
        _("Next touch (UTC)"),
    ]
    return exports.CsvLayout(
        separator=separator,
        header=header,
        category_ids=[category.id for category in q.categories],
        sizes={key: str(label) for key, label in COMPANY_SIZE_LABELS.items()},
        sectors={key: str(label) for key, label in SECTOR_LABELS.items()},
        statuses={key: str(label) for key, label in STATUS_LABELS.items()},
        levels={level.id: translate(level.label) for level in q.levels},
    )


@bp.get("/leads/<int:lead_id>/export.json")
def export_lead_json(lead_id: int) -> ResponseReturnValue:
    """Everything about one lead, as a JSON attachment (the GDPR right of access)."""
    data = exports.lead_data(lead_id)
    if data is None:
        abort(404)
    exports.record_export("lead.export", f"lead:{lead_id}", {"format": "json"}, current_user.id)
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False, indent=2, default=str), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="lead-{lead_id}.json"'
    return response


@bp.post("/leads/<int:lead_id>/delete")
def delete_lead(lead_id: int) -> ResponseReturnValue:
    """Delete a lead and everything about it, once its company name is typed to confirm."""
    if current_user.role not in {"admin", "consultant"}:
        abort(403)
    found = get_lead(lead_id)
    if found is None:
        abort(404)
    if not gdpr.confirms(found.company, request.form.get("confirm_company", "")):
        flash(_("Type the company name exactly as shown to confirm the deletion."), "error")
        response = make_response(lead_page(lead_id))
        response.status_code = 422
        return response
    gdpr.delete_lead(lead_id, current_user.id)
    flash(_("The lead and everything about it were deleted."), "info")
    return redirect(url_for("backoffice.leads"), code=303)
