"""Outgoing e-mail: build a message from a template folder, send it by SMTP or into the outbox.

Templates live in `templates/email/<name>/` as `subject.txt`, `body.txt` and
`body.html`; names and answers are data passed to them, never template source.
With no SMTP_HOST, messages are written as .eml files to the outbox folder.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import force_locale

from assess.core.single_line import on_one_line


class DeliveryError(Exception):
    """A message that could not be sent; `permanent` says whether retrying can help."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"
    # Content-Type parameters besides the name (an invitation's `method=REQUEST`).
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send; host None means the outbox folder."""

    host: str | None
    port: int
    username: str | None
    password: str | None
    security: str  # "none", "starttls" or "ssl"
    timeout: float
    sender: str
    outbox: Path


@dataclass
class Outgoing:
    """A message ready to compose."""

    template: str
    to_address: str
    to_name: str
    message_id: str
    context: dict[str, Any]
    attachments: list[Attachment] = field(default_factory=list)
    # The language the templates are rendered in (the recipient's); None: the app's default.
    locale: str | None = None
    # Where the recipient's answer goes (the consultant), when not to the sender.
    reply_to: str | None = None
    # More headers, such as List-Unsubscribe (name, value).
    headers: tuple[tuple[str, str], ...] = ()


def settings_from_config(config: Any, instance_path: str) -> SmtpSettings:
    """The SMTP settings of the running app."""
    return SmtpSettings(
        host=config.get("SMTP_HOST") or None,
        port=config["SMTP_PORT"],
        username=config.get("SMTP_USERNAME") or None,
        password=config.get("SMTP_PASSWORD") or None,
        security=config["SMTP_SECURITY"],
        timeout=config["SMTP_TIMEOUT"],
        sender=config["MAIL_FROM"],
        outbox=Path(config.get("OUTBOX_FOLDER") or Path(instance_path) / "outbox"),
    )


def header_safe(value: str) -> str:
    """A value that can stand in a header: no control character (C0 or C1, CR and LF among
    them) and no line or paragraph separator, each run of them turned into one space."""
    return on_one_line(value or "")


def compose(outgoing: Outgoing, sender: str) -> EmailMessage:
    """Render the template folder, in the message's language, into a multipart message
    (needs an app context)."""
    if outgoing.locale is None:
        return _compose(outgoing, sender)
    with force_locale(outgoing.locale):
        return _compose(outgoing, sender)


def _compose(outgoing: Outgoing, sender: str) -> EmailMessage:
    folder = f"email/{outgoing.template}"
    subject = render_template(f"{folder}/subject.txt", **outgoing.context)
    message = EmailMessage()
    message["Subject"] = header_safe(subject)
    message["From"] = sender
    # An Address, not formataddr's string: the policy would parse that string again, decoding
    # its encoded-word, and write a typed ":" or "," back bare (a group of garbage addresses).
    message["To"] = Address(
        display_name=header_safe(outgoing.to_name), addr_spec=header_safe(outgoing.to_address)
    )
    message["Message-ID"] = outgoing.message_id
    message["Date"] = format_datetime(datetime.now(UTC))
    if outgoing.reply_to:
        message["Reply-To"] = header_safe(outgoing.reply_to)
    for name, value in outgoing.headers:
        message[name] = header_safe(value)
    message.set_content(render_template(f"{folder}/body.txt", **outgoing.context))
    message.add_alternative(
        render_template(f"{folder}/body.html", **outgoing.context), subtype="html"
    )
    for attachment in outgoing.attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=header_safe(attachment.filename),
            params=dict(attachment.params),
        )
    return message


def send(message: EmailMessage, settings: SmtpSettings) -> None:
    """Send by SMTP (always with a timeout), or write to the outbox when no host is set."""
    if settings.host is None:
        _write_to_outbox(message, settings.outbox)
        return
    try:
        _send_smtp(message, settings)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        raise DeliveryError(
            f"recipient refused: {error.recipients}", permanent=min(codes) >= 500
        ) from None
    except smtplib.SMTPResponseException as error:
        reply = (
            error.smtp_error.decode(errors="replace")
            if isinstance(error.smtp_error, bytes)
            else str(error.smtp_error)
        )
        raise DeliveryError(
            f"SMTP {error.smtp_code}: {reply}", permanent=error.smtp_code >= 500
        ) from None
    except (TimeoutError, smtplib.SMTPException, OSError) as error:
        raise DeliveryError(f"{type(error).__name__}: {error}", permanent=False) from None


def _send_smtp(message: EmailMessage, settings: SmtpSettings) -> None:
    if settings.host is None:
        raise DeliveryError("no SMTP host", permanent=True)
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=ssl.create_default_context(),
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    with client:
        if settings.security == "starttls":
            client.starttls(context=ssl.create_default_context())
        if settings.username:
            client.login(settings.username, settings.password or "")
        client.send_message(message)


def _write_to_outbox(message: EmailMessage, outbox: Path) -> None:
    outbox.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>"))
    (outbox / f"{name}.eml").write_bytes(message.as_bytes())
