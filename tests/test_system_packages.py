"""bin/system-packages: the one list of system packages, installed when it can be, else named."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bin" / "system-packages"
NO_SUCH_PACKAGE = "webleads-no-such-package"


def run(
    *arguments: str, extra: str = "", as_nobody: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [str(SCRIPT), *arguments]
    if as_nobody and os.geteuid() == 0:
        command = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *command]
    environment = {**os.environ, "SYSTEM_PACKAGES_EXTRA": extra}
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=600)


def test_the_makefile_and_ci_use_the_script_and_name_no_package_themselves() -> None:
    makefile = (ROOT / "Makefile").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bin/system-packages" in makefile and "bin/system-packages" in ci
    for text in (makefile, ci):
        for package in ("libpango", "harfbuzz", "chromium", "poppler", "wrk", "openjdk"):
            assert f"apt-get install -y {package}" not in text and f" {package} " not in text


def test_an_unknown_group_is_refused_in_one_line() -> None:
    finished = run("run", "nope")
    assert finished.returncode == 2
    assert finished.stderr == "system-packages: unknown group 'nope' (groups: run, test, bench)\n"


def test_without_root_a_missing_package_is_named_with_its_command() -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("needs setpriv to drop root")
    finished = run("run", extra=NO_SUCH_PACKAGE, as_nobody=True)
    assert finished.returncode == 1
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert NO_SUCH_PACKAGE in lines[0]
    assert f"apt-get install -y {NO_SUCH_PACKAGE}" in lines[0]


def test_check_only_names_what_is_missing_without_installing() -> None:
    finished = run("--check", "run", extra=NO_SUCH_PACKAGE)
    assert finished.returncode == 1
    assert finished.stdout == ""
    assert finished.stderr.count("\n") == 1 and NO_SUCH_PACKAGE in finished.stderr


def test_nothing_missing_is_a_silent_success() -> None:
    finished = run("--check", "run")
    assert (finished.returncode, finished.stdout, finished.stderr) == (0, "", "")


def test_a_package_the_registry_does_not_have_fails_in_one_clear_line() -> None:
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("installing needs root on Debian")
    finished = run("run", extra=NO_SUCH_PACKAGE)
    assert finished.returncode == 1
    lines = finished.stderr.splitlines()
    assert len(lines) == 1, finished.stderr
    assert lines[0].startswith(f"Could not install system packages: {NO_SUCH_PACKAGE} (")
    assert f"apt-get install -y {NO_SUCH_PACKAGE}" in lines[0]
