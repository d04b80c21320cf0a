"""The lead's contact as expressions see it, and its address as leads store it."""

from __future__ import annotations

from assess.core.contact import expression_contact, normalise_email


def test_normalise_email_strips_and_lowers_the_whole_address():
    assert normalise_email("  Claire.Dubois@Example.COM \n") == "claire.dubois@example.com"
    assert normalise_email("ÉLODIE@exemple.fr") == "élodie@exemple.fr"
    assert normalise_email(None) == ""


def test_expressions_see_only_the_size_and_sector_with_allowed_values():
    seen = expression_contact({"company_size": "pe", "sector": "mars", "email": "a@example.com"})
    assert seen == {"company_size": "pe", "sector": None}
