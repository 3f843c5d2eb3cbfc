"""The demo store tells a plausible story: a missed call lasted nothing and has no
recording, and the SMS list shows messages sent, failed (with the gateway's reason) and
still queued."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def test_missed_calls_have_no_duration_or_recording(demo_copy: Path) -> None:
    with sqlite3.connect(demo_copy) as db:
        missed, longest, recorded = db.execute(
            "SELECT COUNT(*), MAX(duration_seconds), SUM(recording <> '') "
            "FROM phone_call WHERE missed"
        ).fetchone()
        answered_recorded = db.execute(
            "SELECT COUNT(*) FROM phone_call WHERE NOT missed AND recording <> ''"
        ).fetchone()[0]
    assert missed > 0 and longest == 0 and recorded == 0
    assert answered_recorded > 0


def test_sms_are_sent_failed_and_queued(demo_copy: Path) -> None:
    with sqlite3.connect(demo_copy) as db:
        counts = dict(db.execute("SELECT status, COUNT(*) FROM sms_message GROUP BY status"))
        reasons = {r for (r,) in db.execute("SELECT error FROM sms_message WHERE status='failed'")}
    assert counts.get("sent", 0) > counts.get("failed", 0) > 0
    assert counts.get("queued", 0) > 0
    assert all(reason.strip() for reason in reasons)
