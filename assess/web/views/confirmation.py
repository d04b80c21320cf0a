"""The respondent confirms their address; an invited person reports an invitation as unwanted.

The confirmation link's page asks for a click: a mail scanner that opens every link of a
message must not confirm an address for its owner. The link's page and its button have no
rate limit: the link is a 256-bit secret (nothing to gain by guessing), and a seminar room
of attendees behind one address confirms at once. The buttons that send e-mails (again)
and the "unwanted invitation" page keep RATELIMIT_CONFIRM.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from assess.respondent import confirmation
from assess.respondent import team_invitations as invitations
from assess.web.security import client_address, rate_limited

bp = Blueprint("confirmation", __name__)


@bp.get("/confirm/<token>")
def ask(token: str) -> ResponseReturnValue:
    """The address to confirm and the button that confirms it."""
    found = confirmation.find(token)
    if found is None:
        abort(404)
    if found.confirmed_at is not None or found.submission.pending_email != found.email:
        results = found.submission.public_token
        return render_template("confirmation/confirmed.html", now=False, results_token=results)
    if confirmation.is_expired(found):
        return render_template("confirmation/expired.html", token=token), 410
    return render_template("confirmation/ask.html", address=found.email)


@bp.post("/confirm/<token>")
def confirm(token: str) -> ResponseReturnValue:
    """Confirm the address: the report and the invitations that waited for it are sent."""
    try:
        done = confirmation.confirm(token)
    except confirmation.ConfirmationUnknown:
        abort(404)
    except confirmation.ConfirmationExpired:
        return render_template("confirmation/expired.html", token=token), 410
    return render_template(
        "confirmation/confirmed.html", now=done.now, results_token=done.results_token
    )


@bp.post("/confirm/<token>/again")
@rate_limited("RATELIMIT_CONFIRM")
def send_again_from_link(token: str) -> ResponseReturnValue:
    """A new link, for the holder of an expired one."""
    found = confirmation.find(token)
    if found is None or found.submission.public_token is None:
        abort(404)
    outcome = confirmation.send_again(found.submission.public_token, client_address())
    return render_template("confirmation/resent.html", outcome=outcome.value)


@bp.post("/results/<token>/confirmation")
@rate_limited("RATELIMIT_CONFIRM")
def send_again(token: str) -> ResponseReturnValue:
    """Send the confirmation link again, from the results page."""
    try:
        outcome = confirmation.send_again(token, client_address())
    except LookupError:
        abort(404)
    target = url_for("results.show", token=token, confirmation=outcome.value, _anchor="report")
    return redirect(target, code=303)


@bp.get("/team/<token>/unwanted")
@rate_limited("RATELIMIT_CONFIRM")
def unwanted(token: str) -> ResponseReturnValue:
    """What reporting an unwanted invitation does, and the button that reports it."""
    if invitations.invitation_by_token(token) is None:
        abort(404)
    return render_template("confirmation/unwanted.html", reported=False)


@bp.post("/team/<token>/unwanted")
@rate_limited("RATELIMIT_CONFIRM")
def report_unwanted(token: str) -> ResponseReturnValue:
    """No invitation goes to this address again."""
    if not invitations.report_unwanted(token):
        abort(404)
    return render_template("confirmation/unwanted.html", reported=True)
