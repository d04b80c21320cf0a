"""Settings a production app needs besides APP_ENV: everything the public sees filled in."""

from __future__ import annotations

# No placeholder left: the booking page, the contact line and the legal links of a real
# consultancy (APP_ENV=production refuses to start without them: assess/report/publication.py).
FILLED_IN = {
    "CALL_TO_ACTION_URL": "https://rendez-vous.cabinet-martin.fr/30-minutes",
    "BRAND_CONTACT": "contact@cabinet-martin.fr · +33 4 72 00 00 00",
    "LEGAL_NOTICE_URL": "https://www.cabinet-martin.fr/mentions-legales",
    "PRIVACY_POLICY_URL": "https://www.cabinet-martin.fr/confidentialite",
}
