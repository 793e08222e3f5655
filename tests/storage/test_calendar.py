"""Calendar versions and proposals: one version per change, a proposal saved at most once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage.audit import AuditRepo
from storage.calendar import CalendarRepo
from storage.config import DIGESTS_CHANGED_AT, ConfigRepo
from storage.db import Database

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
EMPTY, ONE = '{"stages": []}', '{"stages": [{"name": "A"}]}'


async def test_the_newest_version_is_in_force_and_each_change_is_audited(db: Database) -> None:
    calendars = CalendarRepo(db)
    assert await calendars.latest() is None
    first = await calendars.adopt(ONE, "import 1 stages", 1001, NOW)
    second = await calendars.adopt(
        EMPTY, "import 0 stages", 1001, NOW + timedelta(minutes=1),
        bookkeeping={DIGESTS_CHANGED_AT: "2024-11-27 02:01:00"},
    )  # fmt: skip
    assert (first, second) == (1, 2)
    latest = await calendars.latest()
    assert latest is not None
    assert (latest.version, latest.calendar, latest.changed_by) == (2, EMPTY, 1001)
    assert [v.calendar for v in await calendars.versions()] == [ONE, EMPTY], "the history"
    assert await ConfigRepo(db).get(DIGESTS_CHANGED_AT) == "2024-11-27 02:01:00"
    entries = await AuditRepo(db).recent()
    assert [(e.action, e.target_id, e.detail) for e in entries[:2]] == [
        ("calendar", 2, "import 0 stages"),
        ("calendar", 1, "import 1 stages"),
    ]


async def test_a_proposal_is_saved_or_dropped_once(db: Database) -> None:
    calendars = CalendarRepo(db)
    saved = await calendars.propose(1001, EMPTY, ONE, "stage 1 dates", NOW)
    dropped = await calendars.propose(1001, EMPTY, ONE, "stage 1 dates", NOW)
    assert await calendars.adopt(ONE, "stage 1 dates", 1001, NOW, proposal_id=saved) == 1
    assert await calendars.adopt(ONE, "stage 1 dates", 1001, NOW, proposal_id=saved) is None
    assert await calendars.decide(saved, "cancelled", NOW) is False
    assert await calendars.decide(dropped, "cancelled", NOW) is True
    assert await calendars.adopt(ONE, "stage 1 dates", 1001, NOW, proposal_id=dropped) is None
    assert len(await calendars.versions()) == 1
    proposal = await calendars.proposal(saved)
    assert proposal is not None
    assert (proposal.decision, proposal.base, proposal.calendar) == ("saved", EMPTY, ONE)
    assert len(await AuditRepo(db).recent()) == 1, "nothing audited for what was not stored"
