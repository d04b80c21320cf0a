"""`flask user create|list|password|disable|enable`, `flask retention purge` and `flask demo seed`.

Every refusal prints one line on standard error and exits with status 1, no traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from assess.cli import demo
from assess.tracker import accounts, gdpr


def _refusals(command: Callable[..., Any]) -> Callable[..., Any]:
    """Account refusals and database failures as one line and exit status 1."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except accounts.AccountError as error:
            raise click.ClickException(str(error)) from None
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise click.ClickException(
                f"database error: {reason} (is the database migrated? flask db upgrade)"
            ) from None

    return wrapper


@click.group("user")
def user() -> None:
    """Back-office accounts."""


def _interactive() -> bool:
    """Whether a person types at a terminal (else the password comes from standard input)."""
    return sys.stdin is not None and sys.stdin.isatty()


def _password(from_stdin: bool) -> str:
    if from_stdin or not _interactive():
        # One line; only the line ending is removed (a password may end with a space).
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise click.ClickException("no password on standard input")
        return line
    return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))


# Shared by the commands that set a password.
PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (the default when it is not a terminal).",
)


@user.command("create")
@click.argument("email")
@click.option(
    "--role",
    default="consultant",
    show_default=True,
    help=f"{' or '.join(accounts.ROLES)}: an admin also manages accounts and reads the audit log.",
)
@click.option("--name", default="", help="The name shown in the back office.")
@PASSWORD_STDIN
@with_appcontext
@_refusals
def create_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create an account; the password is asked twice, hidden."""
    password = _password(password_stdin)
    created = accounts.create_user(email, password, role, name)
    click.echo(f"created {created.email} ({created.role}), id {created.id}")


@user.command("list")
@with_appcontext
@_refusals
def list_command() -> None:
    """Every account: id, e-mail, role, state, name, last login."""
    for account in accounts.all_users():
        state = "active" if account.active else "disabled"
        last = account.last_login_at.isoformat(timespec="minutes") if account.last_login_at else "-"
        click.echo(
            f"{account.id}\t{account.email}\t{account.role}\t{state}\t{account.name or '-'}\t{last}"
        )


@user.command("password")
@click.argument("email")
@PASSWORD_STDIN
@with_appcontext
@_refusals
def password_command(email: str, password_stdin: bool) -> None:
    """Set a new password (asked twice, hidden); the account's sessions end."""
    found = accounts.find_user(email)
    if found is None:
        raise click.ClickException(f"no account with the address {email.strip()!r}")
    accounts.set_password(found.id, _password(password_stdin))
    click.echo(f"{found.email}: password changed, sessions ended")


def _switch(email: str, active: bool) -> None:
    found = accounts.find_user(email)
    if found is None:
        raise click.ClickException(f"no account with the address {email.strip()!r}")
    accounts.set_active(found.id, active)
    click.echo(f"{found.email}: {'enabled' if active else 'disabled'}")


@user.command("disable")
@click.argument("email")
@with_appcontext
@_refusals
def disable_command(email: str) -> None:
    """Disable an account (its sessions end at once)."""
    _switch(email, False)


@user.command("enable")
@click.argument("email")
@with_appcontext
@_refusals
def enable_command(email: str) -> None:
    """Enable an account again."""
    _switch(email, True)


@click.group("retention")
def retention() -> None:
    """Personal data kept no longer than needed."""


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted, delete nothing.")
@with_appcontext
@_refusals
def purge_command(dry_run: bool) -> None:
    """Delete abandoned drafts (RETENTION_DRAFT_DAYS) and old leads (RETENTION_LEAD_MONTHS)."""
    counts = gdpr.purge_expired(dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    drafts = "draft" if counts.drafts == 1 else "drafts"
    leads = "lead" if counts.leads == 1 else "leads"
    click.echo(
        f"{verb} {counts.drafts} {drafts} untouched since {counts.draft_cutoff:%Y-%m-%d} "
        f"and {counts.leads} {leads} without activity since {counts.lead_cutoff:%Y-%m-%d}"
    )


@click.group("demo")
def demo_group() -> None:
    """Demo data for trying the back office (never in production)."""


@demo_group.command("seed")
@click.option("--leads", "count", type=click.IntRange(1, 1_000_000), required=True)
@click.option("--seed", type=int, default=None, help="The same seed gives the same leads.")
@click.option("--months", type=click.IntRange(1, 120), default=12, show_default=True)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day the history ends (default: today); fixes the dates too.",
)
@with_appcontext
@_refusals
def seed_command(count: int, seed: int | None, months: int, today: Any) -> None:
    """Write fake leads that answered, were scored and followed up (no e-mail sent)."""
    if current_app.config.get("APP_ENV") == "production":
        raise click.ClickException("demo data is refused in production (APP_ENV=production)")
    day: date | None = today.date() if today else None

    def progress(done: int) -> None:
        if done % 10_000 == 0 or done == count:
            click.echo(f"  {done:,} / {count:,} leads", err=True)

    summary = demo.seed_demo(count, seed=seed, today=day, months=months, progress=progress)
    click.echo(
        f"seeded {summary.leads:,} leads, {summary.touches:,} touches, {summary.notes:,} notes, "
        f"{summary.events:,} timeline events in {summary.seconds:.1f} s"
    )
