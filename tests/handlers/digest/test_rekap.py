from datetime import UTC, datetime
from pathlib import Path

from domain.enums import Role
from domain.members import RosterRow
from domain.regions import Region
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.server import TEXT_LIMIT, utf16_len
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings


async def file_reports(enlist: Enlist) -> None:
    camat = await enlist(2001, "camat", "Bengalon", "Budi")
    kapolsek = await enlist(2002, "kapolsek", "Bengalon", "Agus")
    danramil = await enlist(2003, "danramil", "Telen", "Joko")
    await camat.send("/lapor aman")
    await kapolsek.send("/lapor rawan massa berkumpul")
    await danramil.send("/lapor waspada isu hoaks")


async def test_admin_gets_todays_digest(posko: Posko, enlist: Enlist, admin: FakeUser) -> None:
    await file_reports(enlist)
    await admin.send("/rekap")
    text = admin.last_message().text
    assert "· 00.00–10.00 WITA" in text
    assert "3 laporan · " in text
    assert "🔴 0 · 🟠 1 · 🟡 1 · 🟢 0 · ⚪ 16 belum lapor" in text
    assert "🟠 Bengalon — Rawan (2 laporan)" in text
    assert "🟡 Telen — Waspada (1 laporan)" in text
    assert "⚪ Busang: (belum ada petugas terdaftar)" in text


async def test_digest_of_a_past_day(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    await file_reports(enlist)
    clock.set(datetime(2024, 11, 28, 1, 0, tzinfo=UTC))  # next day, 09.00 WITA
    await admin.send("/rekap kemarin")
    yesterday = admin.last_message().text
    assert "Rabu, 27 November 2024" in yesterday
    assert "· 00.00–24.00 WITA" in yesterday
    assert "3 laporan · " in yesterday
    await admin.send("/rekap 2024-11-28")
    assert "0 laporan · " in admin.last_message().text


async def test_bad_and_future_dates(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/rekap 31/11/2024")
    assert "Tanggal tidak dikenal" in admin.last_message().text
    await admin.send("/rekap 2024-11-28")
    assert "belum tiba" in admin.last_message().text


async def test_anyone_in_the_coordination_group_may_ask(
    posko: Posko, fake: FakeTelegram, group: FakeChat
) -> None:
    member = fake.add_user(4001, "Dandim")
    await member.send("/rekap@PoskoTestBot", chat=group)
    assert "Rekap Kondisi Wilayah" in group.last_message().text


async def test_others_are_refused(posko: Posko, enlist: Enlist, fake: FakeTelegram) -> None:
    officer = await enlist(2001)
    await officer.send("/rekap")
    assert officer.last_message().text.startswith(
        "Perintah ini tidak tersedia untuk jabatan Bapak/Ibu"
    )
    other_group = fake.add_group(-100777, "Grup Lain")
    await officer.send("/rekap", chat=other_group)
    assert other_group.last_message().text.startswith(
        "Perintah ini hanya berlaku di grup koordinasi"
    )


async def test_long_digest_arrives_in_numbered_parts(
    fake: FakeTelegram, db_path: Path, clock: FakeClock
) -> None:
    names = tuple(
        f"Kecamatan {i:03d} <Nama & Panjang Sekali Untuk Uji Pemecahan>" for i in range(150)
    )
    region = Region("Kabupaten Uji", names)
    settings = make_settings(fake, db_path)
    bot = Posko(fake, settings, clock, region=region)
    await bot.start()
    try:
        admin = fake.add_user(1001, "Admin")
        for i, name in enumerate(names[:120]):
            user_id = 5000 + i
            await bot.services.members.save(
                RosterRow(user_id, Role.CAMAT, name, "Petugas"), clock(), None
            )
            officer = fake.add_user(user_id)
            await officer.send("/lapor waspada ada kejadian")
        await admin.send("/rekap")
        parts = admin.messages
        assert len(parts) > 1
        for i, part in enumerate(parts, 1):
            assert utf16_len(part.text) <= TEXT_LIMIT
            assert part.text.endswith(f"({i}/{len(parts)})")
        joined = "\n".join(p.text for p in parts)
        assert joined.count("— Waspada (1 laporan)") == 120
        assert joined.count("(belum ada petugas terdaftar)") == 30
    finally:
        await bot.stop()
