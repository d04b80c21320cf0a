"""Wizard step pages (GET) and step posts served by gunicorn (2 workers), against a bare
"hello" route of the same server in the same run. Goal: throughput >= 0.5x hello, p99 <= 3x."""

from __future__ import annotations

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
STEP = "/step/entreprise"
STEP_ANSWERS = {
    "has_sales_team": "yes",
    "revenue_share_existing": "de_30_a_50",
    "growth_priority": "conquete",
    "new_customers_target": "12",
}


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
    # The rate limits stay on, so their cost is measured, but wrk posts from one address far
    # more often than a respondent could: the step limit is raised out of its way.
    settings = {"RATELIMIT_STEP": "100000000 per hour"}
    results: dict[str, list[tuple[float, float]]] = {"hello": [], "page": [], "post": []}
    with gunicorn(workers=2, settings=settings) as server:
        browser = Browser(server.base)
        landing_token = browser.token("/")
        browser.post("/start", {"csrf_token": landing_token})
        token = browser.token(STEP)
        cookie = browser.cookie_header()
        body = urllib.parse.urlencode({**STEP_ANSWERS, "csrf_token": token})
        folder = Path(tempfile.mkdtemp())
        script = folder / "post.lua"
        script.write_text(
            'wrk.method = "POST"\n'
            f'wrk.body = "{body}"\n'
            'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        )
        for _ in range(ROUNDS):  # interleaved, so a change in the machine's load hits all three
            results["hello"].append(wrk(server.base + "/bench/hello"))
            results["page"].append(wrk(server.base + STEP, cookie))
            results["post"].append(wrk(server.base + STEP, cookie, script))
        shutil.rmtree(folder, ignore_errors=True)
    lines = [
        f"wizard (gunicorn, 2 sync workers, wrk {CONNECTIONS} connections, {ROUNDS} interleaved "
        f"rounds of {DURATION} each, medians of the per-round ratios; load average "
        f"{os.getloadavg()[0]:.1f})"
    ]
    hello_rps = statistics.median(r for r, _ in results["hello"])
    hello_p99 = statistics.median(p for _, p in results["hello"])
    lines.append(
        f"  hello route        {hello_rps:8.0f} req/s  p99 {hello_p99:7.2f} ms  (baseline)"
    )
    for name, key in (("step page GET", "page"), ("step POST", "post")):
        pairs = list(zip(results[key], results["hello"], strict=True))
        throughput = statistics.median(r / h[0] for (r, _), h in pairs)
        p99_ratio = statistics.median(p / h[1] for (_, p), h in pairs)
        rps = statistics.median(r for r, _ in results[key])
        p99 = statistics.median(p for _, p in results[key])
        lines.append(
            f"  {name:<18} {rps:8.0f} req/s  p99 {p99:7.2f} ms  throughput {throughput:.2f}x "
            f"hello (goal >= 0.5), p99 {p99_ratio:.2f}x (goal <= 3)"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
