"""The message catalogues, compiled from their `.po` files when the app starts.

Compiling in memory means any install (a checkout, `pip install .`, `pip install -e .`, a
container image) serves the same translations as the `.po` files beside the code, with no
build step to forget and nothing written to disk.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po
from babel.support import NullTranslations, Translations
from flask import current_app, has_app_context
from flask_babel import Domain, get_locale

DOMAIN = "messages"
# The msgids are written in English: English needs no catalogue.
SOURCE_LANGUAGE = "en"
EXTENSION_KEY = "assess.catalogues"


class CatalogueError(Exception):
    """A configured language whose catalogue cannot be loaded."""


def catalogue_path(directory: Path, language: str) -> Path:
    """Where the `.po` file of one language lives."""
    return directory / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(path: Path, language: str) -> Translations:
    """One `.po` file compiled into the translations gettext reads."""
    try:
        with path.open("rb") as source:
            catalogue = read_po(source, locale=language, abort_invalid=True)
    except FileNotFoundError as error:
        raise CatalogueError(f"{path}: not found") from error
    except (OSError, PoFileError, ValueError) as error:
        raise CatalogueError(f"{path}: cannot be read: {error}") from error
    if not any(message.id and message.string for message in catalogue):
        raise CatalogueError(f"{path}: holds no translated message")
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def compile_catalogues(directory: Path, languages: list[str]) -> dict[str, Translations]:
    """The catalogue of every configured language but the source one; every problem at once."""
    compiled: dict[str, Translations] = {}
    problems: list[str] = []
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        try:
            compiled[language] = compile_catalogue(catalogue_path(directory, language), language)
        except CatalogueError as error:
            problems.append(f"language {language!r}: {error}")
    if problems:
        raise CatalogueError("\n".join(problems))
    return compiled


class CompiledDomain(Domain):
    """Flask-Babel's message domain, reading the catalogues compiled for the current app."""

    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)
        self._untranslated = NullTranslations()

    def get_translations(self) -> NullTranslations:
        """The current language's catalogue; the msgids themselves for the source language."""
        if not has_app_context():
            return self._untranslated
        catalogues: dict[str, Translations] = current_app.extensions.get(EXTENSION_KEY, {})
        return catalogues.get(str(get_locale()), self._untranslated)
