"""Team view: where the executive's answers and the team's diverge, area by area.

Pure. Team members answer the sections the questionnaire marks `team: true`; each
member's answers are scored with the same rules as the executive's (their own answers in
the team sections, the executive's everywhere else, so `show_if` reads what it reads for
the executive), and only the team sections' questions count on both sides. The comparison
gives averages and spreads, never one member's figures, and nothing at all below a minimum
number of answers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Any

from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.questionnaire import Questionnaire, Section
from assess.core.scoring import score


def team_sections(q: Questionnaire) -> list[Section]:
    """The sections team members may answer."""
    return [section for section in q.sections if section.team]


def team_question_ids(q: Questionnaire) -> set[str]:
    return {question.id for section in team_sections(q) for question in section.questions}


def clean_member_answers(
    q: Questionnaire,
    executive_answers: Mapping[str, Any],
    posted: Mapping[str, Any],
    contact: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """A member's answers to the team questions, clean; InvalidAnswers (team questions only)
    otherwise."""
    ids = team_question_ids(q)
    others = {qid: value for qid, value in executive_answers.items() if qid not in ids}
    mine = {qid: value for qid, value in posted.items() if qid in ids}
    sections = {section.id for section in team_sections(q)}
    try:
        clean = validate_answers(q, {**others, **mine}, contact, only_sections=sections)
    except InvalidAnswers as invalid:
        errors = {qid: found for qid, found in invalid.errors.items() if qid in ids}
        if errors:
            raise InvalidAnswers(errors, invalid.cleaned) from None
        clean = invalid.cleaned
    return {qid: value for qid, value in clean.items() if qid in ids}


def _category_percentages(
    explained: Iterable[Mapping[str, Any]], ids: set[str]
) -> dict[str, float]:
    earned: dict[str, float] = {}
    possible: dict[str, float] = {}
    for item in explained:
        category = item.get("category")
        if item["id"] not in ids or not item.get("shown") or not category:
            continue
        if not item.get("possible"):
            continue
        earned[category] = earned.get(category, 0.0) + float(item.get("earned") or 0)
        possible[category] = possible.get(category, 0.0) + float(item["possible"])
    return {
        category: round(100 * earned[category] / total, 1)
        for category, total in possible.items()
        if total
    }


@dataclass(frozen=True)
class AreaGap:
    """One area: the executive's score and the team's, on the team questions only."""

    category: str
    executive: float | None
    team_average: float
    team_lowest: float
    team_highest: float

    @property
    def gap(self) -> float | None:
        """Team minus executive, in points: negative when the team sees it worse."""
        if self.executive is None:
            return None
        return round(self.team_average - self.executive, 1)


@dataclass(frozen=True)
class TeamView:
    answers: int
    areas: list[AreaGap]


def compare_with_team(
    q: Questionnaire,
    executive_answers: Mapping[str, Any],
    member_answers: Sequence[Mapping[str, Any]],
    contact: Mapping[str, Any] | None,
    minimum: int,
) -> TeamView | None:
    """Area by area, the executive against the team; None below `minimum` answers."""
    if len(member_answers) < max(minimum, 1):
        return None
    ids = team_question_ids(q)

    def percentages(answers: Mapping[str, Any]) -> dict[str, float]:
        explained = score(q, answers, contact).as_json()["explanation"]["questions"]
        return _category_percentages(explained, ids)

    executive = percentages(executive_answers)
    others = {qid: value for qid, value in executive_answers.items() if qid not in ids}
    members = [percentages({**others, **answers}) for answers in member_answers]
    areas = []
    for category in q.categories:
        values = [found[category.id] for found in members if category.id in found]
        if not values:
            continue
        areas.append(
            AreaGap(
                category=category.id,
                executive=executive.get(category.id),
                team_average=round(fmean(values), 1),
                team_lowest=min(values),
                team_highest=max(values),
            )
        )
    return TeamView(answers=len(member_answers), areas=areas)
