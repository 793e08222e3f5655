from domain.enums import MemberState, Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.harness import ADMIN_ID, Posko


async def test_setujui_and_tolak_by_command(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    now = posko.clock()
    await posko.services.members.request(RosterRow(3001, Role.CAMAT, "Telen", "Ani"), now)
    await posko.services.members.request(RosterRow(3002, Role.CAMAT, "Telen", "Bono"), now)
    applicant = fake.add_user(3001)
    await admin.send("/setujui 3001")
    assert admin.last_message().text == "Pendaftaran Ani (ID 3001) disetujui."
    assert "Pendaftaran disetujui" in applicant.last_message().text
    await admin.send("/tolak 3002")
    assert admin.last_message().text == "Pendaftaran Bono (ID 3002) ditolak."
    await admin.send("/tolak 3002")
    assert "Tidak ada permohonan yang menunggu" in admin.last_message().text
    await admin.send("/setujui budi")
    assert "Tulis ID pengguna (angka)" in admin.last_message().text


async def test_deactivated_officer_cannot_report_but_reports_stay(
    posko: Posko, enlist: Enlist, admin: FakeUser, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "camat", "Bengalon", "Budi")
    await officer.send("/lapor aman")
    await admin.send("/nonaktifkan 2001")
    assert admin.last_message().text == "Budi (ID 2001) dinonaktifkan."
    assert "dinonaktifkan oleh admin" in officer.last_message().text
    assert '{"chat_id": 2001, "type": "chat"}' not in fake.commands
    await officer.send("/lapor waspada ada isu")
    assert officer.last_message().text.startswith("Akun Bapak/Ibu sedang nonaktif")
    assert await posko.services.reports.count() == 1
    await admin.send("/aktifkan 2001")
    assert admin.last_message().text == "Budi (ID 2001) diaktifkan."
    await officer.send("/lapor waspada ada isu")
    assert "Laporan #2 tercatat" in officer.last_message().text
    await admin.send("/nonaktifkan 4242")
    assert "Tidak ada pengguna terdaftar" in admin.last_message().text


async def test_bootstrap_admin_cannot_be_removed_or_changed(posko: Posko, admin: FakeUser) -> None:
    await admin.send(f"/nonaktifkan {ADMIN_ID}")
    assert "admin utama" in admin.last_message().text
    await admin.send(f"/tambah {ADMIN_ID} | camat | Bengalon | Saya")
    assert "admin utama" in admin.last_message().text
    assert await posko.services.members.get(ADMIN_ID) is None


async def test_promoted_koordinator_and_admin(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    kasat = fake.add_user(5001, "Kasat")
    await admin.send("/tambah 5001 | Koordinator | - | Kasat Intelkam")
    assert admin.last_message().text.startswith(
        "✅ Pengguna didaftarkan: Kasat Intelkam, Koordinator"
    )
    await kasat.send("/rekap")
    assert "Rekap Kondisi Wilayah" in kasat.last_message().text
    await kasat.send("/petugas")
    assert kasat.last_message().text == (
        "Perintah ini hanya untuk admin. Perintah untuk Bapak/Ibu ada di /bantuan."
    )
    await admin.send("/tambah 5002 | admin | Bengalon | Salah")
    assert admin.last_message().text.startswith("Kecamatan tidak dikenal")
    deputy = fake.add_user(5002, "Wakil")
    await admin.send("/tambah 5002 | admin | - | Operator Dua")
    await deputy.send("/petugas")
    assert "Daftar pengguna" in deputy.last_message().text
    menu = fake.commands['{"chat_id": 5002, "type": "chat"}']
    assert "impor" in [c["command"] for c in menu]


async def test_petugas_pages_forward_and_back(
    posko: Posko, admin: FakeUser, fake: FakeTelegram
) -> None:
    now = posko.clock()
    for i in range(23):
        await posko.services.members.save(
            RosterRow(6000 + i, Role.CAMAT, "Bengalon" if i % 2 else "Busang", f"Petugas {i:02d}"),
            now, None,
        )  # fmt: skip
    await admin.send("/petugas")
    listing = admin.last_message()
    assert "(23 orang)" in listing.text
    assert "Halaman 1/3" in listing.text
    assert listing.button_texts() == ["➡️"]
    await admin.press("➡️", listing)
    assert "Halaman 2/3" in listing.text
    assert listing.button_texts() == ["⬅️", "➡️"]
    await admin.press("➡️", listing)
    assert "Halaman 3/3" in listing.text
    assert listing.button_texts() == ["⬅️"]
    assert listing.text.count("• ") == 3
    await admin.press("⬅️", listing)
    await admin.press("⬅️", listing)
    assert "Halaman 1/3" in listing.text
    assert len(admin.messages) == 1, "pages are edited in place"
    await admin.send("/petugas bengalon")
    assert "Daftar pengguna — Bengalon (11 orang)" in admin.last_message().text
    assert "belum pernah lapor" in admin.last_message().text
    await admin.send("/petugas Samarinda")
    assert admin.last_message().text.startswith("Kecamatan tidak dikenal")


async def test_petugas_when_empty(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/petugas")
    assert admin.last_message().text == "Belum ada pengguna terdaftar."


async def test_grup_koordinasi_moves_escalations_and_survives_restart(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat, fake: FakeTelegram
) -> None:
    new_group = fake.add_group(-100424242, "Posko Baru")
    await admin.send("/grup_koordinasi@PoskoTestBot", chat=new_group)
    assert "sekarang menjadi grup koordinasi" in new_group.last_message().text
    await posko.restart()
    officer = await enlist(2001)
    await officer.send("/lapor darurat jembatan putus")
    assert "DARURAT" in new_group.last_message().text
    assert group.messages == []
    entries = await posko.services.audit.recent()
    assert any(e.action == "set coordination_chat_id" and e.actor_id == ADMIN_ID for e in entries)


async def test_every_registry_change_is_audited(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    await admin.send("/tambah 2001 | camat | Bengalon | Budi")
    await admin.send("/nonaktifkan 2001")
    await admin.send("/aktifkan 2001")
    user = fake.add_user(3001)
    await user.send("/daftar")
    await user.press("Camat")
    await user.press("Telen")
    await user.send("Ani")
    await user.send("Lewati")
    await user.send("Lewati")
    await user.press("✅ Kirim")
    await admin.send("/tolak 3001")
    entries = [(e.action, e.actor_id, e.target_id) for e in await posko.services.audit.recent()]
    assert entries == [
        ("reject", ADMIN_ID, 3001),
        ("request", 3001, 3001),
        ("activate", ADMIN_ID, 2001),
        ("deactivate", ADMIN_ID, 2001),
        ("add", ADMIN_ID, 2001),
    ]
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.state is MemberState.REJECTED
