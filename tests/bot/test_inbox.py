"""The inbox queue: every update stored before it is handled, and handled once."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from telegram import Update

from bot.inbox import InboxBot, InboxQueue
from storage.db import Database
from storage.inbox import InboxRepo
from tests.harness import Posko

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


def update(update_id: int) -> Update:
    data = {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1732672800,
            "chat": {"id": 7, "type": "private"},
            "from": {"id": 7, "is_bot": False, "first_name": "Budi"},
            "text": "/lapor aman",
        },
    }
    return Update.de_json(data, None)


async def queue_for(db: Database) -> InboxQueue:
    queue = InboxQueue()
    queue.attach(InboxRepo(db), lambda: NOW)
    return queue


async def test_an_update_is_stored_before_it_is_queued_and_queued_once(db: Database) -> None:
    queue = await queue_for(db)
    await queue.put(update(1))
    await queue.put(update(1))  # replayed at start-up and redelivered by Telegram
    assert queue.qsize() == 1
    rows = await db.fetchall("SELECT update_id, payload, done_at FROM inbox")
    assert [(r[0], json.loads(r[1])["message"]["text"], r[2]) for r in rows] == [
        (1, "/lapor aman", None)
    ]


async def test_an_update_handled_in_an_earlier_run_is_dropped(db: Database) -> None:
    first = await queue_for(db)
    await first.put(update(5))
    await InboxRepo(db).mark_done(5, NOW)
    later = await queue_for(db)  # the next run; Telegram delivers #5 again
    await later.store([(5, update(5).to_json()), (6, update(6).to_json())])
    await later.put(update(5))
    await later.put(update(6))
    assert later.qsize() == 1
    queued = later.get_nowait()
    assert isinstance(queued, Update)
    assert queued.update_id == 6
    assert [r[0] for r in await db.fetchall("SELECT update_id FROM inbox ORDER BY 1")] == [5, 6]


async def test_the_bot_notes_when_telegram_last_answered_a_poll(posko: Posko) -> None:
    bot = posko.app.bot
    assert isinstance(bot, InboxBot)
    await posko.fake.push_update(
        {
            "message": posko.fake.new_message(
                posko.fake.add_user(4001, "Rina").chat,
                {"id": 4001, "is_bot": False, "first_name": "Rina"},
                text="/start",
            )
        }
    )
    assert bot.last_poll is not None
    assert datetime.now(UTC) - bot.last_poll < timedelta(seconds=10)
