"""The sender's tally (edited at most every few seconds, and again after a stop), the list of
who has not confirmed (only from a message showing its button, names kept out of the group for
an arahan not copied there), /status_arahan, deadlines past midnight, the digest and the /ekspor
sheets."""

from __future__ import annotations

import asyncio
import io
from datetime import UTC, datetime

import openpyxl

from bot import texts
from bot.texts.layout import MESSAGE_LIMIT
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.arahan.runtime import runtime_of
from handlers.arahan.tally import list_markup
from tests.conftest import Enlist
from tests.handlers.arahan.test_delivery import send_arahan
from tests.handlers.arahan.test_presses import toast
from tests.handlers.arahan.test_story import tally_line, tally_of
from tests.handlers.reading.test_export import document_bytes
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko


async def many_officers(posko: Posko, fake: FakeTelegram, count: int) -> list[FakeUser]:
    users = [fake.add_user(10_000 + i, f"P{i}") for i in range(count)]
    names = posko.region.kecamatan
    await posko.services.members.import_roster(
        [
            RosterRow(u.id, (Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL)[i % 3],
                      names[i % len(names)], f"Petugas Dengan Nama Panjang {i:04d}")
            for i, u in enumerate(users)
        ],
        posko.clock(), None,
    )  # fmt: skip
    return users


async def test_the_tally_is_edited_at_most_once_per_interval(
    posko: Posko, fake: FakeTelegram
) -> None:
    runtime_of(posko.app.bot_data).tally_every = 0.5
    kasat = await add_coordinator(posko, fake)
    officers = await many_officers(posko, fake, 30)
    await send_arahan(kasat, "semua | Apel siaga")
    tally = tally_of(kasat)
    assert tally_line(tally) == "📊 Dipahami 0/30 · belum 30"
    edits_before = tally.edits
    loop = asyncio.get_running_loop()
    started = loop.time()
    for officer in officers:
        await officer.press("✅ Dipahami", officer.messages[0], wait=False)
    await fake.wait_until(lambda: tally_line(tally) == "📊 Dipahami 30/30 · belum 0", timeout=10)
    elapsed = loop.time() - started
    edits = tally.edits - edits_before
    assert 1 <= edits <= elapsed / 0.5 + 2, f"{edits} edits in {elapsed:.2f} s"
    assert edits < 30 / 2, "confirmations are coalesced"


async def test_a_long_list_is_paged_within_telegram_limits(
    posko: Posko, fake: FakeTelegram
) -> None:
    kasat = await add_coordinator(posko, fake)
    await many_officers(posko, fake, 150)
    await send_arahan(kasat, "semua | Apel siaga")
    await kasat.press("📋 Belum konfirmasi", tally_of(kasat))
    first = kasat.last_message()
    assert first.text.startswith("📋 Arahan #1 — belum menekan Dipahami: 150 petugas")
    assert first.button_texts() == ["➡️"]
    seen = [first.text]
    while "➡️" in first.button_texts():
        await kasat.press("➡️", first)
        seen.append(first.text)
    assert len(seen) > 1
    assert all(len(page) <= MESSAGE_LIMIT for page in seen)
    names = {f"Petugas Dengan Nama Panjang {i:04d}" for i in range(150)}
    assert all(any(name in page for page in seen) for name in names)
    assert seen[-1].endswith(f"({len(seen)}/{len(seen)})")


async def test_status_arahan_lists_and_shows(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, admin: FakeUser, clock: FakeClock,
    group: FakeChat,
) -> None:  # fmt: skip
    kasat = await add_coordinator(posko, fake)
    await admin.send("/status_arahan")
    assert admin.last_message().text == "Belum ada arahan yang dikirim."
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await enlist(2002, "kapolsek", "Telen", "Eko")
    await send_arahan(kasat, "camat telen | Pertama")
    clock.advance(minutes=10)
    await send_arahan(kasat, "telen | Kedua")
    await officer.press("✅ Dipahami", officer.messages[0])
    await admin.send("/status_arahan")
    assert admin.last_message().text.splitlines() == [
        "📢 Arahan terbaru (rinciannya: /status_arahan <nomor>)",
        "#2 27/11 10.10 WITA · Semua petugas — Telen",
        "   Dipahami 0/2 · belum 2",
        "#1 27/11 10.00 WITA · Camat — Telen",
        "   Dipahami 1/1 · belum 0",
    ]
    await admin.send("/status_arahan 7")
    assert admin.last_message().text == "Arahan #7 tidak ditemukan. Lihat /status_arahan."
    await admin.send("/status_arahan tujuh")
    assert admin.last_message().text.startswith("Ketik /status_arahan")
    await kasat.send("/status_arahan@PoskoTestBot #2", chat=group)
    shown = group.last_message()
    assert shown.text.startswith("📢 Arahan #2 · Biasa · dikirim 27/11 10.10 WITA")
    assert "Kedua" not in shown.text, "not copied to the group: its text stays private"
    assert shown.button_texts() == [], "and so do the names of who has not confirmed"
    await admin.send("/status_arahan 2")
    assert "Kedua" in admin.last_message().text
    await admin.press("📋 Belum konfirmasi", admin.last_message())
    assert admin.last_message().text.startswith("📋 Arahan #2 — belum menekan Dipahami: 2")
    # A list button of such an arahan in the group (e.g. shown there by an older version).
    old = await posko.app.bot.send_message(group.id, "status lama", reply_markup=list_markup(2))
    posted = len(group.messages)
    update = await kasat.press_data("arl:2:0:n", group.messages[-1])
    assert toast(fake, update) == texts.arahan_list_private(2)
    assert len(group.messages) == posted
    assert old.message_id == group.messages[-1].message_id
    # One copied to the group shows its list there.
    await kasat.send("/arahan telen | Ketiga")
    preview = kasat.last_message()
    await kasat.press("Salin ke grup: Tidak", preview)
    await kasat.press("✅ Kirim", preview)
    await kasat.send("/status_arahan@PoskoTestBot 3", chat=group)
    await kasat.press("📋 Belum konfirmasi", group.last_message())
    assert group.last_message().text.startswith("📋 Arahan #3 — belum menekan Dipahami: 2")


async def test_the_digest_lists_arahan_short_of_full_confirmation(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, admin: FakeUser, clock: FakeClock
) -> None:
    kasat = await add_coordinator(posko, fake)
    ani = await enlist(2001, "danramil", "Bengalon", "Ani")
    await enlist(2002, "danramil", "Busang", "Budi")
    await send_arahan(kasat, "danramil bengalon | Sudah semua")
    await ani.press("✅ Dipahami", ani.messages[0])
    await send_arahan(kasat, "danramil | Belum semua")
    await admin.send("/rekap")
    digest = "\n".join(admin.texts())
    title = "📢 Arahan yang belum dikonfirmasi semua penerima"
    assert f"{title}\n#2 10.00 WITA · Danramil: Dipahami 0/2" in digest
    assert "#1 " not in digest.split("📢 Arahan yang belum dikonfirmasi")[1]


async def test_the_export_has_the_arahan_sheets(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, admin: FakeUser, clock: FakeClock
) -> None:
    kasat = await add_coordinator(posko, fake)
    ani = await enlist(2001, "danramil", "Bengalon", "Ani")
    budi = await enlist(2002, "danramil", "Busang", "Budi")
    fake.blocked.add(budi.id)
    await ani.send("/lapor aman")
    await send_arahan(kasat, 'danramil | =SUM(A1) "siaga"')
    clock.advance(hours=2)
    await ani.press("✅ Dipahami", ani.messages[-1])
    await admin.send("/ekspor")
    workbook = openpyxl.load_workbook(
        io.BytesIO(document_bytes(admin.messages[-1])), read_only=True
    )
    rows = list(workbook["Arahan"].values)
    assert rows[0][:3] == ("Nomor", "Waktu (WITA)", "Pengirim")
    assert rows[1] == (
        1, "2024-11-27 10:00:00", "Kasat Intelkam", "Koordinator", "Danramil", "Biasa",
        "2024-11-27 11:00:00", '=SUM(A1) "siaga"', None, 2, 1, 1, 1, 1, 0, 0,
    )  # fmt: skip
    people = {r[2]: r for r in list(workbook["Penerima Arahan"].values)[1:]}
    assert people["Ani"][5:9] == (
        "dipahami terlambat", "2024-11-27 10:00:00", "2024-11-27 12:00:00", "Ya",
    )  # fmt: skip
    assert people["Budi"][5] == "tidak terkirim"
    assert people["Budi"][10] == "Forbidden: bot was blocked by the user"


async def test_the_tally_is_not_left_stale_by_a_stop_within_its_coalescing_window(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """'Tally edits coalesced without losing the final state': a stop (SIGTERM) while the
    coalesced edit waits for its slot must not leave the sender's tally stale for ever."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    tally = tally_of(kasat)
    assert tally_line(tally) == "📊 Dipahami 0/1 · belum 1"
    state = runtime_of(posko.app.bot_data)
    state.tally_every = 60.0  # the next edit waits for its slot
    state.tallies[1].last = asyncio.get_running_loop().time()
    await officer.press("✅ Dipahami", officer.messages[0], wait=False)
    repo = posko.services.arahan
    for _ in range(200):
        row = await repo.recipient(1, officer.id)
        if row is not None and row.confirmed_at is not None:
            break
        await asyncio.sleep(0.02)
    await posko.restart()  # the waiting edit is cancelled by the stop (bot.runner: at once)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert tally_line(tally) == "📊 Dipahami 1/1 · belum 0", tally.text
    edits = tally.edits
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert tally.edits == edits, "a tally showing every change is left alone"


async def test_a_list_button_acts_only_on_a_message_that_shows_it(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """Forged `arl:` data used to turn whatever message it was pressed on into a list."""
    kasat = await add_coordinator(posko, fake)
    await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    tally = tally_of(kasat)
    before = tally.text
    update = await kasat.press_data("arl:1:0", tally)
    assert toast(fake, update) == texts.STALE_BUTTON
    update = await kasat.press_data("arl:1:0:f3", tally)
    assert toast(fake, update) == texts.STALE_BUTTON
    await kasat.send("/status_arahan")
    overview = kasat.last_message()
    listed = overview.text
    update = await kasat.press_data("arl:1:0:n", overview)
    assert toast(fake, update) == texts.STALE_BUTTON
    assert (tally.text, overview.text) == (before, listed)
    assert kasat.last_message().message_id == overview.message_id, "no list sent"


async def test_a_deadline_past_midnight_shows_its_day(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, admin: FakeUser, clock: FakeClock
) -> None:
    clock.set(datetime(2024, 11, 27, 15, 30, tzinfo=UTC))  # 23.30 WITA
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga malam")  # batas 1 jam: 00.30 tomorrow
    assert "sebelum 28/11 00.30 WITA" in officer.messages[0].text
    assert "Batas konfirmasi: 28/11 00.30 WITA" in tally_of(kasat).text
    clock.advance(hours=1)  # 00.30: the reminder, read on the day of the deadline
    await posko.run_job("arahan 1")
    await posko.settle()
    assert "(batas 00.30 WITA)" in officer.last_message().text
    clock.advance(hours=6, minutes=30)  # 07.00
    await admin.send("/rekap")
    digest = "\n".join(admin.texts())
    assert "#1 27/11 23.30 WITA · Camat — Telen: Dipahami 0/1" in digest
