"""The settings of the follow-up cadence and of the e-mails the worker sends for it (part of
settings.SETTINGS).

A sale closes on average at the 7th contact, while 80% of salespeople give up after the
3rd: every lead gets seven touches (CADENCE), and the e-mail ones after the first leave by
themselves on working days in working hours (assess/tracker/follow_up.py).
"""

from __future__ import annotations

from assess.config.parsers import Setting, flag, integer, sending_hours, text

FOLLOW_UP_SETTINGS: tuple[Setting, ...] = (
    Setting(
        "CADENCE",
        "0:email,2:phone,5:linkedin,9:phone,14:email,21:phone,30:email",
        text,
        'The follow-up cadence: seven touches, "day offset:channel" after the diagnostic.',
    ),
    Setting(
        "FOLLOW_UP_HOURS",
        "mon-fri 09:00-18:00",
        sending_hours,
        "When the worker sends the cadence's follow-up e-mails: weekdays and hours, Paris time.",
    ),
    Setting(
        "FOLLOW_UP_SKIP_PUBLIC_HOLIDAYS",
        True,
        flag,
        "No follow-up e-mail leaves on a French public holiday.",
    ),
    Setting(
        "FOLLOW_UP_LEGITIMATE_INTEREST",
        False,
        flag,
        "Send the follow-up e-mails to every lead, not only to those who ticked the follow-up "
        "box: French B2B rules allow it for a professional address and an offer related to the "
        "person's job, with an opt-out in every message (see README).",
    ),
    Setting(
        "CADENCE_STALL_DAYS",
        7,
        integer,
        "A lead with 3 touches or fewer whose next touch is this many days overdue is flagged.",
    ),
)
