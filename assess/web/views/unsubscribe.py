"""The one-click stop of the follow-up e-mails (RFC 8058), and the page of its visible link.

The mail provider's one click is a POST of `List-Unsubscribe=One-Click` to the address of
the `List-Unsubscribe` header, with no cookie and no form token: the signed token in the
address is the authority, so this POST is exempt from CSRF. Opening the visible link
(GET) only asks: a mail scanner that follows links unsubscribes nobody.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from assess.extensions import csrf
from assess.outbox.follow_ups import lead_of_unsubscribe_token
from assess.outbox.links import LinkExpired, LinkInvalid
from assess.tracker import follow_up

bp = Blueprint("unsubscribe", __name__)


def _refused(error: Exception) -> ResponseReturnValue:
    if isinstance(error, LinkExpired):
        return render_template("unsubscribe/link_used.html", expired=True), 410
    return render_template("booking/link_invalid.html"), 404


@bp.get("/follow-up/<token>/stop")
def confirm(token: str) -> ResponseReturnValue:
    """Ask before stopping the e-mails."""
    try:
        lead = lead_of_unsubscribe_token(token)
    except (LinkInvalid, LinkExpired) as error:
        return _refused(error)
    if lead.follow_up_stop == follow_up.UNSUBSCRIBED:
        return render_template("unsubscribe/link_used.html", expired=False), 410
    return render_template("unsubscribe/confirm.html", token=token)


@bp.post("/follow-up/<token>/stop")
@csrf.exempt
def stop(token: str) -> ResponseReturnValue:
    """Stop the follow-up e-mails: from the page's button or the mail provider's one click.
    Posted again, it changes nothing and says so."""
    try:
        lead = lead_of_unsubscribe_token(token)
    except (LinkInvalid, LinkExpired) as error:
        return _refused(error)
    if not follow_up.unsubscribe(lead.id):
        return render_template("unsubscribe/link_used.html", expired=False), 410
    return render_template("unsubscribe/stopped.html")
