"""The HTML of a step's questions, built once per questionnaire and language.

Labels, help texts, options and units are translated, typeset (French typography in
French, as every template rendered in French gets) and escaped when a language is first
served; a request only adds what depends on the respondent: the values
checked or typed, the error messages, and whether `show_if` hides the question.
Rendering them with a Jinja macro on every page was most of a step page's time.

The markup contract: the input names are the question ids, booleans post yes/no,
each field sits in a fieldset with its legend (or has a label), and its help text
and error are tied to it with aria-describedby.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import gettext as babel_gettext
from markupsafe import Markup, escape

from assess.core.questionnaire import LocalizedText, Question, Questionnaire
from assess.i18n import current_locale, typography

CHOICE_TYPES = frozenset({"single", "multiple", "boolean", "scale"})


@dataclass(frozen=True)
class _Choice:
    """One radio or checkbox: the markup before and after its checked/disabled flags."""

    value: Any
    head: str
    tail: str


@dataclass(frozen=True)
class Field:
    """A question's markup, translated and escaped, with the slots a request fills."""

    question: Question
    openings: dict[tuple[bool, bool], str]  # (has errors, shown) -> up to the help text
    error_id: str
    described: tuple[str, str]  # the aria-describedby attribute, without and with an error
    choices_open: str
    choices: tuple[_Choice, ...]
    input_head: str  # a number or text field: its tag up to the value
    input_tail: str
    closing: str

    def render(self, value: Any, errors: Sequence[str] | None, shown: bool) -> str:
        """The question's HTML for this value, these error messages and this visibility."""
        has_errors = bool(errors)
        parts = [self.openings[has_errors, shown]]
        if errors:
            messages = "".join(f"{escape(message)} " for message in errors)
            parts.append(f'<p class="field-error" id="{self.error_id}">{messages}</p>\n')
        disabled = "" if shown else " disabled"
        kind = self.question.type
        if kind in CHOICE_TYPES:
            parts.append(self.choices_open)
            for choice in self.choices:
                checked = " checked" if _is_checked(kind, choice.value, value) else ""
                parts.append(f"{choice.head}{checked}{disabled}{choice.tail}")
        else:
            typed = "" if value is None else escape(value)
            attributes = (
                self.described[has_errors]
                + (' aria-invalid="true"' if has_errors else "")
                + disabled
            )
            if kind == "text":
                parts.append(f"{self.input_head}{attributes}>{typed}</textarea>\n")
            else:
                parts.append(f'{self.input_head}{typed}"{attributes}{self.input_tail}')
        parts.append(self.closing)
        return "".join(parts)


def _is_checked(kind: str, option: Any, value: Any) -> bool:
    """Whether an option is the answer given (stored, or as posted beside an error)."""
    if kind == "multiple":
        if isinstance(value, str):
            return False
        try:
            return option in value
        except TypeError:
            return False
    if kind == "boolean":
        return value is option or value == ("yes" if option else "no")
    if kind == "scale":
        return value is not None and str(value) == str(option)
    return bool(value == option)


def build_fields(
    q: Questionnaire, locale: str, default_locale: str, gettext: Callable[[str], str]
) -> dict[str, Field]:
    """Every question's markup in one language, by question id (`gettext` for the UI words)."""
    typeset = typography(locale)

    def tr(text: LocalizedText | None) -> str:
        return str(escape(typeset(text.get(locale, default_locale)))) if text is not None else ""

    # Outside the f-string: the message extractor does not look inside one.
    optional_word = escape(typeset(gettext("(optional)")))
    optional = f' <span class="optional">{optional_word}</span>'
    ui = {"yes": str(escape(typeset(gettext("Yes")))), "no": str(escape(typeset(gettext("No"))))}
    return {question.id: _field(question, tr, optional, ui) for question in q.questions}


def _field(
    question: Question,
    tr: Callable[[LocalizedText | None], str],
    optional: str,
    ui: Mapping[str, str],
) -> Field:
    qid = str(escape(question.id))
    help_id, error_id = f"help-{qid}", f"err-{qid}"
    label = tr(question.label) + ("" if question.is_required else optional)
    help_html = f'<p class="help" id="{help_id}">{tr(question.help)}</p>\n' if question.help else ""
    conditional = " data-conditional" if question.show_if else ""

    def described(has_errors: bool) -> str:
        ids = ([help_id] if question.help else []) + ([error_id] if has_errors else [])
        return f' aria-describedby="{" ".join(ids)}"' if ids else ""

    openings = {}
    for has_errors in (False, True):
        for shown in (False, True):
            div = (
                f'<div class="question{" has-error" if has_errors else ""}" data-question="{qid}"'
                f"{conditional}{'' if shown else ' hidden'}>\n"
            )
            if question.type in CHOICE_TYPES:
                head = f'<fieldset id="q-{qid}"{described(has_errors)}>\n<legend>{label}</legend>\n'
            else:
                head = f'<label class="field-label" for="q-{qid}">{label}</label>\n'
            openings[has_errors, shown] = div + head + help_html
    choices: tuple[_Choice, ...] = ()
    choices_open, input_head, input_tail, closing = "", "", "", "</div>\n"
    if question.type in CHOICE_TYPES:
        choices, choices_open, choices_close = _choices(question, qid, tr, ui)
        closing = f"{choices_close}</fieldset>\n</div>\n"
    elif question.type == "number":
        input_head = (
            f'<div class="with-unit">\n<input id="q-{qid}" name="{qid}" type="text"'
            ' inputmode="decimal" autocomplete="off" value="'
        )
        unit = tr(question.unit)
        input_tail = (
            (" required" if question.is_required else "")
            + ">\n"
            + (f'<span class="unit">{unit}</span>\n' if unit else "")
            + "</div>\n"
        )
    else:
        input_head = (
            f'<textarea id="q-{qid}" name="{qid}" rows="4" maxlength="{question.text_max_length}"'
        )
    return Field(
        question,
        openings,
        error_id,
        (described(False), described(True)),
        choices_open,
        choices,
        input_head,
        input_tail,
        closing,
    )


def _choices(
    question: Question,
    qid: str,
    tr: Callable[[LocalizedText | None], str],
    ui: Mapping[str, str],
) -> tuple[tuple[_Choice, ...], str, str]:
    """(the choices, the markup before them, after them) of a choice question."""
    if question.type == "boolean":
        return (
            tuple(
                _Choice(
                    flag,
                    f'<label class="choice"><input type="radio" name="{qid}" value="{word}"',
                    f"> <span>{ui[word]}</span></label>\n",
                )
                for flag, word in ((True, "yes"), (False, "no"))
            ),
            '<div class="choices inline">\n',
            "</div>\n",
        )
    if question.type in {"single", "multiple"}:
        kind = "radio" if question.type == "single" else "checkbox"
        return (
            tuple(
                _Choice(
                    option.value,
                    f'<label class="choice"><input type="{kind}" name="{qid}"'
                    f' value="{escape(option.value)}"'
                    # wizard.js unticks the others when an exclusive option is ticked
                    + (" data-exclusive" if option.exclusive else ""),
                    f"> <span>{tr(option.label)}</span></label>\n",
                )
                for option in question.options or ()
            ),
            '<div class="choices">\n',
            "</div>\n",
        )
    # A scale: its points, the end labels read aloud with the first and last point.
    step = int(question.step or 1)
    points = range(int(question.min or 0), int(question.max or 0) + 1, step if step > 0 else 1)
    low = tr(question.min_label) if question.min_label else None
    high = tr(question.max_label) if question.max_label else None
    choices = []
    for index, point in enumerate(points):
        said = ""
        if index == 0 and low is not None:
            said = f'<span class="visually-hidden"> – {low}</span>'
        elif index == len(points) - 1 and high is not None:
            said = f'<span class="visually-hidden"> – {high}</span>'
        choices.append(
            _Choice(
                point,
                f'<label class="scale-point"><input type="radio" name="{qid}" value="{point}"',
                f">\n<span>{point}{said}</span></label>\n",
            )
        )
    before = '<div class="scale">\n'
    if low is not None:
        before += f'<span class="scale-end" aria-hidden="true">{low}</span>\n'
    after = "</div>\n" + (
        f'<span class="scale-end" aria-hidden="true">{high}</span>\n' if high is not None else ""
    )
    return tuple(choices), before + '<div class="scale-points">\n', after + "</div>\n"


def current_fields(q: Questionnaire) -> dict[str, Field]:
    """The questions' markup in the request's language, built on that language's first page."""
    locale = current_locale()
    cache: dict[tuple[int, str], tuple[Questionnaire, dict[str, Field]]]
    cache = current_app.extensions.setdefault("assess.web.question_fragments", {})
    found = cache.get((id(q), locale))
    if found is None or found[0] is not q:
        default_locale = current_app.config["LANGUAGES"][0]
        found = cache[id(q), locale] = (q, build_fields(q, locale, default_locale, babel_gettext))
    return found[1]


def render_fields(
    q: Questionnaire,
    questions: Iterable[Question],
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]],
    shown: Collection[str],
) -> Markup:
    """The HTML of these questions, with the respondent's values, errors and visibility."""
    fields = current_fields(q)
    return Markup(  # noqa: S704 - built from escaped parts only
        "".join(
            fields[question.id].render(
                values.get(question.id), errors.get(question.id), question.id in shown
            )
            for question in questions
        )
    )
