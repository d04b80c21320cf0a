"""Error pages in the visitor's language: never a traceback."""

from __future__ import annotations

from flask import Flask, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from assess.extensions import db
from assess.web.security import retry_after_seconds

TITLES = {
    400: _l("This request could not be understood"),
    403: _l("Access refused"),
    404: _l("This page does not exist"),
    405: _l("This action is not allowed here"),
    409: _l("This step is not available yet"),
    410: _l("This link has expired"),
    413: _l("What you sent is too large"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}
EXPLANATIONS = {
    400: _l("Please go back, reload the page and try again. Your saved answers are kept."),
    403: _l("You do not have access to this page."),
    404: _l("The address may be mistyped, or the link may no longer be valid."),
    405: _l("Please use the buttons of the page."),
    409: _l("Please continue from the step where you stopped."),
    410: _l("Please start again from the home page."),
    413: _l("Please shorten your answers and try again. Your saved answers are kept."),
    429: _l("Please wait a moment before trying again."),
    500: _l("Your saved answers are kept. Please try again in a few minutes."),
}


def _retry_after() -> dict[str, str]:
    """Retry-After on a 429 page, when the limit that refused the request says when."""
    seconds = retry_after_seconds()
    return {"Retry-After": str(seconds)} if seconds is not None else {}


def init_app(app: Flask) -> None:
    """Render every HTTP error with the site's layout."""

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> ResponseReturnValue:
        message = _l("The form expired or was sent from elsewhere. Reload the page and try again.")
        return render_template("errors/error.html", code=400, title=TITLES[400], text=message), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        title = TITLES.get(code, error.name)
        text = EXPLANATIONS.get(code, "")
        response = render_template("errors/error.html", code=code, title=title, text=text)
        if code == 405:
            return response, code, error.get_headers()
        if code == 429:
            return response, code, _retry_after()
        return response, code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> ResponseReturnValue:
        app.logger.exception("Unhandled error", exc_info=error)
        db.session.rollback()
        return _http(InternalServerError())
