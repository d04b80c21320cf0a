"""Wizard step pages (GET) and step posts served by gunicorn (2 workers), against a bare
"hello" route of the same server in the same run. Goal: throughput >= 0.5x hello, p99 <= 3x."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import urllib.parse
from pathlib import Path

from bench.server import Browser, gunicorn

DURATION = "8s"
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
    """Measure and report the ratios."""
    if shutil.which("wrk") is None:
        return ["wizard: skipped, wrk is not installed (apt-get install wrk)"]
    with gunicorn(workers=2) as server:
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
        hello = wrk(server.base + "/bench/hello")
        page = wrk(server.base + STEP, cookie)
        post = wrk(server.base + STEP, cookie, script)
        shutil.rmtree(folder, ignore_errors=True)
    lines = [f"wizard (gunicorn, 2 sync workers, wrk {CONNECTIONS} connections, {DURATION} each)"]
    lines.append(f"  hello route        {hello[0]:8.0f} req/s  p99 {hello[1]:7.2f} ms  (baseline)")
    for name, (rps, p99) in (("step page GET", page), ("step POST", post)):
        lines.append(
            f"  {name:<18} {rps:8.0f} req/s  p99 {p99:7.2f} ms  "
            f"throughput {rps / hello[0]:.2f}x hello (goal >= 0.5), p99 {p99 / hello[1]:.2f}x (goal <= 3)"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
