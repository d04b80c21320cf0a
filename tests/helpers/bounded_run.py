"""Run hostile input in a child interpreter with a time and a memory limit, so a regression
fails its test instead of hanging or exhausting the whole run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from tests.helpers.paths import ROOT

MEMORY_LIMIT = 1 << 30  # bytes of address space for the child
TIME_LIMIT = 30.0  # seconds

_PRELUDE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
sys.path.insert(0, {root!r})
"""


def run_bounded(code: str, timeout: float = TIME_LIMIT) -> Any:
    """Run `code` in a child interpreter; it must print one JSON value last, which is returned.

    A child that runs past `timeout` is killed (subprocess.TimeoutExpired); one that dies
    (out of memory, a traceback) fails with its stderr.
    """
    prelude = _PRELUDE.format(memory=MEMORY_LIMIT, root=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-c", prelude + code],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])
