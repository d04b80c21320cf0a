"""A demo lead's pipeline so far: owner, touches done, statuses reached, notes, as timeline rows.

Drawn so that the back office looks worked: most leads stop early, a few are won or lost.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from assess.db.models import Lead
from assess.tracker import cadence
from assess.tracker.pipeline import CADENCE_STOPS

NOTES = (
    "Appel de découverte : intéressé par un accompagnement sur la prospection.",
    "Pas disponible avant la rentrée, rappeler en septembre.",
    "Le dirigeant veut impliquer son directeur commercial au prochain échange.",
    "Budget à valider en comité de direction.",
    "A déjà travaillé avec un cabinet, attentes précises sur les indicateurs.",
    "Très réactif, demande une proposition pour un atelier d'une journée.",
)
LOST_REASONS = ("Budget gelé cette année.", "A choisi un autre cabinet.", "Pas prioritaire.")
# Outcomes of a touch done; the cadence module's list is used when it has one.
OUTCOMES: tuple[str, ...] = cadence.OUTCOMES
# The outcome of the touch that stopped the cadence, by the status it led to.
STOPPING = {"meeting_booked": "meeting_booked", "lost": "not_interested"}
ON_THE_WAY = tuple(o for o in OUTCOMES if o not in STOPPING.values())
# The statuses a lead went through to reach its current one.
PATHS: dict[str, tuple[str, ...]] = {
    "new": (),
    "contacted": ("contacted",),
    "meeting_booked": ("contacted", "meeting_booked"),
    "proposal_sent": ("contacted", "meeting_booked", "proposal_sent"),
    "won": ("contacted", "meeting_booked", "proposal_sent", "won"),
    "lost": ("contacted", "lost"),
}


def fake_history(
    lead: Lead,
    touches: list[dict[str, Any]],
    owners: list[int],
    rng: random.Random,
    now: datetime,
    events: list[dict[str, Any]],
    notes: list[dict[str, Any]],
) -> dict[str, Any]:
    """A plausible pipeline so far: owner, touches done, status path, notes; the lead's update."""
    completed = cadence.aware(lead.completed_at or now)
    age_days = (now - completed).total_seconds() / 86400
    status = rng.choices(tuple(PATHS), (22, 38, 12, 8, 7, 13))[0]
    if age_days < 1 or (status != "contacted" and rng.random() > min(1.0, age_days / 30)):
        status = "new" if age_days < 1 or rng.random() < 0.5 else "contacted"
    owner = rng.choice(owners) if owners and (status != "new" or rng.random() < 0.4) else None

    def event(at: datetime, kind: str, **data: Any) -> dict[str, Any]:
        events.append({"lead_id": lead.id, "at": at, "kind": kind, "user_id": owner, "data": data})
        return events[-1]

    if owner is not None:
        event(completed + timedelta(hours=2), "owner", owner_id=owner)
    for touch in touches:
        touch["due_at"] = cadence.aware(touch["due_at"])
    touches.sort(key=lambda t: t["number"])
    due = [t for t in touches if t["due_at"] <= now]
    # Most follow-ups stop early: 80% of salespeople give up after the 3rd contact.
    done = 0 if status == "new" else min(len(due), rng.choice((1, 1, 2, 2, 3, 3, 3, 4, 5, 7)))
    moment = completed + timedelta(hours=3)
    # The touch that ended the cadence booked the meeting, or heard "not interested".
    stopper = STOPPING.get(PATHS[status][1]) if len(PATHS[status]) > 1 else None
    for index, touch in enumerate(due[:done], 1):
        moment = min(max(touch["due_at"], moment) + timedelta(hours=rng.randrange(1, 30)), now)
        outcome = stopper if stopper and index == done else rng.choice(ON_THE_WAY)
        touch.update(status="done", done_at=moment, outcome=outcome, done_by_id=owner)
        data = {"touch_id": touch["id"], "number": touch["number"], "channel": touch["channel"]}
        event(moment, "touch", outcome=outcome, **data)
    if status in CADENCE_STOPS:
        for touch in touches:
            if touch.get("status", "planned") == "planned":
                touch["status"] = "cancelled"
    previous, reason = "new", None
    for step in PATHS[status]:
        moment = min(moment + timedelta(days=rng.uniform(0.5, 12)), now)
        reason = rng.choice(LOST_REASONS) if step == "lost" else None
        event(moment, "status", **{"from": previous, "to": step, "reason": reason})
        previous = step
    if status != "new" and rng.random() < 0.35:
        at = min(completed + timedelta(days=rng.uniform(0.2, 20)), now)
        # The note's id is allocated with the batch's; its event points at it.
        note = {"lead_id": lead.id, "author_id": owner, "body": rng.choice(NOTES)}
        notes.append({**note, "created_at": at, "_event": event(at, "note", note_id=None)})
    planned = [t["due_at"] for t in touches if t.get("status", "planned") == "planned"]
    return {
        "id": lead.id,
        "latest_submission_id": lead.latest_submission_id,
        "status": status,
        "status_changed_at": moment if PATHS[status] else None,
        "lost_reason": reason,
        "owner_id": owner,
        "touches_done": sum(1 for t in touches if t.get("status") == "done"),
        "next_touch_at": min(planned, default=None),
    }
