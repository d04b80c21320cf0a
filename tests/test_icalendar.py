"""iCalendar output: escaping, folding, the feed and the meeting invitations (RFC 5545/5546)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from assess.core.icalendar import (
    CalendarEvent,
    Meeting,
    Person,
    fold,
    ical_calendar,
    ical_text,
    meeting_invitation,
)


def unfold(body: str) -> list[str]:
    """Content lines: CRLF ends each, a leading space continues the previous one."""
    assert body.endswith("\r\n")
    assert "\n" not in body.replace("\r\n", "")
    return body[:-2].replace("\r\n ", "").split("\r\n")


def test_ical_text_escapes_and_fold_never_splits_a_character():
    assert ical_text("a\\b;c,d\r\ne\nf\x07") == "a\\\\b\\;c\\,d\\ne\\nf"
    line = "DESCRIPTION:" + "é" * 100
    folded = fold(line).split("\r\n")
    assert all(len(part.encode("utf-8")) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(folded)) == line
    event = CalendarEvent("touch-1@example.com", date(2026, 12, 1), "s", "d", "u")
    body = ical_calendar([event], datetime(2026, 11, 20, 9, 30), "Feed")
    assert "DTSTART;VALUE=DATE:20261201\r\nDTEND;VALUE=DATE:20261202\r\n" in body
    assert "DTSTAMP:20261120T093000Z\r\n" in body


def meeting(sequence: int = 0) -> Meeting:
    return Meeting(
        uid="3f2a@example.com",
        sequence=sequence,
        starts_at=datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        ends_at=datetime(2026, 3, 30, 7, 30, tzinfo=UTC),
        summary="Échange de 30 minutes – Petit Négoce, Lyon; diagnostic",
        description="Votre diagnostic commercial\nhttps://example.com/results/x",
        organizer=Person('Claire "CM" Martin', "claire@example.com"),
        attendee=Person("Anne Petit", "anne.petit@example.com"),
    )


def test_an_invitation_is_an_itip_request_in_utc():
    body = meeting_invitation(meeting(), datetime(2026, 3, 20, 10, 0, tzinfo=UTC))
    lines = unfold(body)
    assert all(len(part.encode()) <= 75 for part in body.split("\r\n"))
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert "METHOD:REQUEST" in lines
    assert "UID:3f2a@example.com" in lines
    assert "SEQUENCE:0" in lines
    assert "DTSTART:20260330T070000Z" in lines
    assert "DTEND:20260330T073000Z" in lines
    assert "DTSTAMP:20260320T100000Z" in lines
    assert 'ORGANIZER;CN="Claire CM Martin":mailto:claire@example.com' in lines
    assert any(
        line.startswith('ATTENDEE;CN="Anne Petit";')
        and line.endswith(":mailto:anne.petit@example.com")
        for line in lines
    )
    assert "SUMMARY:Échange de 30 minutes – Petit Négoce\\, Lyon\\; diagnostic" in lines
    assert "STATUS:CONFIRMED" in lines


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence():
    lines = unfold(meeting_invitation(meeting(1), datetime(2026, 3, 21, tzinfo=UTC), cancel=True))
    assert "METHOD:CANCEL" in lines and "STATUS:CANCELLED" in lines
    assert "UID:3f2a@example.com" in lines and "SEQUENCE:1" in lines
