"""A real HTTP server on loopback that receives webhooks, checks their signatures, and
answers as a test tells it: 200, 500, a redirect, or nothing at all (hanging)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    """One POST as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def payload(self) -> Any:
        return json.loads(self.body)

    def signed_by(self, secret: str) -> bool:
        """Whether the signature header is the HMAC-SHA256 of "<timestamp>.<body>"."""
        timestamp = self.headers.get("x-webhook-timestamp", "")
        expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + self.body, hashlib.sha256)
        given = self.headers.get("x-webhook-signature", "")
        return hmac.compare_digest(given, "sha256=" + expected.hexdigest())


@dataclass
class Behaviour:
    """What the next requests get: `statuses` in turn (then 200), a Location, or a hang."""

    statuses: list[int] = field(default_factory=list)
    location: str = ""
    hang: threading.Event | None = None


class WebhookReceiver:
    """ThreadingHTTPServer on 127.0.0.1 at a free port, recording every POST."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviour = Behaviour()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                with receiver.lock:
                    receiver.received.append(Received(self.path, headers, body))
                    behaviour = receiver.behaviour
                    status = behaviour.statuses.pop(0) if behaviour.statuses else 200
                if behaviour.hang is not None:
                    behaviour.hang.wait(30)
                    return
                self.send_response(status)
                if behaviour.location:
                    self.send_header("Location", behaviour.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hooks/crm"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        if self.behaviour.hang is not None:
            self.behaviour.hang.set()
        self.server.shutdown()
        self.server.server_close()

    def requests(self) -> list[Received]:
        with self.lock:
            return list(self.received)
