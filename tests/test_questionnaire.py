"""Loading a questionnaire: the objects it gives, their defaults and what they compute."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic
import pytest

from assess.core.questionnaire import (
    LocalizedText,
    Question,
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
    load_questionnaire_source,
)
from assess.core.visibility import visibility
from tests.helpers.paths import FIXTURES, MINIMAL, ROOT
from tests.helpers.questionnaires import variant

# Every questionnaire the project ships or tests with must load.
SHIPPED = [
    path
    for path in (ROOT / "questions.yaml", FIXTURES / "other_topic.yaml", MINIMAL)
    if path.exists()
]


@pytest.fixture(scope="module")
def minimal() -> Questionnaire:
    return load_questionnaire(MINIMAL)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_questionnaires_load(path: Path) -> None:
    questionnaire = load_questionnaire(path)
    assert questionnaire.questions
    assert all(rule.condition is not None for rule in questionnaire.recommendations)


def test_minimal_file_loads_into_typed_objects(minimal: Questionnaire) -> None:
    assert minimal.id == "diagnostic-minimal"
    assert minimal.version == "1.0"
    assert minimal.lead_capture == "end"
    assert [s.id for s in minimal.sections] == ["equipe", "chiffres"]
    assert [q.type for q in minimal.questions] == [
        "boolean",
        "multiple",
        "single",
        "scale",
        "number",
        "text",
    ]
    assert minimal.section_of["follow_up"].id == "chiffres"
    assert minimal.categories_by_id["prospection"].weight == 2
    assert minimal.categories_by_id["pilotage"].weight == 1
    assert minimal.source_path == str(MINIMAL)
    crm = minimal.questions_by_id["crm"]
    assert crm.option("partly") is not None
    assert crm.option("partly").points == 1  # type: ignore[union-attr]
    assert crm.option("missing") is None
    channels = minimal.questions_by_id["channels"]
    assert channels.condition is not None
    assert channels.condition.source == "answers.has_sales_team"
    rule = minimal.recommendations[0]
    assert rule.actions[0].who.get("fr") == "Direction commerciale"


def test_source_hash_is_the_sha256_of_the_file_bytes(minimal: Questionnaire) -> None:
    assert minimal.source_hash == hashlib.sha256(MINIMAL.read_bytes()).hexdigest()


def test_objects_are_frozen(minimal: Questionnaire) -> None:
    with pytest.raises(pydantic.ValidationError):
        minimal.id = "other"
    question = minimal.questions[0]
    with pytest.raises(pydantic.ValidationError):
        question.category = "prospection"
    with pytest.raises(pydantic.ValidationError):
        minimal.categories[0].weight = 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        minimal.title.values = ()  # type: ignore[misc]
    # Collections are tuples: nothing can be appended behind the loader's back.
    assert isinstance(minimal.sections, tuple)
    assert isinstance(minimal.sections[0].questions, tuple)
    assert isinstance(minimal.questions_by_id["crm"].options, tuple)


def test_localized_text_falls_back_to_the_default_locale(minimal: Questionnaire) -> None:
    title = minimal.title
    assert title.get("en", "fr") == "Minimal diagnostic"
    assert title.get("fr", "fr") == "Diagnostic minimal"
    assert title.get("de", "fr") == "Diagnostic minimal"
    assert minimal.text(title, "de") == "Diagnostic minimal"
    assert minimal.text(None, "fr") == ""
    plain = minimal.sections[0].title
    assert plain.get("en", "fr") == plain.get("fr", "fr") == "Équipe"
    assert plain.locales == ("*",)
    # Without the default locale either, the first language given.
    assert LocalizedText((("en", "Hello"), ("de", "Hallo"))).get("it", "fr") == "Hello"
    assert str(title) == "Diagnostic minimal"


def test_locales_lists_the_default_first(minimal: Questionnaire) -> None:
    assert minimal.locales == ("fr", "en")


def test_points_possible_per_type(minimal: Questionnaire) -> None:
    possible = {q.id: q.points_possible for q in minimal.questions}
    assert possible == {
        "has_sales_team": 2.0,  # boolean: the larger of yes and no
        "channels": 5.0,  # multiple: positive points 3 + 4, capped by max_points 5
        "crm": 3.0,  # single: the largest option
        "follow_up": 4.0,  # scale without points: max - min
        "contacts_before_giving_up": 4.0,  # number: the largest band
        "comment": 0.0,  # text: never scored
    }


def test_multiple_without_cap_sums_its_positive_points(tmp_path: Path) -> None:
    q = variant(tmp_path, ("        max_points: 5\n", ""))
    assert q.questions_by_id["channels"].points_possible == 7.0


def test_boolean_points_possible_is_the_larger_of_yes_and_no(tmp_path: Path) -> None:
    q = variant(tmp_path, ("points: {yes: 2, no: 0}", "points: {yes: 0, no: 3}"))
    assert q.questions_by_id["has_sales_team"].points_possible == 3.0
    assert q.questions_by_id["has_sales_team"].boolean_points == (0.0, 3.0)


def test_boolean_without_points_gives_one_for_yes(tmp_path: Path) -> None:
    q = variant(tmp_path, ("        points: {yes: 2, no: 0}\n", ""))
    assert q.questions_by_id["has_sales_team"].boolean_points == (1.0, 0.0)
    assert q.questions_by_id["has_sales_team"].points_possible == 1.0


def test_scale_with_bands_takes_the_largest_band(tmp_path: Path) -> None:
    q = variant(
        tmp_path,
        (
            "        max: 5\n",
            "        max: 5\n        points: [{below: 3, points: 0}, {points: 6}]\n",
        ),
    )
    follow_up = q.questions_by_id["follow_up"]
    assert follow_up.bands is not None
    assert follow_up.points_possible == 6.0


def test_question_without_category_is_not_scored(tmp_path: Path) -> None:
    q = variant(tmp_path, ("        category: pilotage\n        options:", "        options:"))
    crm = q.questions_by_id["crm"]
    assert not crm.is_scored
    assert crm.points_possible == 0.0


def test_level_for_picks_the_last_level_reached(minimal: Questionnaire) -> None:
    def level(score: float | None) -> str | None:
        found = minimal.level_for(score)
        return found.id if found else None

    assert level(None) is None
    assert level(0) == "debutant"
    assert level(59.9) == "debutant"
    assert level(60) == "avance"
    assert level(100) == "avance"


def test_required_defaults_to_true_but_for_text(minimal: Questionnaire) -> None:
    required = {q.id: q.is_required for q in minimal.questions}
    assert required == {
        "has_sales_team": True,
        "channels": True,
        "crm": True,
        "follow_up": True,
        "contacts_before_giving_up": True,
        "comment": False,
    }
    assert minimal.questions_by_id["comment"].text_max_length == 1000


def test_required_can_be_set_either_way(tmp_path: Path) -> None:
    q = variant(
        tmp_path,
        (
            '        label: "Utilisez-vous un CRM ?"\n',
            '        label: "CRM ?"\n        required: false\n',
        ),
        ('        label: "Un commentaire ?"\n', '        label: "?"\n        required: true\n'),
    )
    assert not q.questions_by_id["crm"].is_required
    assert q.questions_by_id["comment"].is_required


def test_rule_text_is_compiled_per_language(minimal: Questionnaire) -> None:
    rule = minimal.recommendations[0]
    template = rule.text_template("en", minimal.locale)
    rendered = template.render({"answers": {"contacts_before_giving_up": 4}})
    assert rendered == "Vous abandonnez après 4 contacts."


def test_load_questionnaire_source_matches_the_file() -> None:
    raw = MINIMAL.read_bytes()
    from_bytes = load_questionnaire_source(raw, "snapshot:diagnostic-minimal@1.0")
    from_file = load_questionnaire(MINIMAL)
    assert from_bytes.source_hash == from_file.source_hash == hashlib.sha256(raw).hexdigest()
    assert from_bytes.source_path == "snapshot:diagnostic-minimal@1.0"
    assert from_bytes.model_dump() == from_file.model_dump()
    # Compiled like a file: conditions and rule texts are ready to use.
    assert from_bytes.questions_by_id["channels"].condition is not None
    assert from_bytes.recommendations[0].condition.source == from_file.recommendations[0].when


def test_load_questionnaire_source_names_its_problems_after_the_name() -> None:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaire_source(MINIMAL.read_bytes().replace(b"format: 1", b"format: 2"), "db:7")
    assert str(caught.value).startswith("db:7:")
    with pytest.raises(QuestionnaireError, match=r"^db:8:1: not UTF-8 text"):
        load_questionnaire_source(b"\xff\xfe format: 1", "db:8")


def test_load_questionnaire_reports_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(QuestionnaireError, match="cannot read the file"):
        load_questionnaire(missing)


DOMAIN_MODULES = [
    "assess.core.questionnaire",
    "assess.core.scoring",
    "assess.core.answers",
    "assess.core.visibility",
    "assess.core.questionnaire.expressions",
]
ADAPTERS = ["flask", "sqlalchemy", "weasyprint"]


# Imports the domain modules in a fresh interpreter, prints the adapter modules loaded.
IMPORT_CODE = """
import importlib, json, sys, types
if {bare_package!r}:
    # The package without its __init__ (the app factory): the domain modules alone.
    package = types.ModuleType("assess")
    package.__path__ = [{package_dir!r}]
    sys.modules["assess"] = package
for name in {modules!r}:
    importlib.import_module(name)
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {adapters!r})))
"""


def adapters_imported(bare_package: bool) -> list[str]:
    code = IMPORT_CODE.format(
        bare_package=bare_package,
        package_dir=str(ROOT / "assess"),
        modules=DOMAIN_MODULES,
        adapters=ADAPTERS,
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    imported: list[str] = json.loads(result.stdout)
    return imported


def test_the_domain_modules_do_not_import_web_database_or_pdf_libraries() -> None:
    assert adapters_imported(bare_package=True) == []


def test_importing_the_domain_does_not_import_web_database_or_pdf_libraries() -> None:
    assert adapters_imported(bare_package=False) == []


# Issue 17: the shipped diagnostic asked too much. On any path through it (any combination of
# the answers its show_if read), at most this many scored questions are shown.
MAX_SCORED_ON_A_PATH = 25


def _gate_values(question: Question, sources: list[str]) -> list[Any]:
    """The answers worth trying for a question some show_if reads: every option, both
    booleans, and for numbers the bounds and each side of every constant the conditions use."""
    if question.type == "boolean":
        return [True, False]
    if question.type == "single":
        return [option.value for option in question.options or ()]
    if question.type == "multiple":
        return [[option.value] for option in question.options or ()]
    low = int(question.min if question.min is not None else 0)
    high = int(question.max if question.max is not None else 100)
    constants = {int(c) for source in sources for c in re.findall(r"\b\d+\b", source)}
    near = {c + shift for c in constants for shift in (-1, 0, 1)}
    return sorted(v for v in near | {low, high} if low <= v <= high)


def scored_counts_on_every_path(q: Questionnaire) -> dict[tuple[str, ...], int]:
    """Each distinct set of scored questions shown, over every combination of gate answers."""
    conditions = [s.condition for s in q.sections if s.condition] + [
        x.condition for x in q.questions if x.condition
    ]
    read = sorted(
        {ref.key for c in conditions for ref in c.references if ref.root == "answers" and ref.key},
        key=[x.id for x in q.questions].index,
    )
    sources = [c.source for c in conditions]
    choices = [_gate_values(q.questions_by_id[qid], sources) for qid in read]
    found: dict[tuple[str, ...], int] = {}
    for combination in itertools.product(*choices):
        answers = dict(zip(read, combination, strict=True))
        shown = tuple(
            question.id
            for _section, question, visible in visibility(q, answers, None)
            if visible and question.is_scored
        )
        found[shown] = len(shown)
    return found


def test_no_path_through_the_shipped_diagnostic_asks_more_than_25_scored_questions() -> None:
    q = load_questionnaire(ROOT / "questions.yaml")
    paths = scored_counts_on_every_path(q)
    # The enumeration really branches: with and without a team, a dashboard, a measured
    # retention rate... each gives another set of questions.
    assert len(paths) >= 8
    worst = max(paths, key=lambda shown: paths[shown])
    assert paths[worst] <= MAX_SCORED_ON_A_PATH, worst
    # The path of a company with a team, objectives, a dashboard and a measured retention
    # rate is the longest; the owner who sells alone is asked fewer.
    assert {"objectives_scope", "kpi_shared_with_team", "team_profiles"} & set(worst)
    assert min(paths.values()) < paths[worst]


def test_the_path_count_sees_questions_a_show_if_adds(tmp_path: Path) -> None:
    # The counter is not blind: a scored follow-up behind a show_if lengthens one path only.
    source = (ROOT / "questions.yaml").read_text(encoding="utf-8")
    follow_up = (
        "      - id: extra_scored\n"
        "        type: boolean\n"
        "        category: fidelisation\n"
        '        show_if: "answers.retention_known"\n'
        '        label: "Question de plus ?"\n'
    )
    anchor = "      - id: customers_lost_estimate\n"
    path = tmp_path / "questions.yaml"
    path.write_text(source.replace(anchor, follow_up + anchor), encoding="utf-8")
    before = scored_counts_on_every_path(load_questionnaire(ROOT / "questions.yaml"))
    after = scored_counts_on_every_path(load_questionnaire(path))
    assert max(after.values()) == max(before.values()) + 1
    assert min(after.values()) == min(before.values())


def test_every_none_option_of_the_shipped_diagnostic_is_exclusive() -> None:
    q = load_questionnaire(ROOT / "questions.yaml")
    nones = {"aucun", "aucune", "aucun_plan", "aucun_objectif", "ne_sais_pas"}
    for question in q.questions:
        if question.type != "multiple":
            continue
        for option in question.options or ():
            if option.value in nones:
                assert option.exclusive, (question.id, option.value)
