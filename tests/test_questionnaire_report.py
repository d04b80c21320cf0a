"""The report's extensions to the questionnaire: suggested KPIs and the assumed win rate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assess.core.answers import validate_answers
from assess.core.contact import expression_contact
from assess.core.questionnaire import Questionnaire, QuestionnaireError, load_questionnaire
from assess.core.scoring import score
from tests.helpers.paths import MINIMAL, ROOT
from tests.helpers.questionnaires import variant

PERSONAS = sorted((Path(__file__).resolve().parent / "personas").glob("*.json"))

# The minimal questionnaire's report, extended with a cost estimate and suggested indicators.
CALL_TO_ACTION = (
    '  call_to_action: {label: "Prendre rendez-vous", url: "https://example.com/rdv"}\n'
)
COST = """\
  cost_of_giving_up:
    leads_per_month: contacts_before_giving_up
    deal_value: contacts_before_giving_up
    contacts_before_giving_up: contacts_before_giving_up
"""
KPIS = """\
  kpis:
    - id: relances_par_prospect
      when: "answers.contacts_before_giving_up is not none
        and answers.contacts_before_giving_up < 7"
      priority: 1
      label: {fr: "Relances par prospect", en: "Follow-ups per prospect"}
      why: {fr: "Une vente se conclut au 7e contact.", en: "A sale closes at the 7th contact."}
    - id: pilotage_negoce
      when: "scores.pilotage is not none and scores.pilotage < 50 and contact.sector == 'negoce'"
      label: "Délais de livraison"
      why: "Dans le négoce, le délai pèse sur le réachat."
    - id: chiffre_affaires
      label: "Chiffre d'affaires par rapport aux objectifs"
      why: "La base du tableau de bord."
"""


def with_report(tmp_path: Path, extra: str) -> Questionnaire:
    """The minimal questionnaire with `extra` added to its report section."""
    return variant(tmp_path, (CALL_TO_ACTION, CALL_TO_ACTION + extra))


def test_kpis_and_win_rate_are_optional() -> None:
    report = load_questionnaire(MINIMAL).report
    assert report.kpis == ()
    assert report.cost_of_giving_up is None


def test_kpis_load_in_file_order_with_their_defaults(tmp_path: Path) -> None:
    q = with_report(tmp_path, KPIS)
    kpis = q.report.kpis
    assert [k.id for k in kpis] == ["relances_par_prospect", "pilotage_negoce", "chiffre_affaires"]
    assert [k.priority for k in kpis] == [1, 2, 2]  # priority defaults to 2
    assert q.text(kpis[0].label, "en") == "Follow-ups per prospect"
    assert q.text(kpis[0].why, "fr") == "Une vente se conclut au 7e contact."
    # An indicator without `when` is always suggested: it has no condition.
    assert kpis[2].when is None
    assert kpis[2].condition is None


def test_kpi_conditions_are_compiled_and_read_every_name(tmp_path: Path) -> None:
    q = with_report(tmp_path, KPIS)
    follow_ups, negoce, _ = q.report.kpis
    assert follow_ups.condition is not None
    assert follow_ups.condition.source == follow_ups.when
    assert follow_ups.condition.is_true({"answers": {"contacts_before_giving_up": 3}})
    assert not follow_ups.condition.is_true({"answers": {"contacts_before_giving_up": 8}})
    assert not follow_ups.condition.is_true({"answers": {"contacts_before_giving_up": None}})
    # Unlike a show_if, a `when` reads scores and the contact.
    assert negoce.condition is not None
    context = {"scores": {"pilotage": 40.0}, "contact": expression_contact({"sector": "negoce"})}
    assert negoce.condition.is_true(context)
    assert not negoce.condition.is_true({**context, "contact": expression_contact({})})
    assert [str(r) for r in negoce.condition.references] == ["scores.pilotage", "contact.sector"]


def test_kpi_texts_count_towards_the_languages(tmp_path: Path) -> None:
    extra = '  kpis:\n    - {id: ca, label: {fr: "CA", de: "Umsatz"}, why: "Base."}\n'
    assert with_report(tmp_path, extra).locales == ("fr", "de", "en")


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ('    - {id: ca, label: "CA"}\n', "missing key 'why'"),
        ('    - {id: ca, label: "CA", why: "x", priority: 0}\n', "'priority' must be greater"),
        (
            '    - {id: ca, label: "CA", why: "x", when: "scores.inconnue > 2"}\n',
            "unknown category",
        ),
        ('    - {id: ca, label: "CA", why: "x", when: "answers.crm =="}\n', "does not parse"),
        ('    - {id: ca, label: "CA", why: "x", when: "budget > 2"}\n', "unknown name 'budget'"),
    ],
)
def test_kpi_problems_are_reported(tmp_path: Path, extra: str, fragment: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        with_report(tmp_path, "  kpis:\n" + extra)
    assert len(caught.value.problems) == 1, caught.value
    assert fragment in caught.value.problems[0].message


def test_the_rate_and_target_questions_are_optional_and_named(tmp_path: Path) -> None:
    plain = with_report(tmp_path, COST).report.cost_of_giving_up
    assert plain is not None
    assert plain.conversion_rate is None and plain.new_customers_target is None
    named = with_report(
        tmp_path,
        COST
        + "    conversion_rate: contacts_before_giving_up\n"
        + "    new_customers_target: contacts_before_giving_up\n",
    ).report.cost_of_giving_up
    assert named is not None
    assert named.conversion_rate == named.new_customers_target == "contacts_before_giving_up"


def test_assumed_win_rate_defaults_to_none(tmp_path: Path) -> None:
    cost = with_report(tmp_path, COST).report.cost_of_giving_up
    assert cost is not None
    assert cost.assumed_win_rate is None


@pytest.mark.parametrize("rate", ["0.35", "1", "0.01"])
def test_assumed_win_rate_is_a_share(tmp_path: Path, rate: str) -> None:
    cost = with_report(tmp_path, COST + f"    assumed_win_rate: {rate}\n").report.cost_of_giving_up
    assert cost is not None
    assert cost.assumed_win_rate == float(rate)


@pytest.mark.parametrize(
    ("rate", "fragment"),
    [
        ("0", "must be above 0 and at most 1, not 0"),
        ("-0.2", "must be above 0 and at most 1, not -0.2"),
        ("1.5", "must be above 0 and at most 1, not 1.5"),
        ("20", "e.g. 0.2 for 20 %"),
        (".nan", "must be above 0 and at most 1, not nan"),
        ("yes", "must be a number"),
        ('"0.2"', "must be a number, not the text '0.2'"),
    ],
)
def test_assumed_win_rate_out_of_range_is_refused(tmp_path: Path, rate: str, fragment: str) -> None:
    with pytest.raises(QuestionnaireError) as caught:
        with_report(tmp_path, COST + f"    assumed_win_rate: {rate}\n")
    (problem,) = caught.value.problems
    assert fragment in problem.message
    assert "assumed_win_rate" in problem.message


@pytest.fixture(scope="module")
def shipped() -> Questionnaire:
    return load_questionnaire(ROOT / "questions.yaml")


def test_shipped_kpis_are_translated_and_sourced(shipped: Questionnaire) -> None:
    kpis = shipped.report.kpis
    assert 12 <= len(kpis) <= 20
    for kpi in kpis:
        # Issue 18: each indicator with what to aim for, how often, and who follows it.
        assert kpi.target and kpi.frequency and kpi.who, kpi.id
        for text in (kpi.label, kpi.why, kpi.target, kpi.frequency):
            assert {"fr", "en"} <= set(text.locales), kpi.id
    source = (ROOT / "questions.yaml").read_text(encoding="utf-8")
    report = source[source.index("\nreport:") :]
    for kpi in kpis:
        before = report[: report.index(f"- id: {kpi.id}\n")].rstrip().splitlines()[-1]
        assert before.strip().startswith("# Source:"), kpi.id


def suggested_kpis(q: Questionnaire, persona: Path) -> list[str]:
    """The indicators whose `when` holds for a persona, in the context scoring uses."""
    data = json.loads(persona.read_text(encoding="utf-8"))
    contact = data.get("contact") or {}
    result = score(q, validate_answers(q, data["answers"], contact), contact)
    context = {
        "answers": {s.question_id: s.answer if s.shown else None for s in result.questions},
        "scores": {cid: c.score for cid, c in result.categories.items()},
        "levels": {cid: c.level for cid, c in result.categories.items()},
        "overall": result.overall,
        "level": result.level,
        "contact": expression_contact(contact),
    }
    return [
        kpi.id for kpi in q.report.kpis if kpi.condition is None or kpi.condition.is_true(context)
    ]


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_shipped_kpis_fit_every_persona(shipped: Questionnaire, persona: Path) -> None:
    # Issue 18: a dashboard of five to ten indicators. The domain material warns against more
    # than about ten: the report prints the ten most urgent, so suggesting one or two more
    # only means the least urgent are left out.
    suggested = suggested_kpis(shipped, persona)
    assert 5 <= len(suggested) <= 12, suggested


# The indicators the diagnostic asks about (kpi_tracked): never suggested to a company that
# said it tracks them already.
ALREADY_TRACKED = {
    "taux_transformation": "taux_conversion",
    "rdv_par_client_gagne": "rdv_par_vente",
    "cout_rendez_vous": "cout_rdv",
    "panier_moyen": "panier_moyen",
    "satisfaction_clients": "satisfaction",
    "reclamations": "satisfaction",
    "taux_fidelisation": "taux_fidelisation",
    "taux_marge_objectifs": "taux_marge",
    "ca_objectifs": "chiffre_affaires",
}


@pytest.mark.parametrize("persona", PERSONAS, ids=[p.stem for p in PERSONAS])
def test_no_indicator_the_company_tracks_is_suggested_to_it(shipped, persona, tmp_path):
    tracked_options = {o.value for o in shipped.questions_by_id["kpi_tracked"].options}
    assert set(ALREADY_TRACKED.values()) <= tracked_options
    data = json.loads(persona.read_text(encoding="utf-8"))
    everything = tmp_path / "tracks-everything.json"
    answers = {**data["answers"], "kpi_count": "quatre_a_dix"}
    answers["kpi_tracked"] = sorted(set(ALREADY_TRACKED.values()))
    everything.write_text(json.dumps({**data, "answers": answers}), encoding="utf-8")
    for answered in (persona, everything):
        tracked = set(json.loads(answered.read_text(encoding="utf-8"))["answers"]["kpi_tracked"])
        for kpi_id in suggested_kpis(shipped, answered):
            assert ALREADY_TRACKED.get(kpi_id) not in tracked, (answered.name, kpi_id)


def test_shipped_kpis_differ_between_personas(shipped: Questionnaire) -> None:
    suggestions = {tuple(suggested_kpis(shipped, persona)) for persona in PERSONAS}
    assert len(suggestions) == len(PERSONAS)


def test_one_salesperson_is_named_as_the_one_not_as_each(shipped: Questionnaire) -> None:
    data = json.loads((ROOT / "tests" / "personas" / "negoce_historique.json").read_text())
    contact = data.get("contact") or {}
    owners = {}
    for count in (1, 3):
        answers = {**data["answers"], "has_sales_team": True, "salespeople": count}
        result = score(shipped, validate_answers(shipped, answers, contact), contact)
        owners[count] = {a["who"]["fr"] for r in result.recommendations for a in r.actions}
    assert "Chaque commercial" in owners[3] and "Le commercial" not in owners[3]
    assert "Le commercial" in owners[1] and "Chaque commercial" not in owners[1]
