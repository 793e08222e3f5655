from dataclasses import replace

import pytest

from bot.access import Access
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from handlers.registry import start
from tests.conftest import Enlist
from tests.harness import Posko


async def test_stranger_learns_their_id_and_how_to_register(
    posko: Posko, fake: FakeTelegram
) -> None:
    stranger = fake.add_user(3001, "Rina<&>")
    await stranger.send("/start")
    text = stranger.last_message().text
    assert text.startswith("Selamat datang di Posko.\n"), "never the Telegram nickname"
    assert "Rina" not in text
    assert "belum terdaftar" in text
    assert "ID Telegram Bapak/Ibu: 3001" in text
    assert "/lapor" not in text


async def test_greeting_names_the_jabatan_and_kecamatan(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "kapolsek", "Muara Wahau", "AKP Agus Salim")
    await officer.send("/start")
    assert "!" not in officer.last_message().text
    lines = officer.last_message().text.splitlines()
    assert lines[:2] == [
        "Selamat datang di Posko, Bapak/Ibu Kapolsek Muara Wahau.",
        "Terdaftar di Posko atas nama AKP Agus Salim.",
    ]
    await admin.send("/start")
    assert admin.last_message().text.startswith("Selamat datang di Posko, Bapak/Ibu Admin.")


async def test_officer_sees_their_role_and_how_to_report(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001, "danramil", "Telen", "Kapten Inf Joko")
    await officer.send("/bantuan")
    text = officer.last_message().text
    assert text.startswith("Selamat datang di Posko, Bapak/Ibu Danramil Telen.")
    assert "/lapor aman" in text
    assert "/tambah" not in text


async def test_an_officers_help_is_paged_to_fit_one_screen(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "danramil", "Telen", "Kapten Inf Joko")
    await officer.send("/bantuan")
    help_message = officer.last_message()
    first = help_message.text
    assert len(first.splitlines()) <= 12
    assert "Perintah untuk Bapak/Ibu (1/2)" in first
    assert first.endswith("Perintah lain: tekan ➡️")
    assert "ID Telegram" not in first
    assert help_message.button_texts() == ["➡️"]
    await officer.press("➡️", help_message)
    second = help_message.text
    assert second.startswith("Perintah untuk Bapak/Ibu (2/2)"), "the greeting stays on page 1"
    assert "/bantuan — daftar perintah ini" in second
    assert second.endswith("ID Telegram Bapak/Ibu: 2001")
    assert help_message.button_texts() == ["⬅️"]
    await officer.press("⬅️", help_message)
    assert help_message.text == first
    assert len(officer.messages) == 1, "pages are edited in place"
    await officer.press_data("bantuan:x", help_message)
    assert help_message.text == first, "a broken button changes nothing"


async def test_admin_sees_admin_commands(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/help")
    text = admin.last_message().text
    assert "/cadangan" in text
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
    greeting, *others = start.COMMANDS
    in_more_menus = replace(greeting, menu=greeting.menu | {Access.PETUGAS}, rank=99)
    monkeypatch.setattr(start, "COMMANDS", (in_more_menus, *others))
    await posko.restart()
    assert published() == before + 3, "a new menu: the default one, the admin's, the officer's"
    menu = fake.commands['{"chat_id": 2001, "type": "chat"}']
    assert menu[-1]["command"] == "start"


def test_every_command_is_declared_once_with_its_menu_help_and_readme_lines() -> None:
    from bot.app import command_table

    table = command_table()
    for command in table.commands:
        assert command.description, command.name
        assert f"/{command.name}" in command.help, command.name
        assert command.readme, command.name
    in_menus = {c.name for access in Access for c in table.menu(access)}
    assert {c.name for c in table.commands} - in_menus == {"grup_koordinasi"}, "group-only"
    assert table.rule("help") == table.rule("bantuan"), "an alias has its command's rule"
    assert table.rule("tidak_ada") is None


async def test_help_is_the_menu_of_the_role(posko: Posko, enlist: Enlist, admin: FakeUser) -> None:
    from bot.app import command_table

    table = command_table()
    officer = await enlist(2001)
    await officer.send("/bantuan")
    pages = officer.last_message()
    shown = pages.text
    while "➡️" in pages.button_texts():
        await officer.press("➡️", pages)
        shown += "\n" + pages.text
    for command in table.commands:
        line = parse_html(command.help)
        assert (line in shown) == (Access.PETUGAS in command.menu)
    await admin.send("/bantuan")
    for command in table.menu(Access.ADMIN):
        assert parse_html(command.help) in admin.last_message().text


def test_the_readme_command_table_is_the_declared_one() -> None:
    from pathlib import Path

    from bot.app import command_table

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text("utf-8")
    begin, end = "<!-- commands:start -->\n", "<!-- commands:end -->"
    assert begin in readme
    assert end in readme
    shown = readme[readme.index(begin) + len(begin) : readme.index(end)].strip().splitlines()
    expected = command_table().readme_rows()
    assert shown == expected, "README.md: paste the rows of `python3 -m bot.app --commands`"
