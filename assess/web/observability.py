"""Request ids in every log line and response, JSON logs on request, and /healthz."""

from __future__ import annotations

import json
import logging
import re
import secrets
from typing import Any

from flask import Flask, Response, g, has_request_context, jsonify, request
from sqlalchemy import text

from assess.extensions import db
from assess.outbox.tasks import huey_of

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to every record ("-" outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request id, message."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    """Tag requests, configure the app's log format, add /healthz."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if app.config["LOG_JSON"]:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    app.logger.handlers[:] = [handler]
    app.logger.setLevel(logging.INFO)

    @app.before_request
    def _tag_request() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else secrets.token_hex(8)

    @app.after_request
    def _echo_request_id(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        return response

    @app.get("/healthz")
    def healthz() -> Any:
        """Database and job queue reachable: 200, else 503 with what failed."""
        checks: dict[str, str] = {}
        try:
            db.session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as error:  # any failure means "not healthy"
            checks["database"] = f"error: {type(error).__name__}"
        finally:
            db.session.rollback()
        try:
            huey_of(app).storage.queue_size()
            checks["queue"] = "ok"
        except Exception as error:  # any failure means "not healthy"
            checks["queue"] = f"error: {type(error).__name__}"
        healthy = all(value == "ok" for value in checks.values())
        return jsonify(status="ok" if healthy else "error", **checks), 200 if healthy else 503
