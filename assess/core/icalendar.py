"""iCalendar (RFC 5545) output: the consultant's feed of follow-ups and the invitations to a
meeting (RFC 5546 iTIP: REQUEST, CANCEL). CRLF line endings, lines folded at 75 octets.

Plain functions, tested on their own; the callers give plain values, times in UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

PRODID = "-//webleads-tracker//follow-up cadence//EN"


@dataclass(frozen=True)
class CalendarEvent:
    """One all-day event of the feed."""

    uid: str
    day: date
    summary: str
    description: str
    url: str


@dataclass(frozen=True)
class Person:
    """An organizer or an attendee: a name and an e-mail address."""

    name: str
    email: str


@dataclass(frozen=True)
class Meeting:
    """A meeting as an invitation carries it (times timezone-aware)."""

    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    summary: str
    description: str
    organizer: Person
    attendee: Person
    url: str = ""


def ical_text(value: str) -> str:
    """A TEXT value escaped (RFC 5545 3.3.11): backslash, semicolon, comma, newlines."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(ch for ch in value if ch in "\n\t" or (ord(ch) >= 32 and ord(ch) != 127))
    for raw, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(raw, escaped)
    return value


def fold(line: str, limit: int = 75) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    parts: list[str] = []
    current, size = "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size = " ", 1  # a continuation line starts with one space
        current += ch
        size += width
    parts.append(current)
    return "\r\n".join(parts)


def utc_stamp(moment: datetime) -> str:
    """A DATE-TIME in UTC, "Z" form (RFC 5545 3.3.5, form 2); naive times are taken as UTC."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def content(lines: list[str]) -> str:
    """Content lines as the file's text: each folded, each ended by CRLF."""
    return "".join(fold(line) + "\r\n" for line in lines)


def ical_calendar(events: list[CalendarEvent], stamp: datetime, name: str) -> str:
    """The feed's whole VCALENDAR (METHOD:PUBLISH), CRLF line endings, folded lines."""
    dtstamp = utc_stamp(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_text(name)}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ical_text(event.uid)}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART;VALUE=DATE:{event.day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(event.day + timedelta(days=1)).strftime('%Y%m%d')}",
            f"SUMMARY:{ical_text(event.summary)}",
            f"DESCRIPTION:{ical_text(event.description)}",
            f"URL:{event.url}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return content(lines)


def _quoted(value: str) -> str:
    """A parameter value (CN): quoted, without the characters a quoted value cannot hold."""
    cleaned = "".join(ch for ch in value if ch != '"' and ord(ch) >= 32 and ord(ch) != 127)
    return f'"{cleaned}"'


def _address(person: Person) -> str:
    return f"mailto:{person.email}"


def meeting_invitation(meeting: Meeting, stamp: datetime, cancel: bool = False) -> str:
    """An iTIP message about one meeting (RFC 5546): METHOD:REQUEST to invite, METHOD:CANCEL
    (with a higher SEQUENCE) to call it off; same UID for the meeting's whole life."""
    method = "CANCEL" if cancel else "REQUEST"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
        "BEGIN:VEVENT",
        f"UID:{ical_text(meeting.uid)}",
        f"SEQUENCE:{meeting.sequence}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(meeting.starts_at)}",
        f"DTEND:{utc_stamp(meeting.ends_at)}",
        f"SUMMARY:{ical_text(meeting.summary)}",
        f"DESCRIPTION:{ical_text(meeting.description)}",
        f"ORGANIZER;CN={_quoted(meeting.organizer.name)}:{_address(meeting.organizer)}",
        (
            f"ATTENDEE;CN={_quoted(meeting.attendee.name)};ROLE=REQ-PARTICIPANT;"
            f"PARTSTAT=ACCEPTED:{_address(meeting.attendee)}"
        ),
        f"STATUS:{'CANCELLED' if cancel else 'CONFIRMED'}",
        "TRANSP:OPAQUE",
    ]
    if meeting.url:
        lines.append(f"URL:{meeting.url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return content(lines)
