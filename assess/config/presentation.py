"""The settings of what the respondent sees of the consultancy: its brand, the consultant
behind the offer, the call to action, the legal links (part of settings.SETTINGS).

APP_ENV=production refuses to start while the call to action, the contact line or a legal
link is a placeholder (assess/report/publication.py).
"""

from __future__ import annotations

from assess.config.parsers import Setting, colour, text, web_address

PRESENTATION_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "BRAND_NAME",
        "DC Pilot",
        text,
        "The consultancy's name, shown on every page and on the report.",
    ),
    Setting(
        "BRAND_LOGO",
        "",
        text,
        "Logo on the report's cover: a path under static/ (PNG or SVG); none prints the name.",
    ),
    Setting(
        "BRAND_PRIMARY_COLOR",
        "#1f5fa8",
        colour,
        "The report's main colour (headings and charts), written #rgb or #rrggbb.",
    ),
    Setting(
        "BRAND_ACCENT_COLOR",
        "#e07a1f",
        colour,
        "The report's highlight colour, written #rgb or #rrggbb.",
    ),
    Setting(
        "BRAND_CONTACT",
        "contact@example.com · +33 1 23 45 67 89",
        text,
        "Contact line on the report's closing page and in the report e-mail "
        "(APP_ENV=production refuses an empty one or one at example.com/.org/.net).",
    ),
    Setting(
        "BOOKING_URL",
        "",
        web_address,
        "An outside scheduler (Calendly, Cal.com...), https://...: the booking buttons lead "
        "there, with the lead's name and e-mail in the `name` and `email` query parameters, "
        "instead of the built-in booking page; CALL_TO_ACTION_URL, when set, comes first.",
    ),
    Setting(
        "CALL_TO_ACTION_URL",
        "",
        web_address,
        "An outside booking page for the call to action (results page, report, e-mail), "
        "https://...; empty: the built-in booking page (docs/booking.md). APP_ENV=production "
        "refuses one at example.com/.org/.net.",
    ),
    # Who is behind the offer, on the landing page: a named person is trusted more than a logo.
    Setting(
        "CONSULTANT_NAME",
        "",
        text,
        "The consultant the landing page presents (card with photo and credentials); "
        "none: no card.",
    ),
    Setting(
        "CONSULTANT_PHOTO",
        "",
        text,
        "The consultant's photo: a path under static/ (square, JPEG, PNG or WebP, 160 px or "
        "more); none shows their initials.",
    ),
    Setting(
        "CONSULTANT_CREDENTIALS",
        "",
        text,
        "One line under the consultant's name, in French (e.g. « 20 ans de direction "
        "commerciale en PME industrielles »).",
    ),
    Setting(
        "CONSULTANT_CREDENTIALS_EN",
        "",
        text,
        "The same line in English; none shows the French one.",
    ),
    Setting(
        "LEGAL_NOTICE_URL",
        "",
        web_address,
        "The legal notice (mentions légales), https://...; linked from every respondent page "
        "(APP_ENV=production refuses none).",
    ),
    Setting(
        "PRIVACY_POLICY_URL",
        "",
        web_address,
        "The privacy policy, https://...; linked from every respondent page and the contact "
        "step (APP_ENV=production refuses none).",
    ),
)
