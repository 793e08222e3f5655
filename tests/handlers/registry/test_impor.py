from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from tests.harness import Posko

GOOD = (
    b"user_id;peran;kecamatan;nama;telepon\n"
    b"2001;camat;Bengalon;Budi;0812\n"
    b"2002;kapolsek;Bengalon;AKP Agus;\n"
    b"2003;koordinator;-;Kasat Intel;\n"
)


async def test_import_adds_and_updates(posko: Posko, admin: FakeUser, fake: FakeTelegram) -> None:
    await posko.services.members.save(RosterRow(2001, Role.DANRAMIL, "Telen", "Lama"),
                                      posko.clock(), None)  # fmt: skip
    officer = fake.add_user(2002)
    await admin.send_document(GOOD, "petugas.csv", caption="/impor")
    assert admin.last_message().text == "✅ Impor selesai: 2 pengguna ditambahkan, 1 diperbarui."
    budi = await posko.services.members.get(2001)
    assert budi is not None
    assert (budi.role, budi.kecamatan, budi.phone) == (Role.CAMAT, "Bengalon", "0812")
    assert "lapor" in [c["command"] for c in fake.commands['{"chat_id": 2002, "type": "chat"}']]
    await officer.send("/lapor aman")
    assert "Laporan #1 tercatat" in officer.last_message().text
    entries = await posko.services.audit.recent()
    assert entries[0].action == "import"
    assert entries[0].detail == "2 added, 1 updated"


async def test_import_by_replying_to_the_file(posko: Posko, admin: FakeUser) -> None:
    upload = await admin.send_document(GOOD, "petugas.csv")
    await admin.send("/impor", reply_to_message=upload["message"])
    assert admin.last_message().text.startswith("✅ Impor selesai: 3 pengguna ditambahkan")


async def test_bad_rows_import_nothing(posko: Posko, admin: FakeUser) -> None:
    data = GOOD + b"2004;camat;Samarinda;X\n2001;danramil;Telen;Y\nabc;camat;Telen;Z\n"
    await admin.send_document(data, "petugas.csv", caption="/impor")
    text = admin.last_message().text
    assert text.splitlines() == [
        "❌ Impor dibatalkan: 3 kesalahan, tidak ada yang disimpan.",
        "Baris 5: kecamatan tidak dikenal: Samarinda",
        "Baris 6: user_id ganda (juga di baris 2)",
        "Baris 7: user_id harus angka ID Telegram",
        "Perbaiki berkas lalu kirim lagi.",
    ]
    assert await posko.services.members.active() == []


async def test_unusable_files_are_refused(posko: Posko, admin: FakeUser) -> None:
    await admin.send_document(b"nama,peran\nBudi,camat\n", "a.csv", caption="/impor")
    assert "kolom tidak ada: user_id, kecamatan" in admin.last_message().text
    await admin.send_document("user_id,peran,kecamatan,nama\n1,camat,Telen,Bud\u00ed".encode(
        "latin-1"), "a.csv", caption="/impor")  # fmt: skip
    assert "bukan UTF-8" in admin.last_message().text
    await admin.send_document(b"%PDF-1.4", "a.pdf", caption="/impor", mime_type="application/pdf")
    assert admin.last_message().text.startswith("Berkas harus CSV")
    await admin.send_document(GOOD, "besar.csv", caption="/impor", size=2 * 1024 * 1024)
    assert admin.last_message().text.startswith("Berkas terlalu besar")
    await admin.send("/impor")
    assert admin.last_message().text.startswith("Kirim berkas CSV")
    assert await posko.services.members.active() == []


async def test_import_is_for_admins_only(posko: Posko, fake: FakeTelegram) -> None:
    stranger = fake.add_user(3001)
    await stranger.send_document(GOOD, "petugas.csv", caption="/impor")
    assert stranger.last_message().text.startswith("Bapak/Ibu belum terdaftar")
    assert await posko.services.members.active() == []
