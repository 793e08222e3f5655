"""Bad input and odd updates change nothing and crash nothing (issue #7 and review findings)."""

import csv
import io
import logging
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from bot.ratelimit import RateLimits
from domain.enums import Role
from domain.members import RosterRow
from domain.regions import Region
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.server import FloodLimits
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings


def no_errors(caplog: pytest.LogCaptureFixture, fake: FakeTelegram) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage() for r in errors]
    assert not [c for c in fake.calls if c.error and "parse entities" in c.error]


async def test_commands_for_other_bots_are_ignored_even_as_captions(
    posko: Posko, fake: FakeTelegram, enlist: Enlist, admin: FakeUser
) -> None:
    intruder = fake.add_user(7777, "Penyusup")
    roster = b"user_id;peran;kecamatan;nama\n7777;koordinator;-;Penyusup\n"
    await intruder.send_document(roster, "x.csv", caption="/impor@SomeOtherBot")
    await intruder.send_document(roster, "x.csv", caption="/impor")
    assert await posko.services.members.get(7777) is None
    officer = await enlist(2001)
    await officer.send_photo(caption="/lapor@SomeOtherBot rawan x")
    assert await posko.services.reports.count() == 0


async def test_a_failed_escalation_is_posted_by_the_sweep(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram, clock: FakeClock
) -> None:
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=group.id)  # the alert fails
    officer = await enlist(2001)
    await officer.send("/lapor darurat jembatan putus")
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert group.messages == []
    queue = posko.app.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name("escalate pending")
    clock.advance(seconds=31)  # after the first back-off
    await job.run(posko.app)
    await posko.settle()
    [alert] = group.messages
    assert alert.text.startswith("🔴 DARURAT · Laporan #1")
    await job.run(posko.app)
    await posko.settle()
    assert len(group.messages) == 1, "posted once"


async def test_a_slow_group_does_not_hold_up_receipts(
    fake: FakeTelegram, db_path: Path, group: FakeChat, clock: FakeClock
) -> None:
    limits = RateLimits(group_messages=1, group_window=3.0)
    fake.enable_flood_limits(FloodLimits(group_messages=1, group_window=3.0))
    bot = Posko(fake, make_settings(fake, db_path), clock, rate_limits=limits)
    await bot.start()
    try:
        users = []
        for i in range(3):
            users.append(fake.add_user(2001 + i))
            await bot.services.members.save(
                RosterRow(2001 + i, Role.CAMAT, "Telen", f"P{i}"), clock(), None
            )
        for user in users:
            await user.send("/lapor darurat ada kerusuhan", wait=False)
        # all three receipts arrive while the group is still rate-limited
        await fake.wait_until(lambda: all(u.messages for u in users), timeout=2.5)
        assert len(group.messages) <= 1
        await group.wait_for_messages(3, timeout=15)
        assert fake.rejected_429 == 0
    finally:
        await bot.stop()


async def test_exports_never_contain_formulas(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "camat", "Bengalon", '=HYPERLINK("http://x")')
    await officer.send("/lapor waspada =1+2 @SUM(A1) -3")
    await admin.send("/ekspor")
    csv_message, xlsx_message = admin.messages[-2:]
    raw = bytes(csv_message.params["document"]["content"]).decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(raw)))
    assert row["keterangan"] == "'=1+2 @SUM(A1) -3"
    assert row["petugas"] == '\'=HYPERLINK("http://x")'
    book = openpyxl.load_workbook(io.BytesIO(bytes(xlsx_message.params["document"]["content"])))
    cell = book["Laporan"]["I2"]
    assert (cell.value, cell.data_type) == ("=1+2 @SUM(A1) -3", "s")


async def test_new_digest_times_in_the_past_are_not_posted_late(
    posko: Posko, admin: FakeUser, group: FakeChat, clock: FakeClock
) -> None:
    from handlers.digest.schedule import catch_up

    await admin.send("/jadwal digest 08:00,09:00,23:00")
    await catch_up(posko.app.bot, posko.services)
    assert group.messages == []


async def test_odd_callback_data_and_dates(
    posko: Posko, admin: FakeUser, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    await admin.send("/cari apa")  # a message with buttons to press on
    message = admin.last_message()
    for data in ("ack:²", "v:²:0", "v:1:99999999999999999999", "daftar:kec:²", "reg:ok:²",
                 "pg:x:y", "lapor:zz:send", "ack:", "v:", "zzz"):  # fmt: skip
        await admin.press_data(data, message)
    for command in ("/laporan 9999-12-31", "/rekap 0001-01-01", "/ekspor 0001-01-01 0001-01-02",
                    "/laporan 2024-13-45"):  # fmt: skip
        await admin.send(command)
        assert admin.last_message().text.startswith(("Format", "Tanggal tidak dikenal"))
    no_errors(caplog, fake)


async def test_region_names_are_escaped_in_registration(
    fake: FakeTelegram, db_path: Path, admin: FakeUser
) -> None:
    region = Region("Kab <Uji>", ("Sangatta <Utara> & Co",))
    bot = Posko(fake, make_settings(fake, db_path), region=region)
    await bot.start()
    try:
        user = fake.add_user(3001)
        await user.send("/daftar")
        await user.press("Camat")
        await user.press("Sangatta <Utara> & Co")
        assert "📝 Camat Sangatta <Utara> & Co" in user.last_message().text
    finally:
        await bot.stop()


async def test_reminders_tell_never_started_from_blocked(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from handlers.digest.schedule import send_reminders

    fake.add_user(2001, started=False)
    await posko.services.members.save(RosterRow(2001, Role.CAMAT, "Telen", "Baru"),
                                      posko.clock(), None)  # fmt: skip
    slot = datetime(2024, 11, 27, 16, 0, tzinfo=ZoneInfo("Asia/Makassar"))
    assert await send_reminders(posko.app.bot, posko.services, slot) == (0, 0, 1)
    member = await posko.services.members.get(2001)
    assert member is not None
    assert member.blocked_at is None
    assert "1 belum pernah membuka bot" in admin.last_message().text


async def test_barrage_of_odd_input(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat, admin: FakeUser,
    db_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    officer = await enlist(2001, "kapolsek", "Bengalon", "AKP Budi")
    other_group = fake.add_group(-100555, "Grup Lain")
    weird = [
        "\u200f\u202eطريق مغلق\u200b",
        "emoji 🔥🗳️👮‍♂️ & <b>tebal</b> *md* _it_ `kode` [tautan](http://x)",
        "'; DROP TABLE reports; -- \" OR 1=1",
        "&amp; &lt; &#0; &#x110000; </i>",
    ]
    for text in weird:
        await officer.send(f"/lapor rawan {text}")
    stored = [await posko.services.reports.get(n) for n in range(1, 5)]
    assert [r.text for r in stored if r] == [t.strip() for t in weird]
    assert all(t.strip() in m.text for t, m in zip(weird, group.messages, strict=True))
    await officer.send("/lapor waspada " + "x" * 5000)
    assert "maksimal 3.000 karakter" in officer.last_message().text
    await officer.send("x" * 5000)
    assert "Untuk melapor" in officer.last_message().text
    await officer.send("/lapor@OtherBot aman")
    hidden = {"type": "hidden_user", "sender_user_name": "X", "date": 0}
    await officer.send("/lapor aman", forward_origin=hidden)
    assert officer.last_message().text.startswith("Pesan terusan tidak diproses")
    for kind in ("sticker", "voice"):
        await officer.send_other(kind)
    await officer.share_location(1.0, 117.0)
    await officer.send_document(b"abc", "a.txt", mime_type="text/plain")
    await officer.send("/lapor aman", chat=other_group)
    await officer.send("halo", chat=other_group)
    await officer.send("/lapor aman", sender_chat={"id": -100999, "type": "channel",
                                                   "title": "K"})  # fmt: skip
    edited = fake.new_message(officer.chat, officer.data, text="/lapor darurat edit")
    await fake.push_update({"edited_message": edited})
    channel_post = fake.new_message(other_group, officer.data, text="/status")
    await fake.push_update({"channel_post": channel_post})
    await officer.press_data("lapor:deadbeef:send", group.messages[0])
    await admin.press_data("ack:999", group.messages[0])
    assert await posko.services.reports.count() == 4
    assert [m.text for m in other_group.messages] == [
        "Perintah ini hanya berlaku di obrolan pribadi dengan bot. Buka obrolan dengan bot, lalu "
        "kirim perintahnya di sana."
    ]
    no_errors(caplog, fake)
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
