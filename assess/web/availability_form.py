"""The consultant's availability form: weekly hours per weekday, days off, the rules."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    StopValidation,
    ValidationError,
)

from assess.core.booking_slots import (
    Availability,
    AvailabilityError,
    Hours,
    parse_days,
    parse_hours,
)

WEEKDAY_LABELS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)
AVAILABILITY_MESSAGES = {
    "hours_format": _l("Write the hours as 9:00-12:00, ranges separated by commas."),
    "hours_order": _l("Each range must end after it starts."),
    "hours_overlap": _l("Two ranges of this day overlap."),
    "day_format": _l("Write each day off as 24/12/2026, one per line."),
}
MEETING_LENGTHS = (15, 20, 30, 45, 60, 90)
NUMBER_MESSAGE = _l("Enter a whole number.")


def _hours(form: FlaskForm, field: Field) -> None:
    try:
        field.parsed = parse_hours(field.data or "")
    except AvailabilityError as error:
        raise ValidationError(str(AVAILABILITY_MESSAGES[str(error)])) from None


def _days(form: FlaskForm, field: Field) -> None:
    try:
        field.parsed = parse_days(field.data or "")
    except AvailabilityError as error:
        raise ValidationError(str(AVAILABILITY_MESSAGES[str(error)])) from None


class WholeNumberField(IntegerField):
    """A whole number; anything else gets one clear message."""

    data: int | None

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Read the number typed, or refuse it with our message."""
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(NUMBER_MESSAGE)) from None


def _read(form: FlaskForm, field: Field) -> None:
    """Stop at a value that is not a number: its message is already there."""
    if field.process_errors:
        raise StopValidation()


def _number(label: Any, low: int, high: int) -> WholeNumberField:
    return WholeNumberField(
        label,
        [
            InputRequired(message=NUMBER_MESSAGE),
            _read,
            NumberRange(low, high, message=_l("Enter a number from %(min)s to %(max)s.")),
        ],
    )


class AvailabilityForm(FlaskForm):
    """Hours for each weekday (text), days off (one per line), length, buffer, notice, horizon."""

    day_0 = StringField(WEEKDAY_LABELS[0], [Length(max=200), _hours])
    day_1 = StringField(WEEKDAY_LABELS[1], [Length(max=200), _hours])
    day_2 = StringField(WEEKDAY_LABELS[2], [Length(max=200), _hours])
    day_3 = StringField(WEEKDAY_LABELS[3], [Length(max=200), _hours])
    day_4 = StringField(WEEKDAY_LABELS[4], [Length(max=200), _hours])
    day_5 = StringField(WEEKDAY_LABELS[5], [Length(max=200), _hours])
    day_6 = StringField(WEEKDAY_LABELS[6], [Length(max=200), _hours])
    days_off = TextAreaField(_l("Days off"), [Length(max=4000), _days])
    meeting_minutes = SelectField(
        _l("Meeting length"),
        choices=[SelectChoice(str(n), _l("%(num)s minutes", num=n)) for n in MEETING_LENGTHS],
        default="30",
    )
    buffer_minutes = _number(_l("Break between meetings (minutes)"), 0, 120)
    notice_hours = _number(_l("Minimum notice (hours)"), 0, 336)
    horizon_days = _number(_l("Bookable up to (days ahead)"), 1, 365)

    def weekday_fields(self) -> list[Field]:
        """The seven weekday fields, Monday first."""
        return [self[f"day_{day}"] for day in range(7)]

    def fill(self, availability: Availability | None) -> None:
        """Show a stored availability (or the defaults: nothing open)."""
        found = availability or Availability()
        for day, field in enumerate(self.weekday_fields()):
            field.data = ", ".join(_typed(hours) for hours in found.weekly.get(day, ()))
        self.days_off.data = "\n".join(d.strftime("%d/%m/%Y") for d in sorted(found.days_off))
        self.meeting_minutes.data = str(found.meeting_minutes)
        self.buffer_minutes.data = found.buffer_minutes
        self.notice_hours.data = found.notice_hours
        self.horizon_days.data = found.horizon_days

    def availability(self) -> Availability:
        """The availability the valid form describes."""
        return Availability(
            weekly={day: field.parsed for day, field in enumerate(self.weekday_fields())},
            days_off=self.days_off.parsed,
            meeting_minutes=int(self.meeting_minutes.data),
            buffer_minutes=int(self.buffer_minutes.data or 0),
            notice_hours=int(self.notice_hours.data or 0),
            horizon_days=int(self.horizon_days.data or 1),
        )


def _typed(hours: Hours) -> str:
    return f"{hours.start.strftime('%H:%M')}-{hours.end.strftime('%H:%M')}"
