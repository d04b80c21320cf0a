"""Peer benchmark at 100,000 completed submissions: the comparison a results page makes,
read from the score counts, against a primary-key read of the submission (the baseline,
same run) and against a full scan of every result (what the counts avoid).

`python -m bench.peers`; PEERS_DATABASE_URL runs it on PostgreSQL (a database it may fill).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUBMISSIONS = 100_000
BATCH = 5_000
RUNS = 200


def _seed(q: Any, count: int) -> None:
    """`count` leads, each with one completed submission and its counts, in bulk."""
    from sqlalchemy import insert

    from assess.core.contact import COMPANY_SIZES, SECTORS
    from assess.core.peers import ALL, bucket, segment
    from assess.db.models import Lead, PeerScoreCount, Submission, utcnow
    from assess.extensions import db

    rng = random.Random(7)
    categories = [c.id for c in q.categories]
    counts: Counter[tuple[str, str, int]] = Counter()
    now = utcnow()
    for start in range(0, count, BATCH):
        leads, submissions = [], []
        for number in range(start, min(start + BATCH, count)):
            size, sector = rng.choice(COMPANY_SIZES), rng.choice(SECTORS)
            scores = {c: round(rng.uniform(0, 100), 1) for c in categories}
            overall = round(statistics.fmean(scores.values()), 1)
            leads.append(
                {
                    "id": number + 1,
                    "email": f"peer{number}@example.com",
                    "first_name": "P",
                    "last_name": str(number),
                    "company": f"Company {number}",
                    "job_title": "CEO",
                    "company_size": size,
                    "sector": sector,
                    "locale": "fr",
                    "consent_at": now,
                    "consent_text_version": "bench",
                    "status": "new",
                    "touches_done": 0,
                    "search_text": "",
                    "created_at": now,
                    "marketing_opt_in": False,
                }
            )
            submissions.append(
                {
                    "id": number + 1,
                    "draft_key": f"peer-{number}",
                    "status": "completed",
                    "lead_id": number + 1,
                    "locale": "fr",
                    "answers": {},
                    "steps_done": [],
                    "questionnaire_id": q.id,
                    "questionnaire_version": q.version,
                    "questionnaire_hash": q.source_hash,
                    "overall_score": overall,
                    "completed_at": now,
                    "result": {
                        "overall": overall,
                        "categories": {c: {"score": s} for c, s in scores.items()},
                    },
                }
            )
            for group in (segment(size, sector), ALL):
                counts[(group.key, "overall", bucket(overall))] += 1
                for c, s in scores.items():
                    counts[(group.key, c, bucket(s))] += 1
        db.session.execute(insert(Lead), leads)
        db.session.execute(insert(Submission), submissions)
        db.session.commit()
    db.session.execute(
        insert(PeerScoreCount),
        [
            {"questionnaire_id": q.id, "group_key": g, "score_name": n, "point": p, "count": k}
            for (g, n, p), k in counts.items()
        ],
    )
    db.session.commit()


def _full_scan_percentile(submission: Any) -> float:
    """What the counts replace: every result of the group read to place one score."""
    from sqlalchemy import select

    from assess.db.models import Lead, Submission
    from assess.extensions import db

    lead = submission.lead
    rows = db.session.execute(
        select(Submission.result)
        .join(Lead, Lead.id == Submission.lead_id)
        .where(Lead.company_size == lead.company_size, Lead.sector == lead.sector)
        .where(Submission.status == "completed")
    ).scalars()
    own = submission.result["overall"]
    scores = [row["overall"] for row in rows]
    below = sum(1 for s in scores if s < own)
    return 100 * below / max(len(scores) - 1, 1)


def _timed(action: Any, runs: int) -> float:
    """Median seconds of `runs` calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def run(count: int = SUBMISSIONS) -> list[str]:
    from flask_migrate import downgrade, upgrade

    from assess import create_app
    from assess.db.models import Submission
    from assess.db.peer_stats import peer_comparison
    from assess.db.questionnaire_store import current_questionnaire
    from assess.extensions import db

    folder = Path(tempfile.mkdtemp(prefix="assess-peers-"))
    url = os.environ.get("PEERS_DATABASE_URL") or f"sqlite:///{folder / 'peers.sqlite3'}"
    app = create_app(
        {"SECRET_KEY": "peers", "DATABASE_URL": url, "HUEY_SQLITE_PATH": str(folder / "q")}
    )
    try:
        with app.app_context():
            migrations = str(ROOT / "migrations")
            if url.startswith("postgresql"):
                downgrade(directory=migrations, revision="base")
            upgrade(directory=migrations)
            q = current_questionnaire()
            started = time.perf_counter()
            _seed(q, count)
            seeded = time.perf_counter() - started
            probe_id = count // 2
            db.session.remove()

            def read() -> None:
                db.session.get(Submission, probe_id)
                db.session.rollback()

            def compared() -> None:
                found = db.session.get(Submission, probe_id)
                assert found is not None
                assert peer_comparison(found) is not None
                db.session.rollback()

            def scanned() -> None:
                found = db.session.get(Submission, probe_id)
                _full_scan_percentile(found)
                db.session.rollback()

            compared()
            baseline = _timed(read, RUNS)
            comparison = _timed(compared, RUNS)
            scan = _timed(scanned, 5)
            found = db.session.get(Submission, probe_id)
            peers = peer_comparison(found)
            assert peers is not None
    finally:
        with app.app_context():
            db.engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return [
        f"peer benchmark, {count:,} completed submissions ({engine}, seeded in {seeded:.0f} s)",
        f"  submission read by primary key (baseline): {baseline * 1000:.2f} ms",
        f"  read + peer comparison from the counts ({peers.others:,} peers in the "
        f"{'segment' if peers.group.is_segment else 'whole base'}, overall and "
        f"{len(peers.categories)} categories): {comparison * 1000:.2f} ms "
        f"= {comparison / baseline:.1f}x the baseline",
        f"  read + a full scan of the segment's results (overall only): {scan * 1000:.0f} ms "
        f"= {scan / comparison:.0f}x the comparison from the counts",
    ]


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print("\n".join(run()))
