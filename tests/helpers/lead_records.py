"""Leads written straight to the database, with known values."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from assess.db.models import Lead, utcnow
from assess.extensions import db


def make_lead(app: Flask, **fields: Any) -> int:
    """A lead written directly, completed with a score unless told otherwise."""
    values = {
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
