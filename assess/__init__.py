"""webleads-tracker: the diagnostic a consultancy offers, and the tracker of its leads.

`flask --app assess` and `gunicorn 'assess:create_app()'` find the factory here; it lives in
`assess/app.py`, imported only when called so that the domain (`assess.core`) imports without Flask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app (see `assess.app.create_app`)."""
    from assess.app import create_app as build

    return build(test_config)
