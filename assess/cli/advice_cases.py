"""Advice cases: read a cases file (companies' answers and the advice expected for them) and
check every case against a questionnaire before any is run.

A cases file is a YAML list; each case has `name`, `answers` (question id to value, as
the scoring JSON), `contact` (`company_size`, `sector`) and `expect` (see `EXPECT_KEYS`),
and may say `why` (the reasoning behind the expectations, for the next reader). Every
problem is reported as `file:line: what is wrong`, the lines found as the questionnaire
loader finds them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.contact import ALLOWED_VALUES, CONTACT_FIELDS
from assess.core.questionnaire import Questionnaire
from assess.core.questionnaire.yaml_source import LineMap, YamlSourceError, read_yaml
from assess.core.questionnaire.yaml_source import Path as YamlPath

CASE_KEYS = ("name", "why", "answers", "contact", "expect")
EXPECT_KEYS = ("level", "top3", "in_plan", "absent", "outcome", "max_recommendations")
# The plan's first three are its priorities: `top3` cannot ask for more.
TOP = 3


@dataclass(frozen=True)
class Expectations:
    """What a case expects of the advice; an expectation left out is not checked."""

    level: str | None = None
    top3: tuple[str, ...] = ()
    in_plan: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    outcome: dict[str, int] = field(default_factory=dict)
    max_recommendations: int | None = None


@dataclass(frozen=True)
class AdviceCase:
    """One company of a cases file: its clean answers, its contact and what it expects."""

    file: str
    line: int
    name: str
    answers: dict[str, Any]
    contact: dict[str, str]
    expect: Expectations


class CasesFileError(Exception):
    """A cases file that cannot be run; `problems` are `file:line: what is wrong`."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def read_cases(path: str, q: Questionnaire) -> list[AdviceCase]:
    """The cases of the file at `path`, or CasesFileError listing every problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CasesFileError([f"{path}:1: cannot read the file: {error.strerror}"]) from None
    except UnicodeDecodeError as error:
        raise CasesFileError([f"{path}:1: not UTF-8 text: {error.reason}"]) from None
    try:
        data, lines, source_problems = read_yaml(text)
    except YamlSourceError as error:
        raise CasesFileError([f"{path}:{p.line}: {p.message}" for p in error.problems]) from None
    reader = _Reader(path, q, lines)
    reader.problems.extend((p.line, p.message) for p in source_problems)
    cases = reader.cases(data)
    if reader.problems:
        ordered = sorted(dict.fromkeys(reader.problems))
        raise CasesFileError([f"{path}:{line}: {message}" for line, message in ordered])
    return cases


@dataclass
class _Reader:
    """Reads the plain data of a cases file, collecting problems by line."""

    file: str
    q: Questionnaire
    lines: LineMap
    problems: list[tuple[int, str]] = field(default_factory=list)

    def problem(self, where: YamlPath, message: str) -> None:
        self.problems.append((self.lines.line_of(where), message))

    def cases(self, data: Any) -> list[AdviceCase]:
        if not isinstance(data, list) or not data:
            what = "is empty" if not data else "must be a list of cases"
            self.problem((), f"the file {what} (each case: {', '.join(CASE_KEYS)})")
            return []
        names: dict[str, int] = {}
        found = []
        for index, item in enumerate(data):
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str) and name in names:
                first = names[name]
                self.problem(
                    (index, "name"), f"case '{name}' is named twice (first at line {first})"
                )
            elif isinstance(name, str):
                names[name] = self.lines.line_of((index, "name"))
            case = self.case(index, item)
            if case is not None:
                found.append(case)
        return found

    def case(self, index: int, item: Any) -> AdviceCase | None:
        where: YamlPath = (index,)
        if not isinstance(item, dict):
            self.problem(where, f"a case must be a mapping with {', '.join(CASE_KEYS)}")
            return None
        self.unknown_keys(where, item, CASE_KEYS, "case")
        for required in ("name", "answers", "contact", "expect"):
            if required not in item:
                self.problem(where, f"the case has no '{required}'")
        name = item.get("name")
        if "name" in item and (not isinstance(name, str) or not name.strip()):
            self.problem((*where, "name"), "'name' must be a text")
        if "why" in item and not isinstance(item["why"], str):
            self.problem((*where, "why"), "'why' must be a text")
        # A part left out is reported once above, not checked as if it were empty.
        contact = self.contact((*where, "contact"), item["contact"]) if "contact" in item else None
        answers = (
            self.answers((*where, "answers"), item["answers"], contact)
            if "answers" in item
            else None
        )
        expect = self.expect((*where, "expect"), item["expect"]) if "expect" in item else None
        if not isinstance(name, str) or answers is None or contact is None or expect is None:
            return None
        return AdviceCase(self.file, self.lines.line_of(where), name, answers, contact, expect)

    def unknown_keys(
        self, where: YamlPath, item: dict[Any, Any], known: tuple[str, ...], what: str
    ) -> None:
        for key in item:
            if key not in known:
                self.problem(
                    (*where, key), f"unknown {what} key '{key}' (known: {', '.join(known)})"
                )

    def contact(self, where: YamlPath, value: Any) -> dict[str, str] | None:
        if not isinstance(value, dict):
            self.problem(where, "'contact' must be a mapping: company_size, sector")
            return None
        self.unknown_keys(where, value, CONTACT_FIELDS, "contact")
        ok = True
        for name in CONTACT_FIELDS:
            allowed = ALLOWED_VALUES[name]
            if name not in value:
                self.problem(where, f"the contact has no '{name}' (one of: {', '.join(allowed)})")
                ok = False
            elif value[name] not in allowed:
                self.problem(
                    (*where, name),
                    f"'{value[name]}' is not a {name} (one of: {', '.join(allowed)})",
                )
                ok = False
        return {name: value[name] for name in CONTACT_FIELDS} if ok else None

    def answers(
        self, where: YamlPath, value: Any, contact: dict[str, str] | None
    ) -> dict[str, Any] | None:
        """The answers as the app would store them, validated as the wizard validates them."""
        if not isinstance(value, dict):
            self.problem(where, "'answers' must be a mapping: question id to answer")
            return None
        errors: dict[str, list[Any]] = {}
        try:
            clean = validate_answers(self.q, value, contact or {})
        except InvalidAnswers as error:
            clean, errors = error.cleaned, error.errors
        missing = []
        for question_id, found in errors.items():
            if question_id not in self.q.questions_by_id:
                self.problem((*where, question_id), f"unknown question id '{question_id}'")
            elif question_id not in value:
                missing.append(question_id)
            else:
                message = f"answer to '{question_id}': {found[0].message}"
                self.problem((*where, question_id), message)
        if missing:
            listed = ", ".join(sorted(missing))
            self.problem(where, f"no answer to these questions, which need one: {listed}")
        # The app drops an answer to a question a `show_if` hides: a case giving one
        # would expect it to count.
        hidden = [
            key
            for key, answer in value.items()
            if answer is not None and key not in clean and key not in errors
        ]
        for question_id in hidden:
            message = f"answer to '{question_id}', which a show_if hides for this company"
            self.problem((*where, question_id), f"{message}: remove it")
        return None if errors or hidden else clean

    def expect(self, where: YamlPath, value: Any) -> Expectations | None:
        if not isinstance(value, dict) or not value:
            self.problem(
                where, f"'expect' must be a mapping with some of: {', '.join(EXPECT_KEYS)}"
            )
            return None
        self.unknown_keys(where, value, EXPECT_KEYS, "expect")
        count = len(self.problems)
        level = value.get("level")
        if level is not None and level not in {lv.id for lv in self.q.levels}:
            known = ", ".join(lv.id for lv in self.q.levels)
            self.problem((*where, "level"), f"unknown level id '{level}' (known: {known})")
        top3 = self.rule_ids((*where, "top3"), value.get("top3"))
        if len(top3) > TOP:
            self.problem(
                (*where, "top3"), f"'top3' names {len(top3)} recommendations: at most {TOP}"
            )
        in_plan = self.rule_ids((*where, "in_plan"), value.get("in_plan"))
        absent = self.rule_ids((*where, "absent"), value.get("absent"))
        for both in sorted(set(absent) & (set(top3) | set(in_plan))):
            self.problem((*where, "absent"), f"'{both}' is expected both present and absent")
        outcome = self.outcome((*where, "outcome"), value.get("outcome"))
        most = value.get("max_recommendations")
        if most is not None and (not isinstance(most, int) or isinstance(most, bool) or most < 0):
            self.problem(
                (*where, "max_recommendations"),
                "'max_recommendations' must be a whole number, 0 or more",
            )
        if len(self.problems) > count:
            return None
        return Expectations(level, top3, in_plan, absent, outcome, most)

    def rule_ids(self, where: YamlPath, value: Any) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(where, f"'{where[-1]}' must be a list of recommendation ids")
            return ()
        known = {rule.id for rule in self.q.recommendations}
        for position, rule_id in enumerate(value):
            if rule_id not in known:
                self.problem((*where, position), f"unknown recommendation id '{rule_id}'")
        return tuple(value)

    def outcome(self, where: YamlPath, value: Any) -> dict[str, int]:
        if value is None:
            return {}
        outcomes = {o.id: o for o in self.q.outcomes}
        if not isinstance(value, dict):
            self.problem(
                where,
                "'outcome' must be a mapping: outcome id to case number (0 is the first case)",
            )
            return {}
        for outcome_id, case in value.items():
            if outcome_id not in outcomes:
                known = ", ".join(outcomes) or "none"
                self.problem(
                    (*where, outcome_id), f"unknown outcome id '{outcome_id}' (known: {known})"
                )
                continue
            last = len(outcomes[outcome_id].cases) - 1
            if not isinstance(case, int) or isinstance(case, bool) or not 0 <= case <= last:
                self.problem(
                    (*where, outcome_id),
                    f"outcome '{outcome_id}' has cases 0 to {last}, not {case!r}",
                )
        return dict(value)
