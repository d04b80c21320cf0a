"""`flask worker` (the job consumer) and `flask delivery list|resend ID`."""

from __future__ import annotations

import gc
import os

import click
from flask import current_app
from flask.cli import with_appcontext

from assess.outbox import delivery as deliveries
from assess.outbox import webhooks
from assess.outbox.tasks import huey_of


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Worker threads.")
@with_appcontext
def worker(workers: int) -> None:
    """Run the job consumer: renders reports and sends e-mails.

    It first lowers its own priority (WORKER_NICENESS), before its threads start, so they
    inherit it: rendering PDFs must not slow the respondents' requests on the same machine.
    """
    niceness = min(max(current_app.config["WORKER_NICENESS"], 0), 19)
    if niceness and hasattr(os, "nice"):
        os.nice(niceness)
    # What is loaded now (the app, the questionnaire, the libraries) stays for the process's
    # life: frozen out of the collector's reach, it is not walked again by every collection
    # during a render (a tenth of a report's CPU, bench/README.md).
    gc.collect()
    gc.freeze()
    huey = huey_of(current_app)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True)
    consumer.run()


@click.group("delivery")
def delivery() -> None:
    """See and repair the messages sent about submissions."""


@delivery.command("list")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def list_command(limit: int) -> None:
    """The latest deliveries with their status."""
    for row in deliveries.recent_deliveries(limit):
        sent = row.sent_at.isoformat(timespec="seconds") if row.sent_at else "-"
        error = (row.last_error or "").replace("\n", " ")[:80]
        click.echo(
            f"{row.id}\t{row.kind}\t{row.status}\tattempts={row.attempts}\t{row.recipient}\t"
            f"sent={sent}\t{error}"
        )


@delivery.command("resend")
@click.argument("delivery_id", type=int)
@with_appcontext
def resend_command(delivery_id: int) -> None:
    """Queue a delivery again, whatever its status."""
    if not deliveries.resend(delivery_id):
        raise click.ClickException(f"no delivery {delivery_id}")
    click.echo(f"delivery {delivery_id}: queued")


@click.group("webhooks")
def webhooks_group() -> None:
    """See and repair the webhook posts."""


@webhooks_group.command("list")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def webhooks_list(limit: int) -> None:
    """The latest webhook rows with their status."""
    for row in webhooks.recent_webhooks(limit):
        sent = row.sent_at.isoformat(timespec="seconds") if row.sent_at else "-"
        error = (row.last_error or "").replace("\n", " ")[:80]
        click.echo(
            f"{row.id}\t{row.event}\t{row.status}\tattempts={row.attempts}\t{row.url}\t"
            f"http={row.last_status_code or '-'}\tsent={sent}\t{error}"
        )
