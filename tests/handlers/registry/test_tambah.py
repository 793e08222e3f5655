import pytest

from domain.enums import MemberState, Role
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.harness import Posko


async def test_admin_registers_an_officer(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    officer = fake.add_user(2001, "Budi")
    await admin.send("/tambah 2001 | Camat | sangatta utara | Budi Santoso, S.Sos")
    assert admin.last_message().text == (
        "✅ Pengguna didaftarkan: Budi Santoso, S.Sos, Camat Sangatta Utara (ID 2001)."
    )
    stored = await posko.services.members.get(2001)
    assert stored is not None
    assert (stored.role, stored.kecamatan, stored.state) == (
        Role.CAMAT, "Sangatta Utara", MemberState.ACTIVE,
    )  # fmt: skip
    assert "Bapak/Ibu didaftarkan sebagai Camat Sangatta Utara" in officer.last_message().text
    await officer.send("/lapor aman")
    assert "Laporan #1 tercatat" in officer.last_message().text


async def test_re_adding_updates_the_officer(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/tambah 2001 | camat | Bengalon | Budi")
    await admin.send("/tambah 2001 | KAPOLSEK | Busang | AKP Budi")
    assert "Pengguna diperbarui: AKP Budi, Kapolsek Busang" in admin.last_message().text
    stored = await posko.services.members.get(2001)
    assert stored is not None
    assert (stored.role, stored.kecamatan, stored.name) == (Role.KAPOLSEK, "Busang", "AKP Budi")


async def test_officer_without_a_chat_is_still_registered(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/tambah 2999 | danramil | Telen | Joko")
    assert "didaftarkan" in admin.last_message().text
    assert await posko.services.members.get(2999) is not None


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("", "Format belum tepat"),
        ("2001 camat Bengalon Budi", "Format belum tepat"),
        ("@budi | camat | Bengalon | Budi", "harus angka ID Telegram"),
        (
            "2001 | lurah | Bengalon | Budi",
            "Jabatan harus camat, kapolsek, danramil, koordinator, atau admin",
        ),
        ("2001 | camat | Bengalon |   ", "Nama wajib diisi"),
    ],
)
async def test_bad_arguments_get_an_example(
    posko: Posko, admin: FakeUser, args: str, expected: str
) -> None:
    await admin.send(f"/tambah {args}")
    text = admin.last_message().text
    assert expected in text
    assert "/tambah 123456789 | camat | Bengalon | Nama Lengkap" in text
    assert await posko.services.members.active() == []


async def test_unknown_kecamatan_lists_the_valid_ones(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/tambah 2001 | camat | Samarinda | Budi")
    text = admin.last_message().text
    assert text.startswith("Kecamatan tidak dikenal.")
    assert "Batu Ampar, Bengalon, Busang" in text
    assert "Teluk Pandan" in text


async def test_only_admins_may_register(posko: Posko, enlist: object, fake: FakeTelegram) -> None:
    stranger = fake.add_user(3001)
    await stranger.send("/tambah 3001 | camat | Bengalon | Saya Sendiri")
    assert stranger.last_message().text.startswith("Bapak/Ibu belum terdaftar.")
    assert await posko.services.members.get(3001) is None


async def test_tambah_in_a_group_points_to_the_private_chat(
    posko: Posko, admin: FakeUser, group: FakeChat
) -> None:
    await admin.send("/tambah 2001 | camat | Bengalon | Budi", chat=group)
    assert "obrolan pribadi" in group.last_message().text
    assert await posko.services.members.get(2001) is None
