"""Leads written straight to the database, with known values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import MetaData, Table, func, insert, select

from assess.db.models import Lead, utcnow
from assess.db.models.respondents import new_link_key
from assess.extensions import db


def lead_values(**fields: Any) -> dict[str, Any]:
    """The columns of a lead written directly, completed with a score unless told otherwise."""
    return {
        "email": "anne.petit@example.com",
        "first_name": "Anne",
        "last_name": "Petit",
        "company": "Petit Négoce",
        "job_title": "Gérante",
        "phone": None,
        "company_size": "pe",
        "sector": "negoce",
        "locale": "fr",
        "consent_at": utcnow(),
        "consent_text_version": "2026-11",
        "status": "new",
        "completed_at": datetime(2026, 10, 1, 9, 30, tzinfo=UTC),
        "overall_score": 61.25,
        "level": "structure",
        "weakest_category": "digital",
        "category_scores": {"strategie": 70.0, "digital": 12.5},
        **fields,
    }


def make_lead(app: Flask, **fields: Any) -> int:
    """A lead written directly, completed with a score unless told otherwise."""
    values = lead_values(**fields)
    with app.app_context():
        if "email" not in fields and values["completed_at"] is not None:
            # one person, one lead: each completed lead made without an address gets its own
            taken = db.session.execute(
                select(func.count(Lead.id)).where(Lead.email.startswith("anne.petit"))
            ).scalar_one()
            if taken:
                values["email"] = f"anne.petit{taken + 1}@example.com"
        lead = Lead(**values)
        lead.refresh_search_text()
        db.session.add(lead)
        db.session.commit()
        return lead.id


def make_lead_in_old_schema(app: Flask, **fields: Any) -> int:
    """make_lead's lead in a database migrated down (a migration's test): written with the
    columns its `leads` table has, so a column added since does not break the insert."""
    values = lead_values(**fields)
    probe = Lead(**values)
    probe.refresh_search_text()
    values |= {
        "link_key": new_link_key(),
        "search_text": probe.search_text,
        "touches_done": 0,
        "marketing_opt_in": False,
        "created_at": values.get("created_at", utcnow()),
    }
    with app.app_context():
        table = Table("leads", MetaData(), autoload_with=db.engine)
        with db.engine.begin() as connection:
            inserted = connection.execute(
                insert(table).values({k: v for k, v in values.items() if k in table.c})
            )
            return int(inserted.inserted_primary_key[0])
