"""The app factory: a short list of registrations."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from flask import Flask

from assess import config, i18n
from assess.cli.backoffice import demo_group, retention, user
from assess.cli.report import report
from assess.cli.worker import delivery as delivery_group
from assess.cli.worker import webhooks_group, worker
from assess.db import database, questionnaire_store
from assess.extensions import csrf, db, migrate
from assess.outbox import delivery, tasks, webhooks
from assess.report import publication
from assess.respondent import confirmation as address_confirmation
from assess.tracker import account_links, follow_up
from assess.web import observability, routing, security
from assess.web.views import (
    backoffice,
    booking,
    confirmation,
    errors,
    reassessment,
    results,
    team,
    unsubscribe,
    wizard,
)

ROOT = Path(__file__).resolve().parent.parent
# The modules that declare the worker's tasks with `@tasks.task` (importing them registers them).
TASK_MODULES = (delivery, webhooks, address_confirmation, account_links, follow_up)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, the questionnaire, blueprints."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    # Ids in URLs stop at the database's integer range: a longer one is a 404, not a 500.
    app.url_map.converters["int"] = routing.DatabaseId
    config.load_config(app, test_config, on_error=_stop)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    database.init_app(app)
    observability.init_app(app)
    security.init_app(app)
    csrf.init_app(app)
    i18n.init_app(app, on_error=_stop)
    questionnaire_store.init_app(app, on_error=_stop)
    publication.init_app(app, on_error=_stop)
    tasks.init_app(app)
    webhooks.init_app(app, on_error=_stop)
    errors.init_app(app)
    app.register_blueprint(wizard.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(reassessment.bp)
    app.register_blueprint(team.bp)
    app.register_blueprint(confirmation.bp)
    app.register_blueprint(booking.bp)
    app.register_blueprint(unsubscribe.bp)
    backoffice.init_app(app)
    security.apply_rate_limits(app)
    app.cli.add_command(report)
    app.cli.add_command(worker)
    app.cli.add_command(delivery_group)
    app.cli.add_command(webhooks_group)
    app.cli.add_command(user)
    app.cli.add_command(retention)
    app.cli.add_command(demo_group)
    return app


def _stop(message: str) -> None:
    """A questionnaire or a catalogue that cannot be served stops the app, listing every problem."""
    print(message, file=sys.stderr)
    raise SystemExit(1)
