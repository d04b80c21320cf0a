"""The lead's company as the questionnaire's expressions see it: size band and sector.

Only these two fields are in scope of `show_if` and `when` (`contact.company_size`,
`contact.sector`); the other contact details never reach an expression.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Company size bands, by headcount (the French TPE/PE/ME/ETI bands).
COMPANY_SIZES: tuple[str, ...] = ("tpe", "pe", "me", "eti")
# Sectors the consultancy works with.
SECTORS: tuple[str, ...] = (
    "industrie",
    "negoce",
    "services_b2b",
    "btp",
    "tech",
    "sante",
    "commerce_detail",
    "autre",
)
CONTACT_FIELDS: tuple[str, ...] = ("company_size", "sector")
ALLOWED_VALUES: dict[str, tuple[str, ...]] = {"company_size": COMPANY_SIZES, "sector": SECTORS}


def expression_contact(contact: Mapping[str, Any] | None) -> dict[str, str | None]:
    """The contact as expressions see it: known fields with allowed values, else none."""
    contact = contact or {}
    visible: dict[str, str | None] = {}
    for name in CONTACT_FIELDS:
        value = contact.get(name)
        visible[name] = value if value in ALLOWED_VALUES[name] else None
    return visible


def normalise_email(address: str | None) -> str:
    """An e-mail address as leads store and compare it: stripped, the whole address in
    lower case (one person, one lead, however the address was typed)."""
    return (address or "").strip().lower()
