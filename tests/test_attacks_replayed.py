"""Issue 15's final check: each attack replayed against the running app after the fix.

The real parts, no mocks: gunicorn with production's settings file and 2 workers, the job
worker process (`flask --app assess worker`), an aiosmtpd server on loopback and a webhook
receiver, on a throw-away database: SQLite, or, when TEST_DATABASE_URL is set (the CI's
PostgreSQL pass), a database `<name>_replay` created on that server for this module and
dropped after. The database is migrated and the admin created by the CLI, as an operator
does. Every attack then goes over HTTP only (urllib, a cookie jar per browser, CSRF tokens
parsed from the pages, the wizard's form contract), and each test checks that the attack
fails and that the legitimate path next to it still works. Starts that must fail (a hostile
questionnaire, a colour that injects CSS) run gunicorn on their own, with a time and a
memory limit.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import resource
import secrets
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request

import psycopg
import pytest
import redis
from huey import RedisHuey
from psycopg import sql
from sqlalchemy.engine import make_url

from bench.load import form_values
from bench.server import BIN, CSRF, PRODUCTION_CONFIG, ROOT, Browser, Server, bench_environment
from bench.server import gunicorn as serve
from tests.helpers.ports import free_port
from tests.helpers.smtp_server import SmtpServer
from tests.helpers.webhook_receiver import WebhookReceiver
from tests.helpers.worker_process import Worker, wait_for

PERSONAS = ROOT / "tests" / "personas"
HOSTILE = ROOT / "tests" / "fixtures" / "hostile"
ADMIN = "admin@replay.example.com"
ADMIN_PASSWORD = "Vingt-sept hérons rouges au bord du Lez"
CONSULTANT = "consultant@replay.example.com"
NBSP = "\u00a0"
# French typography puts a narrow no-break space before : ; ! ? (assess/core/typography.py).
NNBSP = "\u202f"
# Generous deadlines for the worker: it renders PDF reports on a 2-core machine.
MAIL_DEADLINE = 120.0
# Once the awaited message is in, how long anything sent alongside it has to show up.
SETTLE_SECONDS = 3.0
PHISHING = "Sécurité : votre compte expire, reconnectez-vous sur https://evil.example"
# What of a phishing text may never reach a message sent before the address is confirmed.
TYPED = ("evil.example", "Sécurité", "compte expire", "reconnectez")
SINGLE_LINE = "Merci d'écrire sur une seule ligne, sans caractères spéciaux."
LINK_INVALID = "Ce lien n'est plus valide"
# gunicorn with a hostile file must stop within this, using at most this much memory.
START_TIMEOUT = 60
START_MEMORY = 1 << 30


# --- HTTP ------------------------------------------------------------------------------------


@dataclass
class Page:
    """A response as the browser ended on it (redirects followed)."""

    status: int
    url: str
    text: str
    headers: Message

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def plain(self) -> str:
        """The page as text to search: entities decoded, no-break spaces as spaces."""
        return html.unescape(self.text).replace(NBSP, " ").replace(NNBSP, " ")


def csrf_of(page: Page) -> str:
    found = CSRF.search(page.text)
    assert found, f"no CSRF token on {page.url} ({page.status})"
    return found.group(1)


class Client(Browser):
    """bench's browser (a cookie jar, loopback only) that also returns 4xx and 5xx pages."""

    def open(
        self,
        path: str,
        data: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Page:
        body = urlencode(data).encode() if data is not None else None
        request = Request(self.base + path, data=body, headers=dict(headers or {}))  # noqa: S310
        try:
            with self.opener.open(request, timeout=60) as response:
                return Page(
                    response.status, response.geturl(), response.read().decode(), response.headers
                )
        except HTTPError as error:
            with error:
                return Page(error.code, error.geturl(), error.read().decode(), error.headers)

    def submit(self, page: Page, data: Mapping[str, str], action: str | None = None) -> Page:
        """POST a form with the CSRF token of `page`, to `action` or back to the page."""
        return self.open(action or page.path, {**data, "csrf_token": csrf_of(page)})

    def copy_to(self, other: Client) -> None:
        """Every cookie of this browser into another one's jar, as a thief would copy them."""
        for cookie in self.jar:
            other.jar.set_cookie(copy.copy(cookie))


# --- the running app -------------------------------------------------------------------------


@dataclass
class Live:
    """The running app and what stands around it."""

    server: Server
    smtp: SmtpServer
    receiver: WebhookReceiver
    worker: Worker
    database_url: str

    @property
    def on_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def client(self) -> Client:
        return Client(self.server.base)

    def flask(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """A CLI command with the server's environment."""
        return subprocess.run(
            [str(BIN / "flask"), "--app", "assess", *args],
            cwd=ROOT,
            env=self.server.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    def logs(self) -> str:
        """The ends of the server's and the worker's logs, for a failing assertion."""
        tails = []
        for log in (self.server.log, self.worker.log):
            text = log.read_text(errors="replace") if log.exists() else ""
            tails.append(f"--- {log.name}\n{text[-4000:]}")
        return "\n".join(tails)

    def messages_to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.smtp.recorder.received() if address.lower() in str(m["To"]).lower()]

    def wait_for_mail(self, address: str, count: int = 1) -> list[EmailMessage]:
        """The messages to `address` once at least `count` arrived."""
        arrived = wait_for(lambda: len(self.messages_to(address)) >= count, MAIL_DEADLINE)
        received = [str(m["To"]) for m in self.smtp.recorder.received()]
        assert arrived, f"{count} message(s) to {address} never arrived: {received}\n{self.logs()}"
        return self.messages_to(address)


@contextmanager
def throwaway_database(folder: Path) -> Iterator[str]:
    """SQLite in `folder`, or a fresh PostgreSQL database beside TEST_DATABASE_URL's."""
    given = os.environ.get("TEST_DATABASE_URL")
    if not given:
        yield f"sqlite:///{folder / 'replay.sqlite3'}"
        return
    url = make_url(given)
    name = f"{url.database}_replay"
    server = url.set(drivername="postgresql", database="postgres")

    def run(statement: str) -> None:
        with psycopg.connect(server.render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(sql.SQL(statement).format(sql.Identifier(name)))

    run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
    run("CREATE DATABASE {}")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        run("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def clear_redis(redis_url: str, prefix: str) -> None:
    """The shared Redis holds no job of another run for this module's worker, and keeps none
    of this module's jobs or rate-limit counters (named by `prefix`) afterwards."""
    if not redis_url:
        return
    client = redis.Redis.from_url(redis_url)
    RedisHuey("assess", url=redis_url, results=False).flush()
    counters = list(client.scan_iter(match=f"*/{prefix}/*", count=1000))
    if counters:
        client.delete(*counters)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """gunicorn (2 workers), the job worker and a loopback SMTP server on a migrated database
    with one admin, for the whole module."""
    folder = tmp_path_factory.mktemp("replay")
    smtp = SmtpServer().start()
    receiver = WebhookReceiver().start()
    redis_url = os.environ.get("TEST_REDIS_URL", "")
    prefix = f"replay-{secrets.token_hex(4)}"
    clear_redis(redis_url, prefix)
    settings = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp.port),
        "SMTP_TIMEOUT": "5",
        "CONSULTANT_EMAIL": CONSULTANT,
        "DELIVERY_RETRY_BASE_SECONDS": "1",
        "REDIS_URL": redis_url,
        "RATELIMIT_KEY_PREFIX": prefix,
        # Every browser here comes from 127.0.0.1: the limits per client address are raised
        # (tests/test_security.py and test_confirmation.py replay those limits).
        "RATELIMIT_START": "1000 per hour",
        "RATELIMIT_CONFIRM": "1000 per hour",
        "RATELIMIT_LOGIN": "1000 per hour",
        "RATELIMIT_LOGIN_ACCOUNT": "1000 per hour",
        # The NAT64 form of 127.0.0.1, at the port the receiver listens on.
        "WEBHOOK_URLS": f"http://[64:ff9b::7f00:1]:{receiver.port}/hooks/crm",
        "WEBHOOK_SECRET": secrets.token_hex(16),
    }
    try:
        with (
            throwaway_database(folder) as database_url,
            pytest.MonkeyPatch.context() as environment,
        ):
            environment.delenv("WEBHOOK_ALLOW_PRIVATE", raising=False)
            with serve(
                workers=2,
                database_url=database_url,
                app="assess:create_app()",
                settings=settings,
                folder=folder,
                config=PRODUCTION_CONFIG,
            ) as server:
                assert "WEBHOOK_ALLOW_PRIVATE" not in server.env
                worker = Worker(server.env, folder / "worker.log").start()
                try:
                    found = Live(server, smtp, receiver, worker, database_url)
                    created = found.flask(
                        "user",
                        "create",
                        ADMIN,
                        "--role",
                        "admin",
                        "--password-stdin",
                        stdin=ADMIN_PASSWORD + "\n",
                    )
                    assert created.returncode == 0, created.stderr
                    yield found
                finally:
                    worker.stop()
    finally:
        receiver.stop()
        smtp.stop()
        clear_redis(redis_url, prefix)


# --- what a person does ----------------------------------------------------------------------


def persona(name: str) -> dict[str, Any]:
    return dict(json.loads((PERSONAS / f"{name}.json").read_text())["answers"])


def unique() -> str:
    return secrets.token_hex(5)


def contact(first: str, last: str, email: str, **more: str) -> dict[str, str]:
    """The contact step's fields as a respondent fills them in."""
    return {
        "first_name": first,
        "last_name": last,
        "email": email,
        "company": f"{last} SARL",
        "job_title": "Dirigeant",
        "phone": "",
        "company_size": "pe",
        "sector": "industrie",
        "consent": "y",
        **more,
    }


def start(browser: Client) -> Page:
    """The landing page, then Start: the first step."""
    page = browser.submit(browser.open("/"), {}, action="/start")
    assert page.status == 200 and page.path.startswith("/step/"), (page.status, page.url)
    return page


def answer_until(browser: Client, page: Page, answers: dict[str, Any], stop: str) -> Page:
    """Answer each section page from `page` on, until the page whose path is `stop`."""
    for _ in range(30):
        if page.path == stop:
            return page
        assert page.status == 200 and page.path.startswith("/step/"), (page.status, page.url)
        pairs = form_values(answers, page.text)
        page = browser.open(page.path, [*pairs, ("csrf_token", csrf_of(page))])
    raise AssertionError(f"never reached {stop}: {page.url}")


def complete(
    browser: Client,
    details: dict[str, str],
    answers: str = "pme_industrielle",
    page: Page | None = None,
) -> Page:
    """Run the wizard to the end (from `page`, or from the landing page); the results page."""
    contact_page = answer_until(browser, page or start(browser), persona(answers), "/step/contact")
    results = browser.submit(contact_page, details)
    assert results.status == 200 and results.path.startswith("/results/"), (
        results.status,
        results.url,
        results.plain[:1500],
    )
    return results


def settle() -> None:
    """Give the worker the time to send anything it were to send along with the message just
    awaited: what is absent after this was not sent (nothing is asserted about the time)."""
    time.sleep(SETTLE_SECONDS)


def path_in(text: str, prefix: str) -> str:
    """The path of the first absolute link starting with `prefix` in a text."""
    found = re.search(rf"https?://[^/\s\"<>]+({re.escape(prefix)}[A-Za-z0-9_.\-]+)", text)
    assert found, f"no {prefix} link in: {text[:2000]}"
    return found.group(1)


def text_of(message: EmailMessage) -> str:
    """The subject and every text part of a message."""
    parts = [str(message["Subject"])]
    parts += [p.get_content() for p in message.walk() if p.get_content_maintype() == "text"]
    return "\n".join(parts)


def plain_body(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def confirm_by_mail(live: Live, address: str) -> Page:
    """Open the link of the confirmation e-mail and press its button."""
    [message] = live.wait_for_mail(address)
    visitor = live.client()
    link = path_in(plain_body(message), "/confirm/")
    asked = visitor.open(link)
    assert asked.status == 200 and address in asked.plain, (asked.status, asked.plain[:1500])
    confirmed = visitor.submit(asked, {})
    assert confirmed.status == 200 and "confirmée" in confirmed.plain, confirmed.plain[:1500]
    return confirmed


def log_in(live: Live) -> Client:
    """A browser logged in to the back office as the admin, through the login form."""
    browser = live.client()
    done = browser.submit(
        browser.open("/backoffice/login"), {"email": ADMIN, "password": ADMIN_PASSWORD}
    )
    assert done.status == 200 and done.path == "/backoffice/leads", (done.status, done.url)
    return browser


def lead_id_of(admin: Client, email: str) -> int:
    """The id of the lead with this address, from the back office's search."""
    page = admin.open(f"/backoffice/leads?q={quote(email)}")
    assert page.status == 200
    ids = set(re.findall(r'href="/backoffice/leads/(\d+)"', page.text))
    assert len(ids) == 1, (email, ids)
    return int(ids.pop())


def delete_lead(admin: Client, lead_id: int, company: str) -> None:
    """The GDPR deletion form of the lead page, its company name typed to confirm."""
    lead_page = admin.open(f"/backoffice/leads/{lead_id}")
    assert lead_page.status == 200
    done = admin.submit(
        lead_page, {"confirm_company": company}, f"/backoffice/leads/{lead_id}/delete"
    )
    assert done.status == 200 and done.path == "/backoffice/leads", (done.status, done.url)
    assert admin.open(f"/backoffice/leads/{lead_id}").status == 404


# --- 1. a deleted lead's link -----------------------------------------------------------------


def test_a_deleted_leads_reassessment_link_does_not_open_the_next_lead(live: Live) -> None:
    tag = unique()
    alice = contact("Alice", f"Aubert{tag}", f"alice.{tag}@example.com", phone="01 11 11 11 11")
    bob = contact(
        "Bob",
        f"Bernard{tag}",
        f"bob.{tag}@example.com",
        phone="07 98 76 54 32",
        job_title=f"Directeur commercial {tag}",
    )
    browser = live.client()
    results = complete(browser, alice)
    confirm_by_mail(live, alice["email"])
    # Confirmed: the report comes, with the re-assessment link, the one the results page shows.
    messages = live.wait_for_mail(alice["email"], 2)
    [report] = [m for m in messages if list(m.iter_attachments())]
    # Her links: the one of the report e-mail and the one the results page shows (signed
    # again at each page, the same key in both).
    links = [
        path_in(plain_body(report), "/again/"),
        path_in(browser.open(results.path).text, "/again/"),
    ]
    for link in links:
        welcome = live.client().open(link)
        assert welcome.status == 200 and "Bon retour, Alice" in welcome.plain  # the link works

    admin = log_in(live)
    alice_id = lead_id_of(admin, alice["email"])
    delete_lead(admin, alice_id, alice["company"])
    complete(live.client(), bob, "startup_tech")
    assert lead_id_of(admin, bob["email"]) != alice_id  # her id is never given again

    for link in links:
        holder = live.client()
        page = holder.open(link)
        assert page.status == 404 and LINK_INVALID in page.plain, (page.status, page.plain[:1500])
        started = holder.open(link, {"csrf_token": csrf_of(holder.open("/"))})
        assert started.status == 404 and LINK_INVALID in started.plain
        for shown in (page, started, holder.open("/continue"), holder.open("/step/contact")):
            for value in (
                "Bob",
                bob["last_name"],
                bob["email"],
                bob["phone"],
                bob["job_title"],
                bob["company"],
            ):
                assert value not in shown.plain, (shown.url, value)


# --- 2. logout ---------------------------------------------------------------------------------


def is_login_page(page: Page) -> bool:
    return (
        page.status == 200 and page.path == "/backoffice/login" and 'name="password"' in page.text
    )


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(live: Live) -> None:
    """Also not when the copy claims the victim's address in a forged X-Forwarded-For."""
    victim = log_in(live)
    thief = live.client()
    victim.copy_to(thief)
    before = thief.open("/backoffice/leads")
    assert before.status == 200 and before.path == "/backoffice/leads"  # the copy is a real one
    assert not is_login_page(before)
    out = victim.submit(victim.open("/backoffice/leads"), {}, "/backoffice/logout")
    assert is_login_page(out)
    for headers in (
        {},
        {"X-Forwarded-For": "127.0.0.1"},
        {"X-Forwarded-For": "203.0.113.7, 127.0.0.1"},
    ):
        for path in ("/backoffice/leads", "/backoffice/analytics"):
            page = thief.open(path, headers=headers)
            assert is_login_page(page), (headers, path, page.status, page.url)
            assert ADMIN not in page.text
    assert is_login_page(victim.open("/backoffice/leads"))
    assert log_in(live).open("/backoffice/leads").status == 200  # logging in again works


# --- 3. the mail relay -------------------------------------------------------------------------


def test_the_app_is_no_mail_relay_a_strangers_address_gets_only_the_fixed_confirmation(
    live: Live,
) -> None:
    """A phishing text as name and company, a stranger's address, 20 team invitations: before
    its owner confirms, the address gets one fixed e-mail, nobody gets anything else."""
    tag = unique()
    stranger = f"victime.{tag}@example.com"
    details = contact(PHISHING, PHISHING, stranger, company=PHISHING, job_title=PHISHING)
    colleagues = [f"collegue{n}.{tag}@example.com" for n in range(20)]
    browser = live.client()
    results = complete(browser, details)
    team_path = results.path + "/team"
    team = browser.open(team_path)
    assert team.status == 200
    # All twenty at once: over the limit, refused beside the field, nothing saved.
    twenty = browser.submit(team, {"emails": "\n".join(colleagues)})
    assert twenty.status == 422 and "Vous pouvez inviter 10 personnes au plus." in twenty.plain
    # One at a time: the first ten wait for the confirmation, the others are refused.
    posted = [browser.submit(team, {"emails": address}) for address in colleagues]
    assert [page.status for page in posted] == [200] * 10 + [422] * 10
    for page in posted[:10]:
        assert "1 invitation enregistrée : elle partira dès que vous aurez confirmé" in page.plain
    for page in posted[10:]:
        assert "Vous pouvez inviter 10 personnes au plus." in page.plain
    waiting = browser.open(team_path).plain
    assert "10 personnes invitées jusqu'ici." in waiting
    assert "Vos invitations partiront dès que vous aurez confirmé votre adresse" in waiting

    # The worker renders the report ahead (the results page then offers the PDF) and sends
    # the confirmation; anything else it were to send would come with them.
    assert wait_for(lambda: "report.pdf" in browser.open(results.path).text, MAIL_DEADLINE), (
        live.logs()
    )
    [confirmation] = live.wait_for_mail(stranger)
    settle()
    assert [str(m["To"]) for m in live.messages_to(stranger)] == [stranger]
    assert not any(live.messages_to(address) for address in colleagues)
    assert not list(confirmation.iter_attachments())
    assert str(confirmation["Subject"]) == f"DC Pilot{NNBSP}: confirmez votre adresse e-mail"
    assert not any(typed in text_of(confirmation) for typed in TYPED), text_of(confirmation)
    [notification] = [m for m in live.messages_to(CONSULTANT) if stranger in text_of(m)]
    assert not any(typed in str(notification["Subject"]) for typed in TYPED)
    page = browser.open(results.path)
    assert "Score global" in page.plain
    assert f"Confirmez votre adresse : nous vous avons envoyé un lien à {stranger}" in page.plain

    # Its owner confirms: the report comes, and at most the limit of invitations, each saying
    # who asked (the confirmed address only) and how to report it.
    confirm_by_mail(live, stranger)
    live.wait_for_mail(stranger, 2)
    assert wait_for(lambda: sum(bool(live.messages_to(a)) for a in colleagues) >= 10, MAIL_DEADLINE)
    settle()
    [_, report] = live.messages_to(stranger)
    assert len(list(report.iter_attachments())) == 1
    invitations = [m for address in colleagues for m in live.messages_to(address)]
    assert len(invitations) == 10
    assert {str(m["To"]) for m in invitations} == set(colleagues[:10])
    for message in invitations:
        body = text_of(message)
        assert stranger in body
        assert f"Vous ne connaissez pas cette personne{NNBSP}? Signalez-le" in body
        assert re.search(r"https?://\S+/team/[A-Za-z0-9_\-]+/unwanted", body), body
        assert not any(typed in body for typed in TYPED), body
    for message in [report, *invitations]:
        assert not any(typed in str(message["Subject"]) for typed in TYPED), message["Subject"]
    # The name typed goes only into the report's own To, as a display name: one address, the
    # confirmed one (formataddr's string went out as a group of made-up addresses).
    # (Python's folding may double a space inside a long encoded name: compared word by word.)
    [to] = report["To"].addresses
    assert (to.addr_spec, to.display_name.split()) == (stranger, f"{PHISHING} {PHISHING}".split())


# --- 4. a shared resume link ------------------------------------------------------------------


def resume_link(page: Page) -> str:
    found = re.search(
        r'class="resume-link" type="text" readonly value="https?://[^/"]+(/resume/[^"]+)"',
        page.text,
    )
    assert found, f"no resume link on {page.url}"
    return found.group(1)


def test_a_shared_resume_link_is_not_a_window_on_the_results_of_whoever_finishes(
    live: Live,
) -> None:
    tag = unique()
    other = contact(
        "Bérénice", f"Lemarchand{tag}", f"berenice.{tag}@example.com", phone="06 55 44 33 22"
    )
    sender, recipient = live.client(), live.client()
    first = start(sender)
    answers = persona("pme_industrielle")
    second = sender.open(
        first.path, [*form_values(answers, first.text), ("csrf_token", csrf_of(first))]
    )
    assert second.status == 200 and second.path != first.path
    link = resume_link(second)

    landing = recipient.open(link)  # what a link preview would fetch: nothing moves
    assert landing.status == 200 and "Poursuivre votre diagnostic ici" in landing.plain
    moved = recipient.open(link, [("csrf_token", csrf_of(landing))])
    assert moved.status == 200 and moved.path == second.path  # the draft moved there
    results = complete(recipient, other, "startup_tech", page=moved)
    token = results.path.rsplit("/", 1)[-1]
    assert "Score global" in results.plain

    continued = sender.open("/continue")
    assert continued.status == 200 and continued.path == "/", continued.url
    last = re.findall(r"/step/([a-z_]+)", second.text)
    for path in (
        "/continue",
        "/",
        first.path,
        second.path,
        "/step/contact",
        link,
        *{f"/step/{s}" for s in last},
    ):
        page = sender.open(path)
        assert page.status < 500, (path, page.status)
        assert token not in page.text and not page.path.startswith("/results/"), path
        for value in (
            other["email"],
            other["last_name"],
            other["phone"],
            other["company"],
            "Bérénice",
        ):
            assert value not in page.plain, (path, value)
    old = sender.open(second.path)
    assert old.status == 404 and "se poursuit dans un autre navigateur" in old.plain


# --- 5. Unicode line separators ----------------------------------------------------------------


def test_line_separators_in_a_contact_field_get_the_single_line_message_and_send_nothing(
    live: Live,
) -> None:
    tag = unique()
    details = contact("Jean", f"Dupont{tag}", f"jean.{tag}@example.com")
    browser = live.client()
    page = answer_until(browser, start(browser), persona("artisan_tpe"), "/step/contact")
    attempts = [
        {"first_name": "Jean\u2028Bcc: victime@example.com"},
        {"first_name": "Jean\x85Dupont"},
        {"first_name": "Jean\u2029Dupont"},
        {"last_name": "Du\u2028pont", "company": "Dupont\x85SARL", "job_title": "Gé\u2029rant"},
    ]
    for changed in attempts:
        refused = browser.submit(page, {**details, **changed})
        assert refused.status == 422 and refused.path == "/step/contact", (changed, refused.status)
        for field in changed:
            beside = re.search(
                rf'<p class="field-error" id="err-{field}">([^<]*)</p>', refused.text
            )
            assert beside and html.unescape(beside.group(1)) == SINGLE_LINE, (
                field,
                refused.plain[:2000],
            )
        page = refused
    assert browser.open("/continue").path == "/step/contact"  # nothing completed

    # The same details on one line: completed, and the one message sent is the confirmation.
    results = browser.submit(page, details)
    assert results.status == 200 and results.path.startswith("/results/")
    live.wait_for_mail(details["email"])
    settle()
    [confirmation] = live.messages_to(details["email"])
    assert "confirmez votre adresse" in str(confirmation["Subject"])
    for message in live.smtp.recorder.received():
        for separator in ("\u2028", "\u2029", "\x85"):
            assert separator not in text_of(message)


# --- 6. a team link answered twice ------------------------------------------------------------


def test_a_team_link_posted_twelve_times_at_once_is_answered_once(live: Live) -> None:
    tag = unique()
    executive = contact("Hélène", f"Garnier{tag}", f"helene.{tag}@example.com")
    member = f"vendeur.{tag}@example.com"
    browser = live.client()
    results = complete(browser, executive, "services_b2b_structure")
    confirm_by_mail(live, executive["email"])
    team = browser.open(results.path + "/team")
    assert browser.submit(team, {"emails": member}).status == 200
    [invitation] = live.wait_for_mail(member)
    link = next(
        path
        for path in re.findall(
            r"https?://[^/\s]+(/team/[A-Za-z0-9_\-]+)(\S*)", plain_body(invitation)
        )
        if not path[1]
    )[0]
    members = [live.client() for _ in range(12)]
    forms = [m.open(link) for m in members]
    assert all(form.status == 200 for form in forms)
    answers = persona("negoce_historique")
    barrier = threading.Barrier(len(members))
    pages: list[Page] = []
    lock = threading.Lock()

    def post(browser: Client, form: Page) -> None:
        data = [*form_values(answers, form.text), ("csrf_token", csrf_of(form))]
        barrier.wait()
        page = browser.open(link, data)
        with lock:
            pages.append(page)

    threads = [
        threading.Thread(target=post, args=pair) for pair in zip(members, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(page.status for page in pages) == [200] + [409] * 11, [p.status for p in pages]
    for page in pages:
        if page.status == 409:
            assert "Vos réponses sont déjà enregistrées" in page.plain
        else:
            assert "Vos réponses sont enregistrées" in page.plain
    assert "Vos réponses sont déjà enregistrées" in live.client().open(link).plain


# --- 7. resource limits ----------------------------------------------------------------------


def expected_problem(path: Path) -> tuple[int, str]:
    """The line a hostile file must be refused at and a fragment of the message (its header:
    `# expect: <line>: <fragment>`)."""
    found = re.match(r"# expect: (\d+): (.+)", path.read_text().splitlines()[0])
    assert found, path
    return int(found.group(1)), found.group(2).strip()


def _bounded() -> None:
    """In the child before gunicorn runs: a regression cannot take more than this memory."""
    resource.setrlimit(resource.RLIMIT_AS, (START_MEMORY, START_MEMORY))


def failed_start(folder: Path, settings: dict[str, str]) -> tuple[int, str]:
    """Start gunicorn as production does (2 workers) with these settings; its exit status and
    output. It must stop by itself: one still running after START_TIMEOUT is killed and fails."""
    env = {**bench_environment(folder, os.environ.get("TEST_DATABASE_URL")), **settings}
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            str(PRODUCTION_CONFIG),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{free_port()}",
            "assess:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        preexec_fn=_bounded,
    )
    try:
        output, _ = process.communicate(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        output, _ = process.communicate()
        raise AssertionError(f"still running after {START_TIMEOUT} s:\n{output[-3000:]}") from None
    return process.returncode, output


@pytest.mark.parametrize("name", ["billion_laughs.yaml", "power_in_when.yaml"])
def test_a_hostile_questionnaire_stops_gunicorn_at_its_line_without_a_traceback(
    name: str, tmp_path: Path
) -> None:
    """An alias bomb (a billion nodes) and `9**999999999 > 1` (hung the loader): the server
    stops at once, within its time and memory limits, naming the file and the line."""
    path = HOSTILE / name
    line, fragment = expected_problem(path)
    status, output = failed_start(tmp_path, {"ASSESS_QUESTIONNAIRE": str(path)})
    assert status != 0, output
    assert f"{path}:{line}: " in output and fragment in output, output[-3000:]
    assert "Traceback" not in output and "MemoryError" not in output, output[-3000:]


# --- 8. the smaller ones -----------------------------------------------------------------------


def test_parameters_the_lead_list_does_not_know_never_reach_its_links(live: Live) -> None:
    """`separator=`, `endpoint=`, `_method=`... went to url_for: a 500."""
    queries = [
        "separator=semicolon",
        "endpoint=backoffice.users",
        "_method=POST",
        "_external=1",
        "_anchor=x",
        "_scheme=javascript",
        "separator=semicolon&endpoint=x&_method=DELETE&status=new",
    ]
    admin = log_in(live)
    stranger = live.client()
    for query in queries:
        for path in ("/backoffice/leads", "/backoffice/leads/export.csv"):
            page = admin.open(f"{path}?{query}")
            assert page.status == 200 and page.path == path, (path, query, page.status)
            assert "endpoint=" not in page.text and "_method=" not in page.text, (path, query)
            assert "javascript:" not in page.text
            assert is_login_page(stranger.open(f"{path}?{query}"))


def test_a_forged_host_header_gets_a_400_and_no_link_to_it(live: Live) -> None:
    browser = live.client()
    port = urlsplit(live.server.base).port
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}"):
        for path in ("/", "/backoffice/login", "/resume/anything"):
            page = browser.open(path, headers={"Host": host})
            assert page.status == 400, (host, path, page.status)
            assert "evil.example" not in page.text
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        page = browser.open("/", headers={"Host": host})
        assert page.status == 200, (host, page.status)


def cache_directives(page: Page) -> set[str]:
    return {part.strip().lower() for part in page.headers.get("Cache-Control", "").split(",")}


def test_the_results_and_lead_pages_are_kept_out_of_shared_caches(live: Live) -> None:
    tag = unique()
    details = contact("Inès", f"Caron{tag}", f"ines.{tag}@example.com")
    browser = live.client()
    results = complete(browser, details)
    assert {"private", "no-store"} <= cache_directives(browser.open(results.path))
    assert {"private", "no-store"} <= cache_directives(browser.open(results.path + "/team"))
    admin = log_in(live)
    lead_id = lead_id_of(admin, details["email"])
    lead_page = admin.open(f"/backoffice/leads/{lead_id}")
    assert lead_page.status == 200 and details["email"] in lead_page.plain
    assert {"private", "no-store"} <= cache_directives(lead_page)
    assert {"private", "no-store"} <= cache_directives(admin.open("/backoffice/leads"))


WEBHOOK_ROW = re.compile(
    r"<td>(?P<event>[a-z_.]+)</td><td><code>(?P<url>[^<]*)</code></td>\s*"
    r'<td data-state="(?P<status>[a-z]+)">[^<]*</td><td>(?P<attempts>\d+)</td>'
    r"<td>[^<]*</td><td>(?:<code>)?(?P<error>[^<]*)(?:</code>)?</td>"
)


def webhook_rows(admin: Client) -> list[dict[str, str]]:
    page = admin.open("/backoffice/webhooks")
    assert page.status == 200
    return [m.groupdict() for m in WEBHOOK_ROW.finditer(page.text)]


def test_a_webhook_to_the_nat64_form_of_loopback_is_refused_as_private(live: Live) -> None:
    """`http://[64:ff9b::7f00:1]:<port>/` carries 127.0.0.1: it counted as public. The receiver
    listens on 127.0.0.1 at that port and must never hear from the app."""
    admin = log_in(live)
    before = len(webhook_rows(admin))
    tag = unique()
    complete(live.client(), contact("Noé", f"Vidal{tag}", f"noe.{tag}@example.com"))

    def settled() -> bool:
        rows = webhook_rows(admin)
        return len(rows) > before and all(row["status"] in {"sent", "failed"} for row in rows)

    assert wait_for(settled, MAIL_DEADLINE), (webhook_rows(admin), live.logs())
    rows = webhook_rows(admin)
    assert {"submission.completed"} <= {row["event"] for row in rows}
    for row in rows:
        assert row["url"] == f"http://[64:ff9b::7f00:1]:{live.receiver.port}/hooks/crm"
        assert (row["status"], row["attempts"]) == ("failed", "1"), row
        assert "private, loopback or link-local address: refused" in html.unescape(row["error"])
    listed = live.flask("webhooks", "list")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == len(rows)
    for line in lines:
        assert "\tfailed\tattempts=1\t" in line and "private, loopback or link-local" in line, line
    assert live.receiver.requests() == []


def database_bytes(live: Live) -> bytes:
    """The SQLite database file and its write-ahead log as they are on disk, read by `cat`:
    opening them here and closing them would drop SQLite's POSIX locks of this process."""
    path = Path(make_url(live.database_url).database or "")
    wal = path.with_name(path.name + "-wal")
    files = [str(path), *([str(wal)] if wal.exists() else [])]
    return subprocess.run(["cat", *files], capture_output=True, check=True).stdout


def test_after_a_gdpr_deletion_no_byte_of_the_email_is_left_in_the_database_files(
    live: Live,
) -> None:
    """The WAL and the freed pages held the person's data. (PostgreSQL: the same deletion,
    through the back office; its dead rows are VACUUM's.)"""
    tag = unique()
    email = f"zephyrine.{tag}@example.com"
    details = contact("Zéphyrine", f"Zorglub{tag}", email)
    browser = live.client()
    results = complete(browser, details)
    # The request comes later: the worker is done with the completion (PDF, confirmation).
    assert wait_for(lambda: "report.pdf" in browser.open(results.path).text, MAIL_DEADLINE)
    live.wait_for_mail(email)
    admin = log_in(live)
    lead_id = lead_id_of(admin, email)
    if live.on_sqlite:
        assert email.encode() in database_bytes(live)  # the scan does see it
    delete_lead(admin, lead_id, details["company"])
    assert browser.open(results.path).status == 404
    if live.on_sqlite:
        found = database_bytes(live)
        assert email.encode() not in found and tag.encode() not in found


def landing_views(admin: Client) -> int:
    page = admin.open("/backoffice/analytics")
    found = re.search(r"Vues de la page d'accueil</th><td>([^<]*)</td>", page.plain)
    assert page.status == 200 and found, page.plain[:2000]
    return int(re.sub(r"\D", "", found.group(1)) or 0)


def test_a_visitor_reloading_the_landing_page_is_counted_once(live: Live) -> None:
    admin = log_in(live)
    before = landing_views(admin)
    visitor, other = live.client(), live.client()
    for browser in (visitor, visitor, visitor, other):
        assert browser.open("/").status == 200
    assert landing_views(admin) == before + 2


def test_a_brand_colour_that_injects_css_stops_the_start_naming_the_setting(
    tmp_path: Path,
) -> None:
    status, output = failed_start(tmp_path, {"BRAND_PRIMARY_COLOR": "red;}body{"})
    assert status != 0, output
    assert "configuration: BRAND_PRIMARY_COLOR must be a colour written #rgb or #rrggbb" in output
    assert "Traceback" not in output, output[-3000:]


def test_a_common_password_is_refused_by_user_create(live: Live) -> None:
    email = f"consultante.{unique()}@replay.example.com"
    weak = ("Marseille2026!", "aaaaaaaaaaaaaaaa")  # a common one with digits around, one repeated

    def create(password: str) -> subprocess.CompletedProcess[str]:
        return live.flask("user", "create", email, "--password-stdin", stdin=password + "\n")

    with ThreadPoolExecutor(len(weak)) as pool:
        refusals = list(pool.map(create, weak))
    for password, refused in zip(weak, refusals, strict=True):
        assert refused.returncode == 1, (password, refused.stdout, refused.stderr)
        [line] = refused.stderr.splitlines()
        assert line.startswith("Error: password: "), line
        browser = live.client()
        form = browser.open("/backoffice/login")
        tried = browser.submit(form, {"email": email, "password": password})
        assert tried.status == 401 and 'name="password"' in tried.text
    strong = "Quatre-vingt-dix hérons gris sur la Têt"
    assert create(strong).returncode == 0
    browser = live.client()
    done = browser.submit(browser.open("/backoffice/login"), {"email": email, "password": strong})
    assert done.status == 200 and done.path == "/backoffice/leads"
