import pytest

from bot.access import Access
from bot.menus import MENUS
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.harness import Posko


async def test_stranger_learns_their_id_and_how_to_register(
    posko: Posko, fake: FakeTelegram
) -> None:
    stranger = fake.add_user(3001, "Rina<&>")
    await stranger.send("/start")
    text = stranger.last_message().text
    assert text.startswith("Selamat datang di Posko, Rina<&>!")
    assert "belum terdaftar" in text
    assert "ID Telegram Anda: 3001" in text
    assert "/lapor" not in text


async def test_officer_sees_their_role_and_how_to_report(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001, "danramil", "Telen", "Kapten Inf Joko")
    await officer.send("/bantuan")
    text = officer.last_message().text
    assert "Anda terdaftar sebagai Danramil Telen (Kapten Inf Joko)." in text
    assert "/lapor aman" in text
    assert "/tambah" not in text


async def test_admin_sees_admin_commands(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/help")
    text = admin.last_message().text
    assert "admin" in text
    assert "/rekap" in text
    assert "/tambah 123456789 | camat | Bengalon | Nama Lengkap" in text


async def test_start_works_in_groups(posko: Posko, admin: FakeUser, group: FakeChat) -> None:
    await admin.send("/start@PoskoTestBot", chat=group)
    assert "Selamat datang" in group.last_message().text
    assert f"ID grup ini: {group.id}" in group.last_message().text


async def test_command_menu_is_published(posko: Posko, fake: FakeTelegram) -> None:
    menu = fake.commands['{"type": "all_private_chats"}']
    assert [c["command"] for c in menu] == ["start", "daftar", "bantuan"]


async def test_menus_are_published_again_only_when_they_changed(
    posko: Posko, fake: FakeTelegram, enlist: Enlist, monkeypatch: pytest.MonkeyPatch
) -> None:
    await enlist(2001)

    def published() -> int:
        return sum(c.method == "setMyCommands" for c in fake.calls)

    before = published()
    await posko.restart()
    assert published() == before, "same menus, same admins: nothing to publish at start-up"
    monkeypatch.setitem(MENUS, Access.PETUGAS, (*MENUS[Access.PETUGAS], "start"))
    await posko.restart()
    assert published() == before + 3, "a new menu: the default one, the admin's, the officer's"
    menu = fake.commands['{"chat_id": 2001, "type": "chat"}']
    assert menu[-1]["command"] == "start"


def test_every_command_is_described_and_in_the_help() -> None:
    from bot import texts
    from bot.access import COMMANDS
    from bot.menus import MENUS

    in_menus = {name for names in MENUS.values() for name in names}
    everything = in_menus | {"help", "grup_koordinasi"}  # an alias, and a group-only command
    assert set(COMMANDS) == everything
    assert in_menus <= set(texts.COMMAND_DESCRIPTIONS)
    admin_help = "\n".join(texts.HELP_BY_ACCESS["admin"] + (texts.LAPOR_HELP, texts.DAFTAR_HELP))
    for name in set(COMMANDS) - {"help", "start", "bantuan", "batal", "daftar"}:
        assert f"/{name}" in admin_help, name
