"""The questionnaire: load a `questions.yaml` file into typed, frozen objects.

`load_questionnaire(path)` reads the file, checks it against the contract in
`shared/questionnaire-format.md` and returns a `Questionnaire`, or raises
`QuestionnaireError` listing every problem as `file:line: what is wrong`.
`load_questionnaire_source(raw, name)` does the same from the file's bytes.

The steps, one module each: `yaml_source` reads the YAML and keeps the line of
every key; `model` holds the objects (their field types in `field_types`, the
report's in `report_model`), whose shape pydantic checks (`shape` turns its errors
into lines and salvages the rest); `checks` and `rules` check what spans several
objects and compile the expressions.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from assess.core.questionnaire.checks import check_and_compile
from assess.core.questionnaire.field_types import LocalizedText
from assess.core.questionnaire.model import (
    REQUIRED_BY_DEFAULT,
    Band,
    Category,
    Level,
    Option,
    Question,
    Questionnaire,
    QuestionType,
    Section,
)
from assess.core.questionnaire.report_model import (
    Action,
    CallToAction,
    CostOfGivingUp,
    Kpi,
    Outcome,
    OutcomeCase,
    Recommendation,
    ReportTexts,
    Role,
    RoleOwner,
)
from assess.core.questionnaire.shape import validate_shape
from assess.core.questionnaire.yaml_source import YamlSourceError, read_yaml

__all__ = [
    "REQUIRED_BY_DEFAULT",
    "Action",
    "Band",
    "CallToAction",
    "Category",
    "CostOfGivingUp",
    "Kpi",
    "Level",
    "LocalizedText",
    "Option",
    "Outcome",
    "OutcomeCase",
    "Problem",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "Recommendation",
    "ReportTexts",
    "Role",
    "RoleOwner",
    "Section",
    "load_questionnaire",
    "load_questionnaire_source",
]


@dataclass(frozen=True)
class Problem:
    """A problem in a questionnaire file, at a line."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire file that breaks the contract; lists every problem."""

    def __init__(self, problems: list[Problem]):
        unique = dict.fromkeys(problems)
        self.problems = sorted(unique, key=lambda p: (p.file, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read, validate and compile a questionnaire file."""
    path = Path(path)
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise QuestionnaireError(
            [Problem(name, 1, f"cannot read the file: {error.strerror}")]
        ) from None
    return load_questionnaire_source(raw, name)


def load_questionnaire_source(raw: bytes, name: str) -> Questionnaire:
    """Validate and compile a questionnaire from its bytes (e.g. a snapshot kept in the database).

    `name` stands for the file in problems and becomes `source_path`; `source_hash` is
    the SHA-256 of `raw`, so a snapshot hashes as the file it was taken from.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise QuestionnaireError([Problem(name, 1, f"not UTF-8 text: {error.reason}")]) from None
    try:
        data, line_map, source_problems = read_yaml(text)
    except YamlSourceError as error:
        raise QuestionnaireError(
            [Problem(name, p.line, p.message) for p in error.problems]
        ) from None
    found = [(p.line, p.message) for p in source_problems]
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        what = "is empty" if data is None else f"must be a mapping (key: value), not {kind}"
        found.append((line_map.line_of(()), f"the file {what}"))
        raise QuestionnaireError([Problem(name, line, message) for line, message in found])
    shape = validate_shape(data, line_map)
    found.extend(shape.problems)
    questionnaire = shape.questionnaire
    if questionnaire is not None:
        found.extend(check_and_compile(questionnaire, shape.lines, shape.salvage))
    if found or questionnaire is None:
        raise QuestionnaireError([Problem(name, line, message) for line, message in found])
    questionnaire._source_path = name
    questionnaire._source_hash = hashlib.sha256(raw).hexdigest()
    return questionnaire
