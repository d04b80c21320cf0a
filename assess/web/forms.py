"""The contact form: what the lead gives before seeing the results."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    SelectChoice,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import Email, InputRequired, Length, Optional, Regexp, StopValidation

from assess.core.single_line import is_single_line
from assess.i18n import COMPANY_SIZE_LABELS, SECTOR_LABELS

# Loose on purpose: digits, spaces, dots, dashes, parentheses and a leading +.
PHONE = re.compile(r"^\+?[0-9 .()\-]{6,25}$")
ONE_LINE_MESSAGE = _l("Please write this on one line, without special characters.")
REQUIRED = InputRequired(message=_l("This field is required."))


def single_line(form: FlaskForm, field: Field) -> None:
    """Refuse control characters and line or paragraph separators: none reaches a lead's
    record, nor later an e-mail header. The other validators are skipped (one message)."""
    if isinstance(field.data, str) and not is_single_line(field.data):
        raise StopValidation(str(ONE_LINE_MESSAGE))


def _choices(labels: dict[str, Any]) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…")), *(SelectChoice(k, v) for k, v in labels.items())]


def _strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class ContactForm(FlaskForm):
    """First name, last name, e-mail, company, job, phone, size band, sector, consent."""

    first_name = StringField(
        _l("First name"), [REQUIRED, Length(max=100), single_line], filters=[_strip]
    )
    last_name = StringField(
        _l("Last name"), [REQUIRED, Length(max=100), single_line], filters=[_strip]
    )
    email = EmailField(
        _l("Work e-mail"),
        [
            REQUIRED,
            Length(max=254),
            single_line,
            Email(message=_l("Please enter a valid e-mail address.")),
        ],
        filters=[_strip],
    )
    company = StringField(_l("Company"), [REQUIRED, Length(max=200), single_line], filters=[_strip])
    job_title = StringField(
        _l("Job title"), [REQUIRED, Length(max=150), single_line], filters=[_strip]
    )
    phone = TelField(
        _l("Phone (optional)"),
        [
            Optional(),
            single_line,
            Regexp(PHONE, message=_l("Please enter a phone number, for example 06 12 34 56 78.")),
        ],
        filters=[_strip],
    )
    company_size = SelectField(
        _l("Company size"),
        [REQUIRED],
        choices=_choices(COMPANY_SIZE_LABELS),
    )
    sector = SelectField(_l("Sector"), [REQUIRED], choices=_choices(SECTOR_LABELS))
    consent = BooleanField(
        _l(
            "I agree that my answers and contact details are used to prepare my report "
            "and to contact me about it."
        ),
        [InputRequired(message=_l("Your consent is needed to send you the report."))],
    )
    marketing_opt_in = BooleanField(
        _l(
            "I would also like a few follow-up e-mails about my diagnostic, and the "
            "consultancy's news (optional; one click stops them)."
        )
    )
