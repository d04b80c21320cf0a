"""A plain install into a fresh virtual environment serves the French interface and report.

The project is installed the way most people do (`pip install -e .`, or `pip install .` in
a container that runs from the source tree), with no `make` step: no compiled catalogue
exists in the copy, and French must still be on the landing page and in a rendered report.
The dependencies come from the test environment (a .pth file), so only the project's own
install is under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
LEFT_BEHIND = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "instance",
    "*.mo",
    "__pycache__",
    "*.egg-info",
    "build",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    "test-output",
    ".bench-cache",
)
LANDING_CHECK = """
from assess import create_app
app = create_app({"SECRET_KEY": "k", "RATELIMIT_ENABLED": False})
page = app.test_client().get("/")
assert page.status_code == 200, page.status_code
print(page.get_data(as_text=True))
"""


def fresh_environment(folder: Path) -> Path:
    """A new virtual environment that sees the test environment's packages, not the project."""
    venv.create(folder, with_pip=True)
    python = folder / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


@pytest.mark.parametrize("editable", [True, False], ids=["pip install -e .", "pip install ."])
def test_a_plain_install_serves_french(tmp_path: Path, editable: bool) -> None:
    source = tmp_path / "app"
    shutil.copytree(ROOT, source, ignore=LEFT_BEHIND)
    assert not list(source.glob("translations/*/LC_MESSAGES/*.mo"))
    python = fresh_environment(tmp_path / "venv")
    target = ["-e", str(source)] if editable else [str(source)]
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", *target],
        check=True,
        cwd=tmp_path,
        capture_output=True,
        timeout=600,
    )
    # An editable install runs from anywhere; a built one from its source tree (a container's
    # working directory), where the templates and the catalogues are.
    where = tmp_path if editable else source
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'assess.sqlite3'}",
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.sqlite3"),
        "OUTBOX_FOLDER": str(tmp_path / "outbox"),
        "PYTHONPATH": "",
    }
    flask = [python, "-m", "flask", "--app", "assess"]

    def run(*command: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=where, env=environment, capture_output=True, text=True, timeout=300
        )

    migrated = run(*flask, "db", "upgrade")
    assert migrated.returncode == 0, migrated.stderr
    landing = run(python, "-c", LANDING_CHECK)
    assert landing.returncode == 0, landing.stderr
    assert "Ce que vous obtenez" in landing.stdout
    assert "What you get" not in landing.stdout
    pdf = tmp_path / "report.pdf"
    persona = source / "tests" / "personas" / "pme_industrielle.json"
    rendered = run(*flask, "report", "render", persona, "-o", pdf, "--locale", "fr")
    assert rendered.returncode == 0, rendered.stderr
    text = "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Synthèse" in text and "Vos priorités" in text
    assert "Executive summary" not in text and "Your priorities" not in text
    # The app imported the copy this test installed, not the checkout running the tests.
    imported = run(python, "-c", "import assess; print(assess.__file__)")
    assert imported.stdout.strip().startswith(str(source)), imported.stdout
    assert sys.prefix not in imported.stdout
