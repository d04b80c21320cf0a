"""Load and fault drill: 16 simulated respondents complete the whole diagnostic (with their CSRF
tokens) against gunicorn with 4 workers, on SQLite and, when LOAD_DATABASE_URL is set, on
PostgreSQL. Checks: completions in the database equal completions the clients saw, no 5xx,
no "database is locked". Then the same run while the job worker renders PDFs: wizard p99 with
rendering <= 2x the p99 without. `python -m bench.load [--quick]` (CI runs --quick).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.server import BIN, CSRF, ROOT, Browser, gunicorn

PERSONAS = sorted((ROOT / "tests" / "personas").glob("*.json"))
CONTACT = {
    "first_name": "Camille",
    "last_name": "Martin",
    "company": "Charge Test",
    "job_title": "Dirigeant",
    "phone": "",
    "company_size": "pe",
    "sector": "industrie",
    "consent": "y",
}


class Respondent(Browser):
    """A browser that remembers the last page, to post the fields it holds."""

    last_page = ""

    def token(self, path: str) -> str:
        """GET the page; its CSRF token."""
        self.last_page = self.get(path)
        found = CSRF.search(self.last_page)
        if not found:
            raise RuntimeError(f"no CSRF token on {path}")
        return found.group(1)

    def post_pairs(self, path: str, pairs: list[tuple[str, str]]) -> str:
        """POST repeated fields (checkboxes) as a form does; the address it ends on."""
        body = urllib.parse.urlencode(pairs).encode()
        with self.opener.open(self.base + path, data=body, timeout=30) as response:
            return str(response.geturl())


def respondent(
    base: str,
    persona: dict[str, Any],
    index: int,
    timings: dict[str, list[float]],
    outcome: dict[str, int],
    lock: threading.Lock,
) -> None:
    """One executive completing the diagnostic through the HTTP form contract."""
    browser = Respondent(base)
    try:
        token = browser.token("/")
        location = browser.post("/start", {"csrf_token": token})
        answers = persona["answers"]
        for _ in range(20):
            path = urllib.parse.urlsplit(location).path
            if path.startswith("/results/"):
                with lock:
                    outcome["completed"] += 1
                return
            step = path.rsplit("/", 1)[-1]
            started = time.perf_counter()
            token = browser.token(path)
            contact = {**CONTACT, "email": f"load{index}.{time.monotonic_ns()}@example.com"}
            pairs = (
                list(contact.items())
                if step == "contact"
                else form_values(answers, browser.last_page)
            )
            location = browser.post_pairs(path, [*pairs, ("csrf_token", token)])
            with lock:
                timings[step].append(time.perf_counter() - started)
        with lock:
            outcome["stuck"] += 1
    except urllib.error.HTTPError as error:
        with lock:
            outcome["5xx" if error.code >= 500 else "4xx"] += 1
    except OSError:
        with lock:
            outcome["errors"] += 1


def form_values(answers: dict[str, Any], page: str) -> list[tuple[str, str]]:
    """The persona's answers to the questions on this page, as the form posts them."""
    names = set(re.findall(r'name="([a-z_][a-z0-9_]*)"', page))
    pairs: list[tuple[str, str]] = []
    for name in names:
        if name not in answers:
            continue
        value = answers[name]
        if isinstance(value, bool):
            pairs.append((name, "yes" if value else "no"))
        elif isinstance(value, list):
            pairs.extend((name, str(item)) for item in value)
        else:
            pairs.append((name, str(value)))
    return pairs


def run_wave(
    base: str, users: int, rounds: int
) -> tuple[dict[str, list[float]], dict[str, int], float]:
    """`users` threads, each completing the diagnostic `rounds` times."""
    personas = [json.loads(path.read_text()) for path in PERSONAS]
    timings: dict[str, list[float]] = defaultdict(list)
    outcome: dict[str, int] = defaultdict(int)
    lock = threading.Lock()

    def user(number: int) -> None:
        for round_number in range(rounds):
            respondent(
                base,
                personas[(number + round_number) % len(personas)],
                number * 1000 + round_number,
                timings,
                outcome,
                lock,
            )

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, outcome, time.perf_counter() - started


def completed_in_database(env: dict[str, str]) -> int:
    """Completed submissions, counted by the app's own models."""
    code = (
        "from assess import create_app\nfrom assess.extensions import db\nfrom assess.db.models import Submission\n"
        "app = create_app()\nwith app.app_context():\n"
        "    print(db.session.query(Submission).filter_by(status='completed').count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return int(result.stdout.strip().splitlines()[-1])


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def checked_wave(base: str, users: int, rounds: int) -> tuple[dict[str, list[float]], float]:
    """A wave that must complete every diagnostic with no 5xx; its timings per step."""
    timings, outcome, elapsed = run_wave(base, users, rounds)
    assert outcome["5xx"] == 0 and outcome["errors"] == 0, dict(outcome)
    assert outcome["completed"] == users * rounds, dict(outcome)
    return timings, elapsed


def sent_messages(outbox: Path) -> int:
    return len(list(outbox.glob("*.eml")))


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class RenderingWave:
    """A wave run while the job worker renders the reports the earlier waves left."""

    timings: dict[str, list[float]]
    sent: int  # messages the worker sent during the wave
    left: int  # messages still waiting at its end: more than 0, it was rendering all along
    worker_cpu: float  # seconds of CPU the worker used during the wave
    wall: float  # seconds the wave lasted


def wave_while_rendering(
    env: dict[str, str], outbox: Path, expected: int, base: str, users: int, rounds: int
) -> RenderingWave:
    """Start the job worker on the `expected` messages of the completions so far, wait until
    it is sending, and run a wave alongside it."""
    worker = subprocess.Popen(
        [str(BIN / "flask"), "--app", "assess", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not sent_messages(outbox):
            time.sleep(0.2)
        before, cpu_before = sent_messages(outbox), cpu_seconds(worker.pid)
        timings, wall = checked_wave(base, users, rounds)
        after, cpu_after = sent_messages(outbox), cpu_seconds(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return RenderingWave(timings, after - before, expected - after, cpu_after - cpu_before, wall)


def p99(timings: dict[str, list[float]]) -> float:
    return quantile([t for values in timings.values() for t in values], 0.99)


def rendering_line(label: str, wave: RenderingWave, quiet: dict[str, list[float]]) -> str:
    valid = "rendering all along" if wave.left > 0 else "NOT VALID: the worker ran out of reports"
    return (
        f"    {label}: worker used {wave.worker_cpu:.1f} s of CPU in the {wave.wall:.1f} s wave, "
        f"sent {wave.sent} messages, {wave.left} still waiting ({valid}): wizard p99 "
        f"{p99(wave.timings) * 1000:.0f} ms vs {p99(quiet) * 1000:.0f} ms without: "
        f"{p99(wave.timings) / p99(quiet):.2f}x (goal <= 2)"
    )


def drill(
    label: str, database_url: str | None, users: int, rounds: int, compare_priority: bool
) -> list[str]:
    """A warm-up wave, a measured wave, then a wave while the worker renders PDFs at its
    configured priority (and, with `compare_priority`, one more at normal priority), on one
    database; raise when a completion is lost or a 5xx appears."""
    folder = Path(tempfile.mkdtemp(prefix="assess-load-"))
    lines = []
    try:
        settings = {
            "REDIS_URL": os.environ.get("LOAD_REDIS_URL", ""),
            "RATELIMIT_ENABLED": "false",  # every simulated respondent comes from 127.0.0.1
            "CONFIRM_PER_CLIENT_DAY": "100000",  # likewise for the confirmation e-mails
            "CONSULTANT_EMAIL": "consultant@example.com",  # two messages per completion
        }
        with gunicorn(4, database_url, "assess:create_app()", settings, folder) as server:
            checked_wave(server.base, users, 1)  # warm-up: each worker's first requests
            quiet, elapsed = checked_wave(server.base, users, rounds)
            completions = users * (rounds + 1)
            stored = completed_in_database(server.env)
            assert stored == completions, (stored, completions)
            lines.append(
                f"  {label}: {users} respondents x {rounds} (after a warm-up wave): "
                f"{users * rounds} completions seen, all in the database ({stored} with the "
                f"warm-up), 0 5xx, {elapsed:.1f} s"
            )
            for step, values in quiet.items():
                lines.append(
                    f"    {step:<26} p50 {statistics.median(values) * 1000:6.0f} ms   "
                    f"p95 {quantile(values, 0.95) * 1000:6.0f} ms"
                )
            waves = [("worker at its configured priority (WORKER_NICENESS)", server.env)]
            if compare_priority:
                waves.append(("worker at normal priority", {**server.env, "WORKER_NICENESS": "0"}))
            for wave_label, env in waves:
                wave = wave_while_rendering(
                    env, folder / "outbox", 2 * completions, server.base, users, rounds
                )
                completions += users * rounds
                assert completed_in_database(server.env) == completions
                lines.append(rendering_line(wave_label, wave, quiet))
        assert "database is locked" not in server.log.read_text(errors="replace")
        lines.append("    no 'database is locked' in the server log")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return lines


def run(quick: bool = False) -> list[str]:
    """The drill on SQLite, then on PostgreSQL when LOAD_DATABASE_URL is set."""
    users, rounds = (16, 2) if quick else (16, 4)
    lines = ["load drill (gunicorn, 4 sync workers, 16 concurrent respondents)"]
    lines += drill("SQLite", None, users, rounds, compare_priority=not quick)
    if os.environ.get("LOAD_DATABASE_URL"):
        lines += drill(
            "PostgreSQL", os.environ["LOAD_DATABASE_URL"], users, rounds, compare_priority=not quick
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run(quick="--quick" in sys.argv)))
