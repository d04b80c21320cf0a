"""Exports: the leads list as CSV (streamed in batches) and one lead's data as JSON.

The CSV is read with one query streamed `BATCH` rows at a time (a server-side
cursor on PostgreSQL), and written a batch at a time, so memory does not grow
with the number of leads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from assess.db.audit import record
from assess.db.database import write_transaction
from assess.db.models import (
    AddressConfirmation,
    Delivery,
    Lead,
    LeadEvent,
    Note,
    ReportFile,
    Submission,
    Touch,
    User,
    utcnow,
)
from assess.extensions import db
from assess.tracker.lead_list import LeadFilters, sorted_leads

BATCH = 1000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Filters that are not filters: the order and the page of the list.
_NOT_FILTERS = {"sort", "direction", "page"}

_CONTACT = (
    Lead.first_name,
    Lead.last_name,
    Lead.email,
    Lead.phone,
    Lead.company,
    Lead.job_title,
)
_SOURCE = (Lead.utm_source, Lead.utm_medium, Lead.utm_campaign, Lead.referrer)


@dataclass(frozen=True)
class CsvLayout:
    """What the view decides: separator, decimal mark, column titles, value labels."""

    separator: str  # "," or ";" (French Excel)
    header: Sequence[str]  # one title per column, category columns included
    category_ids: Sequence[str]  # the category score columns, in order
    sizes: Mapping[str, str]  # company size code to its label
    sectors: Mapping[str, str]
    statuses: Mapping[str, str]
    levels: Mapping[str, str]

    @property
    def decimal(self) -> str:
        """The decimal mark that goes with the separator (French Excel reads "72,5")."""
        return "," if self.separator == ";" else "."


def neutralise(value: str) -> str:
    """A text cell a spreadsheet shows as text, never runs: prefixed with ' when it could.

    Leading spaces do not hide a formula from every spreadsheet, so they are looked through.
    """
    if value and (value[0] in FORMULA_TRIGGERS or value.lstrip(" \n")[:1] in FORMULA_TRIGGERS):
        return "'" + value
    return value


def filter_count(filters: LeadFilters) -> int:
    """How many filters are set (for the audit log, which never keeps their values)."""
    default = LeadFilters()
    return sum(
        1
        for item in fields(LeadFilters)
        if item.name not in _NOT_FILTERS
        and getattr(filters, item.name) != getattr(default, item.name)
    )


def record_export(kind: str, target: str, details: dict[str, Any], user_id: int | None) -> None:
    """Write the audit entry of an export, in its own transaction."""
    with write_transaction():
        record(kind, target, details, user_id=user_id)


def leads_csv(
    filters: LeadFilters, layout: CsvLayout, now: datetime | None = None
) -> Iterator[str]:
    """The filtered and sorted leads as CSV text, every page: a byte-order mark and header first."""
    owner = aliased(User)
    columns = (
        Lead.id,
        *_CONTACT,
        Lead.company_size,
        Lead.sector,
        *_SOURCE,
        Lead.completed_at,
        Lead.overall_score,
        Lead.level,
        Lead.category_scores,
        Lead.status,
        func.coalesce(func.nullif(owner.name, ""), owner.email),
        Lead.touches_done,
        Lead.next_touch_at,
    )
    query = (
        sorted_leads(filters, now or utcnow())
        .with_only_columns(*columns)
        .outerjoin(owner, owner.id == Lead.owner_id)
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=layout.separator, lineterminator="\r\n")
    writer.writerow([neutralise(title) for title in layout.header])
    yield "\ufeff" + _drain(buffer)
    result = db.session.execute(query.execution_options(yield_per=BATCH))
    try:
        for rows in result.partitions():
            writer.writerows(_csv_row(row, layout) for row in rows)
            yield _drain(buffer)
    finally:  # also when the download is abandoned: the server-side cursor is released
        result.close()


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def _csv_row(row: Sequence[Any], layout: CsvLayout) -> list[Any]:
    (
        lead_id,
        first_name,
        last_name,
        email,
        phone,
        company,
        job_title,
        size,
        sector,
        utm_source,
        utm_medium,
        utm_campaign,
        referrer,
        completed_at,
        overall,
        level,
        categories,
        status,
        owner,
        touches_done,
        next_touch_at,
    ) = row
    scores = categories or {}
    # Text typed by respondents or consultants is neutralised; numbers and dates we write are not.
    return [
        lead_id,
        *(
            neutralise(value or "")
            for value in (first_name, last_name, email, phone, company, job_title)
        ),
        neutralise(str(layout.sizes.get(size, size or ""))),
        neutralise(str(layout.sectors.get(sector, sector or ""))),
        *(neutralise(value or "") for value in (utm_source, utm_medium, utm_campaign, referrer)),
        _when(completed_at),
        _number(overall, layout.decimal),
        neutralise(str(layout.levels.get(level, level or ""))),
        *(_number(scores.get(cid), layout.decimal) for cid in layout.category_ids),
        neutralise(str(layout.statuses.get(status, status or ""))),
        neutralise(owner or ""),
        touches_done,
        _when(next_touch_at),
    ]


def _number(value: Any, decimal: str) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    return f"{float(value):.1f}".replace(".", decimal)


def _when(moment: datetime | None) -> str:
    """UTC, as the header says (SQLite gives naive UTC, PostgreSQL the session's zone)."""
    if moment is None:
        return ""
    return (moment.astimezone(UTC) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")


def lead_data(lead_id: int) -> dict[str, Any] | None:
    """Everything kept about one lead, as plain JSON data (the right of access); None if unknown."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        return None
    owner = db.session.get(User, lead.owner_id) if lead.owner_id else None
    submissions = list(
        db.session.execute(
            select(Submission).where(Submission.lead_id == lead_id).order_by(Submission.id)
        ).scalars()
    )
    ids = [s.id for s in submissions]
    deliveries = db.session.execute(
        select(Delivery).where(Delivery.submission_id.in_(ids)).order_by(Delivery.id)
    ).scalars()
    reports = db.session.execute(
        select(ReportFile.submission_id, ReportFile.rendered_at, ReportFile.pdf.is_not(None)).where(
            ReportFile.submission_id.in_(ids)
        )
    ).all()
    names = _user_names()
    return {
        "lead_id": lead.id,
        "exported_at": _iso(utcnow()),
        "contact": _columns(
            lead,
            "first_name last_name email email_confirmed_at phone company job_title "
            "company_size sector locale",
        ),
        "consent": _columns(lead, "consent_at consent_text_version marketing_opt_in"),
        "source": _columns(lead, "utm_source utm_medium utm_campaign referrer created_at"),
        "pipeline": {
            **_columns(
                lead,
                "status lost_reason status_changed_at completed_at overall_score level "
                "weakest_category category_scores touches_done next_touch_at",
            ),
            "owner": (owner.name or owner.email) if owner else None,
        },
        "submissions": [
            _columns(
                s,
                "id status questionnaire_id questionnaire_version questionnaire_hash locale "
                "answers current_step steps_done result overall_score level utm_source "
                "utm_medium utm_campaign referrer created_at updated_at completed_at "
                "pending_email",
            )
            for s in submissions
        ],
        "reports": [
            {"submission_id": sid, "rendered_at": _iso(at), "rendered": bool(has_pdf)}
            for sid, at, has_pdf in reports
        ],
        "deliveries": [
            _columns(
                d,
                "id submission_id kind recipient status attempts last_error created_at sent_at",
            )
            for d in deliveries
        ],
        # the addresses typed and when each was confirmed (the link's secret is not data)
        "address_confirmations": [
            _columns(c, "id submission_id email created_at confirmed_at")
            for c in db.session.execute(
                select(AddressConfirmation)
                .where(AddressConfirmation.lead_id == lead_id)
                .order_by(AddressConfirmation.id)
            ).scalars()
        ],
        "notes": [
            {**_columns(n, "id body created_at"), "author": names.get(n.author_id)}
            for n in db.session.execute(
                select(Note).where(Note.lead_id == lead_id).order_by(Note.id)
            ).scalars()
        ],
        "touches": [
            {
                **_columns(t, "number channel due_at status done_at outcome note talking_point"),
                "done_by": names.get(t.done_by_id),
            }
            for t in db.session.execute(
                select(Touch).where(Touch.lead_id == lead_id).order_by(Touch.number, Touch.id)
            ).scalars()
        ],
        "timeline": [
            {**_columns(e, "at kind data"), "by": names.get(e.user_id)}
            for e in db.session.execute(
                select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)
            ).scalars()
        ],
    }


def _user_names() -> dict[int | None, str]:
    rows = db.session.execute(select(User.id, User.name, User.email)).all()
    return {user_id: name or email for user_id, name, email in rows}


def _columns(row: Any, names: str) -> dict[str, Any]:
    return {name: _plain(getattr(row, name)) for name in names.split()}


def _plain(value: Any) -> Any:
    return _iso(value) if isinstance(value, datetime) else value


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
