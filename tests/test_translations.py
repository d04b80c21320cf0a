"""The French catalogue covers every visible string the code and the templates mark."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
METHODS = [
    ("assess/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}


def marked_strings() -> set[str]:
    """Every msgid the extraction of babel.cfg finds (plural forms by their singular)."""
    found = set()
    for _filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_babel_cfg_is_what_this_test_extracts() -> None:
    configured = re.findall(r"^\[(\w+): ([^\]]+)\]$", (ROOT / "babel.cfg").read_text(), re.M)
    assert sorted((path, method) for method, path in configured) == sorted(METHODS)


def test_every_marked_string_has_a_french_translation() -> None:
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as source:
        catalogue = read_po(source, locale="fr")
    missing, empty, fuzzy = [], [], []
    for msgid in sorted(marked_strings()):
        entry = catalogue.get(msgid)
        if entry is None:
            missing.append(msgid)
        elif entry.fuzzy:
            fuzzy.append(msgid)
        elif not (entry.string[0] if isinstance(entry.string, tuple) else entry.string):
            empty.append(msgid)
    assert not missing, f"not in the catalogue (run `make translations`): {missing}"
    assert not empty, f"no French translation: {empty}"
    assert not fuzzy, f"fuzzy (check, then remove the flag): {fuzzy}"
