import sqlite3
from pathlib import Path
from typing import Any

from bot import texts
from domain.enums import Level, Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from tests.conftest import Enlist
from tests.harness import ADMIN_ID, Posko, make_settings, receipt_of


async def test_nihil_report_is_stored_and_receipted(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "camat", "Bengalon", "Budi Santoso")
    await officer.send("/lapor aman")
    receipt = officer.last_message()
    assert receipt.text.startswith("✅ Laporan #1 tercatat pukul 10.00 WITA.")
    assert "nihil" in receipt.text
    assert receipt.params["reply_parameters"]["message_id"] == 1
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.officer_id, report.kecamatan, report.level, report.text) == (
        2001, "Bengalon", Level.AMAN, "",
    )  # fmt: skip
    assert group.messages == []


async def test_waspada_is_stored_but_not_escalated(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor waspada ada kerumunan di pasar")
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert "🟡 Waspada" in officer.last_message().text
    assert group.messages == []


async def test_urgent_reports_reach_the_group_escaped(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Muara Wahau", "AKP <Agus> & Co")
    typed = "massa <b>blokade</b> jalan & bakar ban\nbaris kedua"
    await officer.send(f"/lapor RAWAN {typed}")
    await officer.send("/lapor darurat gudang logistik terbakar")
    assert "diteruskan ke grup koordinasi" in officer.messages[0].text
    first, second = group.messages
    assert first.text.splitlines() == [
        "🟠 RAWAN · Laporan #1",
        "Kecamatan: Muara Wahau",
        "Pelapor: Kapolsek — AKP <Agus> & Co",
        "Waktu: 27/11/2024 10.00 WITA",
        "",
        "massa <b>blokade</b> jalan & bakar ban",
        "baris kedua",
    ]
    assert first.html is not None
    assert "&lt;b&gt;blokade&lt;/b&gt;" in first.html
    assert second.text.startswith("🔴 DARURAT · Laporan #2")


async def test_receipt_is_sent_only_after_the_report_is_committed(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, db_path: Path
) -> None:
    officer = await enlist(2001)
    seen: list[Any] = []

    def look_at_disk(method: str, params: dict[str, Any]) -> None:
        if method == "sendMessage" and params.get("chat_id") == 2001:
            # A separate connection sees only committed data.
            with sqlite3.connect(db_path) as other:
                seen.append(other.execute("SELECT id, text FROM reports").fetchall())

    fake.observers.append(look_at_disk)
    await officer.send("/lapor waspada massa berkumpul")
    assert seen == [[(1, "massa berkumpul")]]


async def test_redelivered_update_is_stored_once(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat
) -> None:
    officer = await enlist(2001)
    update = await officer.send("/lapor rawan jalan diblokade")
    await fake.push_update({"message": update["message"]})  # Telegram delivers it again
    assert await posko.services.reports.count() == 1
    assert [m.text.splitlines()[0] for m in officer.messages] == [
        "✅ Laporan #1 tercatat pukul 10.00 WITA.",
        "✅ Laporan #1 tercatat pukul 10.00 WITA.",
    ]
    assert len(group.messages) == 1, "the group is not alerted twice"


async def test_bad_input_gets_an_example_and_stores_nothing(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    cases = {
        "/lapor \u200b": "Tulis tingkat dan isi laporan",
        "/lapor banjir besar": "Tingkat tidak dikenal",
        "/lapor rawan": "perlu keterangan",
        "/lapor waspada " + "x" * 3001: "maksimal 3.000 karakter",
    }
    for text, expected in cases.items():
        await officer.send(text)
        assert expected in officer.last_message().text
        assert "<code>/lapor" in (officer.last_message().html or "") or "3.000" in expected
    assert await posko.services.reports.count() == 0


async def test_unregistered_user_is_told_how_to_register(posko: Posko, fake: FakeTelegram) -> None:
    stranger = fake.add_user(3001, "Asing")
    await stranger.send("/lapor darurat ada kerusuhan")
    assert "belum terdaftar" in stranger.last_message().text
    assert await posko.services.reports.count() == 0


async def test_inactive_officer_is_refused(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    async with posko.services.db.transaction() as conn:
        await conn.execute("UPDATE members SET state = 'inactive' WHERE user_id = 2001")
    await officer.send("/lapor aman")
    assert "nonaktif" in officer.last_message().text
    assert await posko.services.reports.count() == 0


async def test_messages_on_behalf_of_a_chat_get_no_rights(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    channel = {"id": -1009999, "type": "channel", "title": "Kanal"}
    await officer.send("/lapor aman", sender_chat=channel)
    assert "atas nama grup" in officer.last_message().text
    assert await posko.services.reports.count() == 0


async def test_lapor_in_a_group_points_to_the_private_chat(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor@PoskoTestBot rawan ribut", chat=group)
    assert "obrolan pribadi" in group.last_message().text
    assert await posko.services.reports.count() == 0


async def test_command_for_another_bot_is_ignored(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor@OtherBot aman")
    assert officer.messages == []
    assert await posko.services.reports.count() == 0


async def test_storage_failure_gets_no_receipt_and_the_retry_works(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await posko.services.db.fetchall("PRAGMA query_only = ON")  # writes now fail
    await officer.send("/lapor rawan jalan diblokade")
    assert officer.last_message().text == (
        "⚠️ Laporan belum tercatat karena penyimpanan sedang terganggu. "
        "Kirim ulang laporan yang sama sebentar lagi."
    )
    assert group.messages == []
    await posko.services.db.fetchall("PRAGMA query_only = OFF")
    await officer.send("/lapor rawan jalan diblokade")
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert len(group.messages) == 1


async def test_without_a_coordination_group_reports_are_still_stored(
    fake: FakeTelegram, db_path: Path
) -> None:
    bot = Posko(fake, make_settings(fake, db_path, coordination_chat_id=None))
    await bot.start()
    try:
        officer = fake.add_user(2001)
        admin = fake.add_user(ADMIN_ID)
        await bot.services.members.save(
            RosterRow(2001, Role.DANRAMIL, "Bengalon", "Budi"), bot.services.clock(), None
        )
        await officer.send("/lapor darurat banjir")
        assert officer.texts() == [await receipt_of(bot.services, 1)]
        notice = texts.escalation_failed(1, Level.DARURAT, "Bengalon")
        assert admin.texts() == [parse_html(notice)], "the admins know it did not go out"
    finally:
        await bot.stop()


async def test_plain_text_and_unknown_commands_get_a_hint(posko: Posko, enlist: Enlist) -> None:
    officer: FakeUser = await enlist(2001)
    await officer.send("halo pak, aman")
    hint = officer.last_message().text
    assert hint.startswith("⚠️ Pesan ini tidak tercatat sebagai laporan.")
    assert "/lapor waspada" in hint
    await officer.send("/laporkan")
    assert "Perintah tidak dikenal" in officer.last_message().text
