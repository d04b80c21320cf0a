"""How fast the shipped questionnaire loads and scores, against a baseline of the same run.

Baseline: `json.loads` of one answer payload (`{"answers": ..., "contact": ...}`,
the JSON the CLI scores), cycling over the same answer sets as the scoring runs.
It is the least a request that scores answers must do, so "one scoring costs N
baseline operations" stays comparable between machines and under load.

Figures, single-threaded (one core), timed in CPU time; the baseline is measured in
rounds interleaved with each figure's rounds and the ratio is the median of the rounds:
- load: median time of `load_questionnaire` over several loads;
- validate + score: `validate_answers` then `score`, what a submission costs;
- score alone: `score` on answers already validated.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from assess.core.answers import validate_answers
from assess.core.contact import COMPANY_SIZES, SECTORS
from assess.core.questionnaire import (
    Question,
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
)
from assess.core.scoring import score

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "questions.yaml"
FALLBACK = ROOT / "tests" / "fixtures" / "scoring.yaml"
GOAL_PER_SECOND = 2_000
LOADS = 9
ROUNDS = 5
ROUND_SECONDS = 0.25
# Respondents from the least to the most mature: the chance of picking a good answer.
MATURITIES = (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0)
SETS_PER_MATURITY = 3

Payload = tuple[dict[str, Any], dict[str, Any]]


def run() -> list[str]:
    """Measure and return the lines to print."""
    lines: list[str] = []
    path, note = _questionnaire_path()
    if note:
        lines.append(note)
    questionnaire = load_questionnaire(path)
    payloads = realistic_answers(questionnaire, seed=20240214)
    # Every payload must be valid, or the figures would measure the error path.
    cleaned = [(validate_answers(questionnaire, a, c), c) for a, c in payloads]
    texts = [json.dumps({"answers": a, "contact": c}) for a, c in payloads]
    lines.append(
        f"questionnaire: {_relative(path)} ({len(questionnaire.questions)} questions, "
        f"{len(questionnaire.recommendations)} rules, {len(questionnaire.locales)} languages); "
        f"{len(payloads)} answer sets, maturity {MATURITIES[0]:g} to {MATURITIES[-1]:g}"
    )

    baseline = _Baseline(json.loads, texts)
    load_seconds, load_ratio = baseline.time(lambda: load_questionnaire(path))
    both, both_ratio = baseline.rate(
        lambda item: score(questionnaire, validate_answers(questionnaire, *item)), payloads
    )
    alone, alone_ratio = baseline.rate(lambda item: score(questionnaire, *item), cleaned)
    lines.append(f"baseline = json.loads of one answer payload: {baseline.median:,.0f}/s")
    lines.append(
        f"load {_relative(path)}: {load_seconds * 1000:.1f} ms (median of {LOADS}) "
        f"= {load_ratio:,.0f} baseline ops"
    )
    for label, rate, ratio in (
        ("validate + score", both, both_ratio),
        ("score alone", alone, alone_ratio),
    ):
        verdict = "met" if rate >= GOAL_PER_SECOND else "NOT met"
        lines.append(
            f"{label}: {rate:,.0f}/s = {ratio:.4f}x baseline ({1 / ratio:.0f} baseline ops each); "
            f"goal >= {GOAL_PER_SECOND:,}/s: {verdict}"
        )
    return lines


class _Baseline:
    """The baseline operation, measured in a round before each round of a figure.

    A busy machine slows both alike, so the ratio of paired rounds holds better than
    either rate: each ratio printed is the median of its rounds' ratios.
    """

    def __init__(self, operation: Callable[[Any], Any], items: Sequence[Any]):
        self.operation = operation
        self.items = items
        self.rates: list[float] = []

    @property
    def median(self) -> float:
        """Baseline operations per second, median of every round measured."""
        return statistics.median(self.rates)

    def measure(self) -> float:
        self.rates.append(_rate(self.operation, self.items))
        return self.rates[-1]

    def rate(self, operation: Callable[[Any], Any], items: Sequence[Any]) -> tuple[float, float]:
        """(operations per second, ratio to the baseline), medians over the rounds."""
        rates, ratios = [], []
        for _ in range(ROUNDS):
            reference = self.measure()
            rates.append(_rate(operation, items))
            ratios.append(rates[-1] / reference)
        return statistics.median(rates), statistics.median(ratios)

    def time(self, operation: Callable[[], Any]) -> tuple[float, float]:
        """(seconds per call, the same in baseline operations), medians over LOADS calls."""
        times, ratios = [], []
        for _ in range(LOADS):
            reference = self.measure()
            started = time.process_time()
            operation()
            times.append(time.process_time() - started)
            ratios.append(times[-1] * reference)
        return statistics.median(times), statistics.median(ratios)


def realistic_answers(q: Questionnaire, seed: int) -> list[Payload]:
    """Answer sets a range of respondents could give, from weak to strong, with a contact."""
    rng = random.Random(seed)
    payloads = []
    for maturity in MATURITIES:
        for _ in range(SETS_PER_MATURITY):
            answers = {}
            for question in q.questions:
                value = _answer(question, maturity, rng)
                if value is not None:
                    answers[question.id] = value
            contact = {"company_size": rng.choice(COMPANY_SIZES), "sector": rng.choice(SECTORS)}
            payloads.append((answers, contact))
    return payloads


def _answer(question: Question, maturity: float, rng: random.Random) -> Any:
    """One plausible answer: a mature respondent tends to pick the options worth more."""
    if not question.is_required and rng.random() < 0.2:
        return None
    if question.type in {"single", "multiple"}:
        options = sorted(question.options or (), key=lambda o: o.points)
        if question.type == "single":
            index = round(maturity * (len(options) - 1) + rng.uniform(-1, 1))
            return options[min(max(index, 0), len(options) - 1)].value
        # An exclusive option ("none") is an answer on its own, more likely when immature.
        alone = [o.value for o in options if o.exclusive]
        if alone and rng.random() < (1 - maturity) * 0.5:
            return [rng.choice(alone)]
        free = [o for o in options if not o.exclusive]
        chosen = [o.value for o in free if rng.random() < (maturity if o.points > 0 else 0.2)]
        return chosen or [rng.choice(free).value]
    if question.type == "boolean":
        return rng.random() < maturity
    if question.type == "text":
        return rng.choice(["", "Développer le portefeuille.", "Recruter un commercial\r\nen 2025."])
    low = question.min if question.min is not None else 0.0
    high = question.max if question.max is not None else low + 100
    step = question.step or (1.0 if question.type == "scale" else None)
    if question.type == "number" and high - low > 100:
        # Answers cluster at the low end of wide ranges (leads per month, deal value).
        high = low + 50
    target = low + (high - low) * min(max(maturity + rng.uniform(-0.2, 0.2), 0.0), 1.0)
    if step is None:
        return round(target, 2)
    value = low + round((target - low) / step) * step
    return int(value) if float(value).is_integer() else value


def _rate(operation: Callable[[Any], Any], items: Sequence[Any]) -> float:
    """Operations per CPU second over one round cycling over items."""
    count = 0
    started = time.process_time()
    while True:
        for item in items:
            operation(item)
        count += len(items)
        elapsed = time.process_time() - started
        if elapsed >= ROUND_SECONDS:
            return count / elapsed


def _questionnaire_path() -> tuple[Path, str]:
    """The shipped file, or the test fixture (with a note) when it is missing or broken."""
    try:
        load_questionnaire(SHIPPED)
    except QuestionnaireError as error:
        reason = (
            "missing" if not SHIPPED.exists() else f"does not load ({len(error.problems)} problems)"
        )
        return (
            FALLBACK,
            f"NOTE: {_relative(SHIPPED)} {reason}: measuring {_relative(FALLBACK)} instead",
        )
    return SHIPPED, ""


def _relative(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)
