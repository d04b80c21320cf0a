"""Phone numbers made callable: E.164 `tel:` addresses, a readable French form, no link for junk."""

from __future__ import annotations

import pytest

from assess.core.phone import e164, readable, tel_uri


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("06.12.34.56.78", "+33612345678"),
        ("06-12-34-56-78", "+33612345678"),
        ("0612345678", "+33612345678"),
        (" 01 42 68 53 00 ", "+33142685300"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("+33 06 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("09\u00a087\u00a065\u00a043\u00a021", "+33987654321"),
        ("+32 470 12 34 56", "+32470123456"),  # a Belgian mobile keeps its country
        ("0032 470 12 34 56", "+32470123456"),
    ],
)
def test_numbers_people_type_become_e164(typed, number):
    assert e164(typed) == number
    assert tel_uri(typed) == f"tel:{number}"


@pytest.mark.parametrize(
    "typed",
    [
        None,
        "",
        "   ",
        "06 12 34 56",  # too short
        "06 12 34 56 78 90",  # too long
        "00 12 34 56 78",  # no French number starts 00 then a digit pair like this
        "6 12 34 56 78",  # the trunk zero missing, no country code
        "+33 6 12 34 56",  # a French number needs nine digits after +33
        "+0 123 456 789",
        "06 12 34 56 78 ext. 12",
        "appelez le standard",
        "06 12 34 56 78 / 07 98 76 54 32",
        "tel:+33612345678",
        "javascript:alert(1)",
        "+1234567890123456",  # past E.164's fifteen digits
    ],
)
def test_anything_else_gets_no_link(typed):
    assert e164(typed) is None
    assert tel_uri(typed) is None


def test_the_displayed_form_stays_readable():
    assert readable("0612345678") == "06 12 34 56 78"
    assert readable("+33 (0)6.12.34.56.78") == "06 12 34 56 78"
    assert readable("+32 470 12 34 56") == "+32 470 12 34 56"  # foreign: as typed
    assert readable("  appelez le standard ") == "appelez le standard"
    assert readable(None) == ""
