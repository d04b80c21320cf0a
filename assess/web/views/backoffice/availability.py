"""A consultant's own availability for the meetings executives book ("Mes disponibilités")."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assess.tracker import booking
from assess.web.availability_form import AvailabilityForm
from assess.web.views.backoffice.blueprint import bp


@bp.route("/availability", methods=["GET", "POST"])
def availability() -> ResponseReturnValue:
    """Show the form with the stored availability; save it when valid, else the field errors."""
    form = AvailabilityForm()
    if form.validate_on_submit():
        booking.save_availability(current_user.id, form.availability())
        flash(_l("Your availability is saved."), "info")
        return redirect(url_for("backoffice.availability"), code=303)
    status = 200
    if form.is_submitted():
        status = 422
    else:
        form.fill(booking.availability_of(current_user.id))
    return render_template("backoffice/availability.html", form=form), status
