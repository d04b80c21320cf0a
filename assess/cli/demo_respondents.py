"""Fake respondents for the demo: contact, source and answers scored, as at a real completion.

Answers are drawn from the questionnaire's own questions around a maturity that grows with
company size, then go through `validate_answers` and `score`. Plain data: `demo` writes it.
"""

from __future__ import annotations

import random
import re
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from faker import Faker

from assess.core.answers import InvalidAnswers, validate_answers
from assess.core.contact import COMPANY_SIZES, SECTORS
from assess.core.questionnaire import Question, Questionnaire
from assess.core.scoring import score
from assess.core.steps import CONTACT_STEP
from assess.core.visibility import visible_sections

DOMAINS = ("example.com", "example.org")
SIZE_WEIGHTS = (40, 30, 20, 10)  # tpe, pe, me, eti: most leads are small companies
# Larger companies tend to be better organised: the centre of their answers' maturity.
SIZE_MATURITY = {"tpe": 0.32, "pe": 0.45, "me": 0.56, "eti": 0.66}
SECTOR_WEIGHTS = (18, 14, 22, 10, 12, 6, 8, 10)
# (utm_source, utm_medium, campaigns, weight); no source at all is a direct visit.
SOURCES = (
    ("linkedin", "social", ("diagnostic-2026", "webinar-pilotage", "post-sponsorise"), 30),
    ("newsletter", "email", ("newsletter-mensuelle", "relance-diagnostic"), 18),
    ("google", "cpc", ("performance-commerciale", "diagnostic-gratuit"), 15),
    ("google", "organic", (None,), 10),
    ("salon", "event", ("salon-franchise-paris", "salon-pme-lyon"), 9),
    ("partenaire", "referral", ("cci-idf", "expert-comptable"), 5),
    (None, None, (None,), 13),
)
REFERRERS = {
    "linkedin": "https://www.linkedin.com/",
    "google": "https://www.google.com/",
    "partenaire": "https://www.cci.fr/",
}
JOB_TITLES = tuple(
    "Dirigeant|Dirigeante|Gérant|Gérante|Directeur commercial|Directrice commerciale|"  # noqa: SIM905
    "Responsable des ventes|Directeur général|Responsable développement|Chef des ventes|"
    "Directrice marketing et ventes|Président|Associée|Business developer".split("|")
)
TEXT_ANSWERS = ("Recruter un commercial terrain.", "Mieux suivre les relances.")
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str, joiner: str = "") -> str:
    """The text in lower-case ASCII, runs of anything else replaced by `joiner`."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _SLUG.sub(joiner, ascii_text.lower()).strip(joiner)


def fake_respondent(
    q: Questionnaire,
    rng: random.Random,
    faker: Faker,
    now: datetime,
    months: int,
    consent_text_version: str,
) -> dict[str, Any]:
    """One respondent: contact, source, answers scored, and when it all happened."""
    size = rng.choices(COMPANY_SIZES, SIZE_WEIGHTS)[0]
    sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
    source, medium, campaigns, _ = rng.choices(SOURCES, [s[-1] for s in SOURCES])[0]
    first, last = faker.first_name(), faker.last_name()
    # More leads lately (the campaigns grew), in office hours.
    age = timedelta(days=months * 30.44 * rng.random() ** 1.4)
    completed = (now - age).replace(hour=rng.choice(range(8, 20)), minute=rng.randrange(60))
    completed = min(completed, now)
    contact = {"company_size": size, "sector": sector}
    maturity = min(max(rng.gauss(SIZE_MATURITY[size], 0.17), 0.03), 0.98)
    answers = _valid_answers(q, maturity, contact, rng)
    result = score(q, answers, contact).as_json()
    lead = {
        "first_name": first,
        "last_name": last,
        "email": f"{slug(first, '.')}.{slug(last, '.')}{rng.randrange(10, 100)}"
        f"@{rng.choice(DOMAINS)}",
        "company": faker.company(),
        "job_title": rng.choice(JOB_TITLES),
        "phone": faker.phone_number() if rng.random() < 0.8 else None,
        "company_size": size,
        "sector": sector,
        "locale": "en" if rng.random() < 0.05 else "fr",
        "consent_at": completed - timedelta(minutes=1),
        # Demo leads stand for respondents who clicked their confirmation link.
        "email_confirmed_at": completed,
        "consent_text_version": consent_text_version,
        "marketing_opt_in": rng.random() < 0.35,
        "utm_source": source,
        "utm_medium": medium,
        "utm_campaign": rng.choice(campaigns),
        "referrer": REFERRERS.get(source or ""),
        "created_at": completed - timedelta(minutes=1),
    }
    copied = ("locale", "utm_source", "utm_medium", "utm_campaign", "referrer")
    submission = {
        **{name: lead[name] for name in copied},
        "status": "completed",
        "questionnaire_id": q.id,
        "questionnaire_version": q.version,
        "questionnaire_hash": q.source_hash,
        "answers": answers,
        "steps_done": [s.id for s in visible_sections(q, answers, contact)] + [CONTACT_STEP],
        "result": result,
        "overall_score": result["overall"],
        "level": result["level"],
        "created_at": completed - timedelta(minutes=rng.randrange(5, 25)),
        "updated_at": completed,
        "completed_at": completed,
    }
    return {"lead": lead, "submission": submission}


def _valid_answers(
    q: Questionnaire, maturity: float, contact: dict[str, str], rng: random.Random
) -> dict[str, Any]:
    """Answers valid for this questionnaire: refused ones are drawn again."""
    raw = {x.id: _answer(x, maturity, rng) for x in q.questions}
    for _ in range(5):
        try:
            return validate_answers(q, {k: v for k, v in raw.items() if v is not None}, contact)
        except InvalidAnswers as invalid:
            for qid in invalid.errors:
                question = q.questions_by_id.get(qid)
                raw[qid] = _answer(question, maturity, rng, required=True) if question else None
    raise RuntimeError(f"no valid answers could be drawn for {q.id}")


def _answer(question: Question, maturity: float, rng: random.Random, required: bool = False) -> Any:
    """One plausible answer: a mature company tends to pick the options worth more."""
    if not (required or question.is_required) and rng.random() < 0.15:
        return None
    if question.type in {"single", "multiple"}:
        options = sorted(question.options or (), key=lambda o: o.points)
        if question.type == "single":
            index = round(maturity * (len(options) - 1) + rng.gauss(0, 0.8))
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
        return rng.choice(TEXT_ANSWERS)[: question.text_max_length]
    low = question.min if question.min is not None else 0.0
    high = question.max if question.max is not None else low + 100
    if question.type == "number" and high - low > 100:
        high = low + min(high - low, 60)  # leads per month, deal value: the low end is common
    target = low + (high - low) * min(max(maturity + rng.gauss(0, 0.15), 0.0), 1.0)
    step = question.step or (1 if question.type == "scale" else None)
    value = target if step is None else low + round((target - low) / step) * step
    value = min(max(value, low), high)
    return int(value) if float(value).is_integer() else round(value, 6)
