"""Languages: French first, English second; the questionnaire's own texts and the company's
size and sector labels in both; dates and times in Paris time; French typography on every
template rendered in French."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_translations,
    ngettext,
)
from flask_babel import lazy_gettext as _l
from jinja2 import Template, pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from assess import catalogues
from assess.core.answers import AnswerError
from assess.core.questionnaire import LocalizedText
from assess.core.typography import french, french_html
from assess.extensions import babel

# The back office, the e-mails and the report give times in Paris time, whatever the
# server's clock (times are stored in UTC).
DISPLAY_TIMEZONE = "Europe/Paris"
# A moment (a date and a time) as each language writes it; another language gets CLDR's
# medium form.
MOMENT_PATTERNS = {"fr": "d MMMM y 'à' H 'h' mm", "en": "d MMMM y 'at' HH:mm"}

# A company's size band and sector (assess/core/contact.py), as the contact form and the
# back office name them.
COMPANY_SIZE_LABELS = {
    "tpe": _l("1 to 9 people"),
    "pe": _l("10 to 49 people"),
    "me": _l("50 to 249 people"),
    "eti": _l("250 people or more"),
}
SECTOR_LABELS = {
    "industrie": _l("Industry and manufacturing"),
    "negoce": _l("Wholesale and distribution"),
    "services_b2b": _l("Business services"),
    "btp": _l("Construction"),
    "tech": _l("Software and technology"),
    "sante": _l("Health"),
    "commerce_detail": _l("Retail"),
    "autre": _l("Other"),
}
# The engine's answer errors, as the respondent reads them.
ANSWER_MESSAGES = {
    "required": _l("Please answer this question."),
    "unknown_question": _l("This question does not exist."),
    "not_a_choice": _l("Please choose one of the options."),
    "unknown_option": _l("Please choose one of the options offered."),
    "not_a_list": _l("Please choose among the options offered."),
    "duplicate_option": _l("An option was chosen twice."),
    "exclusive_option": _l(
        "“%(label)s” cannot be ticked with another option: untick it or untick the others."
    ),
    "not_a_number": _l("Please enter a number, for example 12 or 12,5."),
    "below_min": _l("Please enter a number of at least %(min)s."),
    "above_max": _l("Please enter a number of at most %(max)s."),
    "off_step": _l("Please enter a multiple of %(step)s."),
    "not_a_boolean": _l("Please answer yes or no."),
    "not_text": _l("Please enter some text."),
    # "too_long" is worded by answer_message: its noun agrees with the number.
}


def answer_message(error: AnswerError) -> str:
    """An answer error in the respondent's language."""
    params = {
        key: translate(value) if isinstance(value, LocalizedText) else value
        for key, value in error.params.items()
    }
    if error.code == "too_long":
        return ngettext(
            "Please keep it to %(num)d character at most.",
            "Please keep it to %(num)d characters at most.",
            params["max_length"],
        )
    return str(ANSWER_MESSAGES[error.code]) % params


def select_locale() -> str:
    """The language chosen with the switch, else the default (French)."""
    languages: list[str] = current_app.config["LANGUAGES"]
    if not has_request_context():  # a job or a command: force_locale says which
        return languages[0]
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    requested = request.args.get("lang")
    if requested in languages:
        return str(requested)
    return languages[0]


def current_locale() -> str:
    """The language of the current request (looked up once per request)."""
    if not has_request_context():  # jobs switch language with force_locale
        return str(get_locale() or current_app.config["LANGUAGES"][0])
    locale = g.get("_assess_locale")
    if locale is None:
        locale = g._assess_locale = str(get_locale() or current_app.config["LANGUAGES"][0])
    return str(locale)


def _translations() -> Any:
    """The request's catalogue, looked up once: templates call gettext dozens of times."""
    if not has_request_context():
        return get_translations()
    found = g.get("_assess_translations")
    if found is None:
        found = g._assess_translations = get_translations()
    return found


def translate(value: LocalizedText | dict[str, str] | str | None) -> str:
    """A questionnaire text (or a stored {locale: text} map) in the current language."""
    if value is None:
        return ""
    locale = current_locale()
    if isinstance(value, LocalizedText):
        return value.get(locale, current_app.config["LANGUAGES"][0])
    if isinstance(value, dict):
        return value.get(locale) or next(iter(value.values()), "")
    return str(value)


def level_label(level_id: str | None, q: Any) -> str:
    """A stored level id as the questionnaire names it in the current language; the id
    itself when the questionnaire has no such level (renamed since)."""
    if not level_id:
        return ""
    level = q.levels_by_id.get(level_id)
    return translate(level.label) if level is not None else level_id


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """Jinja's newstyle gettext: the translation, marked safe when autoescaping, formatted."""
    text = _translations().ugettext(string)
    # The catalogue is ours and trusted, as Jinja's own newstyle gettext treats it.
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704


@pass_eval_context
def _template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """Jinja's newstyle ngettext (see `_template_gettext`); `num` is a variable by default."""
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704


def in_french() -> bool:
    """Whether the current language (a request's, or the one `force_locale` sets) is French."""
    locale = get_locale()
    return locale is not None and locale.language == "fr"


def typography(locale: str) -> Callable[[str], str]:
    """The typography of a language's plain text: French's rules, or the text as it is."""
    return french if locale.replace("-", "_").split("_")[0] == "fr" else str


class TypesetTemplate(Template):
    """A template whose output, rendered in French, follows French typography
    (assess/core/typography.py): every page, e-mail and report is rendered by one, so
    that is where the rule is applied, once, on everything the reader sees."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        """The rendered text; in French, with French typography in its text (not its markup)."""
        text = super().render(*args, **kwargs)
        if self.name is None or not in_french():
            return text
        if self.name.endswith(".html"):
            return french_html(text)
        if self.name.endswith(".txt"):  # an e-mail's subject or plain-text body
            return french(text)
        return text


def init_app(app: Flask, on_error: Callable[[str], None]) -> None:
    """Bind Flask-Babel (the selector goes to init_app), the catalogues and the template helpers."""
    babel.init_app(app, locale_selector=select_locale, default_timezone=DISPLAY_TIMEZONE)
    app.jinja_env.template_class = TypesetTemplate
    directory = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    try:
        app.extensions[catalogues.EXTENSION_KEY] = catalogues.compile_catalogues(
            directory, app.config["LANGUAGES"]
        )
    except catalogues.CatalogueError as error:
        on_error(f"The configured languages cannot all be served (LANGUAGES):\n{error}")
    babel.domain_instance = catalogues.CompiledDomain()
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
    )
    # The same behaviour as the newstyle callables just installed, in one call instead of
    # three nested ones: a step page calls them about ten times.
    app.jinja_env.globals.update(
        _=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext
    )
    app.jinja_env.filters["tr"] = translate
    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["moment"] = format_moment
    app.jinja_env.filters["change"] = format_change
    app.jinja_env.filters["plural_count"] = plural_count
    app.jinja_env.filters["level_label"] = level_label

    embed_origins = " ".join(app.config["FRAME_ANCESTORS"].split())

    @app.context_processor
    def _languages() -> dict[str, Any]:
        return {
            "current_locale": current_locale(),
            "languages": app.config["LANGUAGES"],
            # The sites allowed to frame the diagnostic, told its height (static/js/embed.js).
            "embed_origins": embed_origins,
        }


def format_number(value: float | int | None, digits: int = 0) -> str:
    """A number written the way the reader's language writes it."""
    if value is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern))


def format_day(value: Any, length: str = "long") -> str:
    """A date (a stored time's, in Paris time) the way the reader's language writes it:
    "27 novembre 2026", or "27 nov. 2026" in `medium` length."""
    if value is None:
        return "–"
    return str(format_date(value, format=length))


def format_moment(value: Any, length: str = "long") -> str:
    """A stored time in Paris time, the way the reader's language writes it: "3 décembre 2026
    à 14 h 05", or CLDR's `medium` form with seconds ("3 déc. 2026, 14:05:09")."""
    if value is None:
        return "–"
    if length == "long":
        locale = get_locale()
        length = MOMENT_PATTERNS.get(locale.language if locale else "", "medium")
    return str(format_datetime(value, format=length))


def plural_count(value: float | int) -> int:
    """The number ngettext picks a form by, for a number that may have decimals: 1 when the
    reader's language puts it in the singular (French: 0, 1 and 1,5; English: 1), else 2."""
    number = abs(value)
    if float(number).is_integer():
        number = int(number)
    locale = get_locale()
    if locale is None:
        return 1 if number == 1 else 2
    return 1 if locale.plural_form(number) == "one" else 2


def format_change(value: float | None) -> str:
    """A change in points with its sign ("+4,5", "−2", "0"), or "–" when unknown."""
    if value is None:
        return "–"
    text = format_number(abs(value), 1 if value != int(value) else 0)
    return ("+" if value > 0 else "−" if value < 0 else "") + text
