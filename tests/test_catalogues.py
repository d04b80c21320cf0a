"""Catalogues compile from their .po files at start-up; a language without one stops the app."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assess.catalogues import CatalogueError, catalogue_path, compile_catalogue, compile_catalogues

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"


def test_the_french_catalogue_is_compiled_from_its_po_file() -> None:
    catalogues = compile_catalogues(TRANSLATIONS, ["fr", "en"])
    assert set(catalogues) == {"fr"}  # English is the msgids' own language
    assert catalogues["fr"].ugettext("Executive summary") == "Synthèse"
    assert catalogues["fr"].ugettext("Your priorities") == "Vos priorités"


def test_a_po_file_newer_than_any_build_is_what_is_served(tmp_path: Path) -> None:
    copied = catalogue_path(tmp_path, "fr")
    copied.parent.mkdir(parents=True)
    text = (TRANSLATIONS / "fr/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    copied.write_text(
        text.replace('msgstr "Synthèse"', 'msgstr "Synthèse revue"'), encoding="utf-8"
    )
    assert compile_catalogue(copied, "fr").ugettext("Executive summary") == "Synthèse revue"


def test_every_language_without_a_catalogue_is_named(tmp_path: Path) -> None:
    shutil.copytree(TRANSLATIONS, tmp_path, dirs_exist_ok=True)
    empty = catalogue_path(tmp_path, "es")
    empty.parent.mkdir(parents=True)
    empty.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    broken = catalogue_path(tmp_path, "it")
    broken.parent.mkdir(parents=True)
    broken.write_text('not a po line\nmsgid "Hello"\nmsgstr "Ciao"\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as raised:
        compile_catalogues(tmp_path, ["fr", "en", "de", "es", "it"])
    message = str(raised.value)
    assert "language 'de'" in message and "de/LC_MESSAGES/messages.po: not found" in message
    assert "language 'es'" in message and "holds no translated message" in message
    assert "language 'it'" in message and "cannot be read" in message
    assert "language 'fr'" not in message


def test_a_configured_language_without_a_catalogue_stops_the_app(tmp_path: Path) -> None:
    script = (
        "from assess import create_app\n"
        "create_app({'TESTING': True, 'SECRET_KEY': 'k', 'LANGUAGES': 'fr,de',"
        f" 'DATABASE_URL': 'sqlite:///{tmp_path}/db.sqlite3'}})\n"
    )
    finished = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert finished.returncode == 1
    assert "Traceback" not in finished.stderr
    assert "The configured languages cannot all be served (LANGUAGES):" in finished.stderr
    assert "language 'de':" in finished.stderr and "not found" in finished.stderr
