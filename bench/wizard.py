"""Wizard step pages (GET) and step posts served by gunicorn (2 workers), against a bare
"hello" route of the same server in the same run. Goal: throughput >= 0.5x hello, p99 <= 3x.

The server runs production's gunicorn.conf.py (its access log included), with worker
recycling off: at 2,000 requests a worker it would restart each worker every few seconds
of a benchmark. Each step request comes from one of RESPONDENTS respondents in turn, each
with their own draft, session cookie and CSRF token, as real traffic does: one respondent
posting one draft from eight connections at once would measure their posts queueing on
the same row instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

from bench.server import Browser, gunicorn

DURATION = "4s"
ROUNDS = 3
CONNECTIONS = 8
RESPONDENTS = 32
STEP = "/step/entreprise"
HELLO = "/bench/hello"
STEP_ANSWERS = {
    "has_sales_team": "yes",
    "salespeople": "3",
    "has_sales_manager": "no",
    "revenue_band": "de_1_a_5m",
    "revenue_share_existing": "de_30_a_50",
    "top5_share": "de_20_a_40",
    "growth_priority": "conquete",
    "new_customers_target": "12",
}
# wrk asks `request()` for each request: the next respondent's cookie (and body), in turn;
# each wrk thread starts at its own place in the list.
ROTATION = """
local respondents = %s
local method, path = "%s", "%s"
local threads = 0
function setup(thread)
  thread:set("start", threads * 7)
  threads = threads + 1
end
function init(args)
  turn = start or 0
end
function request()
  turn = turn %% #respondents + 1
  local one = respondents[turn]
  local headers = {Cookie = one.cookie}
  if method ~= "POST" then
    return wrk.format(method, path, headers)
  end
  headers["Content-Type"] = "application/x-www-form-urlencoded"
  return wrk.format(method, path, headers, one.body)
end
"""


def respondents_script(
    folder: Path, method: str, respondents: list[dict[str, str]], path: str = STEP
) -> Path:
    """A wrk script sending `method` `path` as each respondent in turn."""
    table = (
        "{"
        + ",".join(
            "{cookie=%s, body=%s}" % (json.dumps(one["cookie"]), json.dumps(one["body"]))  # noqa: UP031
            for one in respondents
        )
        + "}"
    )
    script = folder / f"{method.lower()}-{path.strip('/').replace('/', '-')}.lua"
    script.write_text(ROTATION % (table, method, path))
    return script


def start_respondents(base: str, count: int) -> list[dict[str, str]]:
    """`count` respondents standing on STEP: cookie, and the step's answers as posted."""
    found = []
    for _ in range(count):
        browser = Browser(base)
        browser.post("/start", {"csrf_token": browser.token("/")})
        token = browser.token(STEP)
        body = urllib.parse.urlencode({**STEP_ANSWERS, "csrf_token": token})
        found.append({"cookie": browser.cookie_header(), "body": body})
    return found


def wrk(url: str, cookie: str = "", script: Path | None = None) -> tuple[float, float]:
    """(requests per second, p99 latency in ms) measured by wrk."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(
        [*command, url], capture_output=True, text=True, check=True, timeout=120
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p99_value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", output).groups()  # type: ignore[union-attr]
    p99 = float(p99_value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url}: {non_2xx.group(1)} error responses\n{output}")
    return rps, p99


def run() -> list[str]:
    """Measure hello, the step page and the step post in turn, ROUNDS times; report medians."""
    if shutil.which("wrk") is None:
        return ["wizard: skipped, wrk is not installed (apt-get install wrk)"]
    # The rate limits stay on, so their cost is measured, but every respondent here comes
    # from one address far more often than real ones: the limits are raised out of the way.
    settings = {
        "RATELIMIT_STEP": "100000000 per hour",
        "RATELIMIT_START": "100000 per hour",
        "GUNICORN_MAX_REQUESTS": "0",
    }
    results: dict[str, list[tuple[float, float]]] = {
        key: [] for key in ("hello", "bare", "page", "post")
    }
    folder = Path(tempfile.mkdtemp())
    with gunicorn(workers=2, settings=settings) as server:
        respondents = start_respondents(server.base, RESPONDENTS)
        hello = respondents_script(folder, "GET", respondents, HELLO)
        page = respondents_script(folder, "GET", respondents)
        post = respondents_script(folder, "POST", respondents)
        for _ in range(ROUNDS):  # interleaved, so a change in the machine's load hits all three
            results["hello"].append(wrk(server.base + HELLO, script=hello))
            results["bare"].append(wrk(server.base + HELLO))
            results["page"].append(wrk(server.base + STEP, script=page))
            results["post"].append(wrk(server.base + STEP, script=post))
    shutil.rmtree(folder, ignore_errors=True)
    lines = [
        f"wizard (gunicorn, 2 sync workers, production settings; wrk {CONNECTIONS} connections, "
        f"{RESPONDENTS} respondents in turn, {ROUNDS} interleaved rounds of {DURATION} each, "
        f"medians of the per-round ratios; load average "
        f"{os.getloadavg()[0]:.1f})"
    ]
    for name, key, what in (
        ("hello route", "hello", "(baseline: the respondents' requests, their cookie included)"),
        ("hello, no cookie", "bare", "(no session to open)"),
    ):
        rps = statistics.median(r for r, _ in results[key])
        p99 = statistics.median(p for _, p in results[key])
        lines.append(f"  {name:<18} {rps:8.0f} req/s  p99 {p99:7.2f} ms  {what}")
    for name, key in (("step page GET", "page"), ("step POST", "post")):
        pairs = list(zip(results[key], results["hello"], strict=True))
        throughput = statistics.median(r / h[0] for (r, _), h in pairs)
        p99_ratio = statistics.median(p / h[1] for (_, p), h in pairs)
        rps = statistics.median(r for r, _ in results[key])
        p99 = statistics.median(p for _, p in results[key])
        bare = statistics.median(
            r / h[0] for (r, _), h in zip(results[key], results["bare"], strict=True)
        )
        lines.append(
            f"  {name:<18} {rps:8.0f} req/s  p99 {p99:7.2f} ms  throughput {throughput:.2f}x "
            f"hello (goal >= 0.5), p99 {p99_ratio:.2f}x (goal <= 3); {bare:.2f}x hello "
            "without a cookie"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
