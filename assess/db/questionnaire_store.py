"""The questionnaire the app runs, loaded once per process at start-up, and the versions
older submissions were answered with (kept in the database)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assess.core.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    load_questionnaire_source,
)
from assess.db.models import QuestionnaireVersion
from assess.extensions import db

_KEY = "assess.core.questionnaire"
_SOURCE = "assess.questionnaire_source"


def init_app(app: Flask, on_error: Callable[[str], None]) -> None:
    """Load the configured questionnaire; report every problem through on_error."""
    path = Path(app.config["ASSESS_QUESTIONNAIRE"])
    if not path.is_absolute() and not path.exists():
        path = Path(app.root_path).parent / path
    try:
        raw = path.read_bytes()
    except OSError as error:
        on_error(f"{path}:1: cannot read the questionnaire: {error.strerror}")
        return
    try:
        app.extensions[_KEY] = load_questionnaire_source(raw, str(path))
    except QuestionnaireError as error:
        count = len(error.problems)
        on_error(f"The questionnaire has {count} problem{'' if count == 1 else 's'}:\n{error}")
        return
    app.extensions[_SOURCE] = raw


def current_questionnaire() -> Questionnaire:
    """The questionnaire of the running app."""
    questionnaire: Questionnaire = current_app.extensions[_KEY]
    return questionnaire


def remember_current_version() -> None:
    """Keep the running file in the database, inside the caller's transaction (one key lookup)."""
    q = current_questionnaire()
    if db.session.get(QuestionnaireVersion, q.source_hash) is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    QuestionnaireVersion(
                        source_hash=q.source_hash,
                        questionnaire_id=q.id,
                        version=q.version,
                        source=current_app.extensions[_SOURCE],
                    )
                )
        except IntegrityError:  # another server stored it at the same moment
            pass


def questionnaire_for(source_hash: str) -> Questionnaire:
    """The questionnaire a submission was answered with; the current one when unknown."""
    current = current_questionnaire()
    if source_hash == current.source_hash:
        return current
    row = db.session.execute(
        select(QuestionnaireVersion.source).where(QuestionnaireVersion.source_hash == source_hash)
    ).scalar_one_or_none()
    if row is None:
        return current
    return _load_stored(bytes(row), source_hash)


@lru_cache(maxsize=16)
def _load_stored(raw: bytes, source_hash: str) -> Questionnaire:
    try:
        return load_questionnaire_source(raw, f"stored questionnaire {source_hash[:12]}")
    except QuestionnaireError:
        # a file valid when stored but refused by a stricter loader: show with today's texts
        return current_questionnaire()
