"""Every command and button x every kind of sender x every kind of chat.

The expectations below are written from the specification (issue #3; incidents: issue #16;
logistics: issue #20; the election calendar: issue #19; the vulnerability map: issue #23), not
derived from the production rule table, so a wrong rule fails here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot import texts
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser, SentMessage
from tests.harness import ADMIN_ID, COORDINATION_CHAT_ID, FakeClock, Posko, make_settings

ROLES = ("unknown", "pending", "inactive", "petugas", "koordinator", "admin", "db_admin",
         "anonymous")  # fmt: skip
PEOPLE = frozenset(ROLES) - {"anonymous"}
EVERYONE = frozenset(ROLES)
ADMINS = frozenset({"admin", "db_admin"})
PRIVATE, COORDINATION, GROUP = "private", "coordination", "group"
PLACES = (PRIVATE, COORDINATION, GROUP)  # GROUP last: /grup_koordinasi there moves the group

EXPECTED: dict[str, dict[str, frozenset[str]]] = {
    "start": {PRIVATE: PEOPLE, COORDINATION: EVERYONE, GROUP: EVERYONE},
    "bantuan": {PRIVATE: PEOPLE, COORDINATION: EVERYONE, GROUP: EVERYONE},
    "help": {PRIVATE: PEOPLE, COORDINATION: EVERYONE, GROUP: EVERYONE},
    "daftar": {PRIVATE: PEOPLE},
    "batal": {PRIVATE: PEOPLE},
    "lapor": {PRIVATE: frozenset({"petugas"})},
    "ralat": {PRIVATE: frozenset({"petugas"})},
    "riwayat": {PRIVATE: frozenset({"petugas"})},
    "cadangan": {PRIVATE: ADMINS},
    "rekap": {PRIVATE: frozenset({"koordinator"}) | ADMINS, COORDINATION: EVERYONE},
    "tambah": {PRIVATE: ADMINS},
    "setujui": {PRIVATE: ADMINS},
    "tolak": {PRIVATE: ADMINS},
    "nonaktifkan": {PRIVATE: ADMINS},
    "aktifkan": {PRIVATE: ADMINS},
    "petugas": {PRIVATE: ADMINS},
    "impor": {PRIVATE: ADMINS},
    "grup_koordinasi": {COORDINATION: ADMINS, GROUP: ADMINS},
    "jadwal": {PRIVATE: ADMINS},
    # Issue 19: everyone registered sees the election calendar, privately or in the
    # coordination group (changing it: admins in their private chat, checked by the handler).
    "tahapan": {
        PRIVATE: frozenset({"petugas", "koordinator"}) | ADMINS,
        COORDINATION: frozenset({"petugas", "koordinator"}) | ADMINS,
    },
    # Issue 16: officers (of that kecamatan: the handler) privately, koordinators and admins
    # privately and in the coordination group, may post updates and close; only koordinators
    # and admins reopen.
    **{
        command: {
            PRIVATE: frozenset({"petugas", "koordinator"}) | ADMINS,
            COORDINATION: frozenset({"koordinator"}) | ADMINS,
        }
        for command in ("perkembangan", "selesai")
    },
    "buka": {
        PRIVATE: frozenset({"koordinator"}) | ADMINS,
        COORDINATION: frozenset({"koordinator"}) | ADMINS,
    },
    # Issue 20: officers see and confirm their kecamatan's chain privately; koordinators and
    # admins see the grid privately and in the coordination group (planning deadlines and
    # withdrawing others' confirmations: admins, checked by the handler).
    "logistik": {
        PRIVATE: frozenset({"petugas", "koordinator"}) | ADMINS,
        COORDINATION: frozenset({"koordinator"}) | ADMINS,
    },
    # Issue 17: koordinators and admins send arahan privately; they follow them up privately
    # and in the coordination group. Officers never send arahan.
    "arahan": {PRIVATE: frozenset({"koordinator"}) | ADMINS},
    # Issue 21: a personal sign-in link, so only in a private chat.
    "dasbor": {PRIVATE: frozenset({"koordinator"}) | ADMINS},
    **{
        command: {
            PRIVATE: frozenset({"koordinator"}) | ADMINS,
            COORDINATION: frozenset({"koordinator"}) | ADMINS,
        }
        for command in (
            "status_arahan",
            "status",
            "belum",
            "laporan",
            "lihat",
            "cari",
            "ekspor",
            "grafik",
            "insiden",
            "kinerja",
            # Issue 23: the vulnerability map is read where reports are (importing it: admins
            # in their private chat, checked by the handler).
            "kerawanan",
        )
    },
}
PROBES = {
    "lapor": "/lapor aman",
    "ralat": "/ralat 1 blokade dibuka",
    "tambah": "/tambah 9001 | camat | Bengalon | Uji Coba",
    "setujui": "/setujui 9002",
    "tolak": "/tolak 9002",
    "nonaktifkan": "/nonaktifkan 9003",
    "aktifkan": "/aktifkan 9003",
    "lihat": "/lihat 1",
    "cari": "/cari kerusuhan",
    "perkembangan": "/perkembangan 1 massa bertambah",
    "selesai": "/selesai 1 sudah aman",
    "buka": "/buka 1",
    "arahan": "/arahan semua | Siaga di gudang PPK",
}
REFUSALS = {
    texts.ANONYMOUS, texts.NOT_REGISTERED, texts.PENDING_WAIT, texts.INACTIVE,
    texts.ADMIN_ONLY, texts.ROLE_REFUSED, texts.PRIVATE_ONLY, texts.GROUP_ONLY,
    texts.COORDINATION_ONLY,
}  # fmt: skip
CALLBACK_EXPECTED = {
    "daftar:role:camat": {PRIVATE: PEOPLE},
    "lapor:0000:cancel": {PRIVATE: frozenset({"petugas"})},
    # Review 18/19: a form still open when /lapor comes again: go on with it, or start again.
    "lapor:0000:resume": {PRIVATE: frozenset({"petugas"})},
    "lapor:0000:restart": {PRIVATE: frozenset({"petugas"})},
    "reg:ok:9002": {PRIVATE: ADMINS},
    "reg:no:9002": {PRIVATE: ADMINS},
    # Issue 18: "Tolak" asks first; the confirmation rejects. The reminder's buttons are the
    # officer's own report.
    "reg:tolak:9002": {PRIVATE: ADMINS},
    "ingat:nihil:20241127": {PRIVATE: frozenset({"petugas"})},
    "ingat:lapor:20241127": {PRIVATE: frozenset({"petugas"})},
    # Since review 18/19 they carry the reporting window's start, not the day.
    "ingat:nihil:202411270600": {PRIVATE: frozenset({"petugas"})},
    "ingat:lapor:202411270600": {PRIVATE: frozenset({"petugas"})},
    "pg:1:-1": {PRIVATE: ADMINS},
    # Issue 18: an officer's /bantuan and /riwayat are paged in their private chat.
    "bantuan:1": {PRIVATE: frozenset({"petugas"})},
    "rw:1:5": {PRIVATE: frozenset({"petugas"})},
    "ack:1": {
        PRIVATE: frozenset({"koordinator"}) | ADMINS,
        COORDINATION: frozenset({"koordinator"}) | ADMINS,
    },
    "upd:1": {PRIVATE: frozenset({"petugas", "koordinator"}) | ADMINS},
    # A stale incident's question (issue 16): whoever may update (on) or close (end) it.
    "stale:1:on": {PRIVATE: frozenset({"petugas", "koordinator"}) | ADMINS},
    "stale:1:end": {PRIVATE: frozenset({"petugas", "koordinator"}) | ADMINS},
    "ins:0:-1": {
        PRIVATE: frozenset({"koordinator"}) | ADMINS,
        COORDINATION: frozenset({"koordinator"}) | ADMINS,
    },
    # The logistics buttons and dialogs: officers only, in their private chat (kecamatan 1 is
    # Bengalon, the petugas's own).
    "lg:ok:gudang_ppk:1": {PRIVATE: frozenset({"petugas"})},
    "lg:kd:gudang_ppk:1": {PRIVATE: frozenset({"petugas"})},
    "lg:sv:0000": {PRIVATE: frozenset({"petugas"})},
    # Issue 17: the arahan form is the sender's (staff, privately); ✅ Dipahami and 💬 Tanggapi
    # are the officers' (the handler checks they are a recipient); the list is for readers.
    "arahan:0a1b2c3d:send": {PRIVATE: frozenset({"koordinator"}) | ADMINS},
    "arh:ok:1": {PRIVATE: frozenset({"petugas"})},
    "arh:re:1": {PRIVATE: frozenset({"petugas"})},
    "arl:1:0": {
        PRIVATE: frozenset({"koordinator"}) | ADMINS,
        COORDINATION: frozenset({"koordinator"}) | ADMINS,
    },
    # ✅ Simpan / ❌ Batal of a calendar change: admins, in their private chat.
    "thp:ok:1": {PRIVATE: ADMINS},
    "thp:no:1": {PRIVATE: ADMINS},
    "v:1:0": {
        PRIVATE: frozenset({"koordinator"}) | ADMINS,
        COORDINATION: frozenset({"koordinator"}) | ADMINS,
    },
}
TABLES = ("members", "reports", "audit_log", "bot_settings", "drafts", "admin_notices",
          "incidents", "incident_events", "incident_chases", "logistics_confirmations",
          "logistics_deadlines", "logistics_kendala", "logistics_announcements",
          "logistics_late", "arahan", "arahan_recipients", "arahan_answers",
          "calendar_versions", "calendar_proposals", "kerawanan_maps",
          "kerawanan_kecamatan", "kerawanan_tps", "dashboard_signins")  # fmt: skip


@dataclass
class World:
    posko: Posko
    fake: FakeTelegram
    users: dict[str, FakeUser]
    chats: dict[str, FakeChat]

    def chat_for(self, role: str, place: str) -> FakeChat:
        return self.users[role].chat if place == PRIVATE else self.chats[place]

    def next_minute(self) -> None:
        """Non-members are answered once a minute: every probe here is a minute later."""
        clock = self.posko.clock
        assert isinstance(clock, FakeClock)
        clock.advance(minutes=1)

    async def send(self, role: str, place: str, text: str) -> None:
        self.next_minute()
        extra: dict[str, Any] = {}
        if role == "anonymous":
            extra["sender_chat"] = {"id": -1009999, "type": "channel", "title": "Kanal"}
        await self.users[role].send(text, chat=self.chat_for(role, place), **extra)

    async def state(self) -> dict[str, Any]:
        db = self.posko.services.db
        return {t: [tuple(r) for r in await db.fetchall(f"SELECT * FROM {t}")] for t in TABLES}


@pytest.fixture
async def world(fake: FakeTelegram, db_path: Path) -> AsyncIterator[World]:
    posko = Posko(fake, make_settings(fake, db_path))
    await posko.start()
    services, now = posko.services, posko.clock()
    users = {
        "unknown": fake.add_user(7001, "Asing"),
        "pending": fake.add_user(7002, "Menunggu"),
        "inactive": fake.add_user(7003, "Nonaktif"),
        "petugas": fake.add_user(7004, "Camat"),
        "koordinator": fake.add_user(7005, "Kasat"),
        "admin": fake.add_user(ADMIN_ID, "Operator"),
        "db_admin": fake.add_user(7007, "Operator Dua"),
        "anonymous": fake.add_user(7006, "Anonim"),
    }
    await services.members.request(RosterRow(7002, Role.CAMAT, "Busang", "Menunggu"), now)
    await services.members.save(RosterRow(7003, Role.KAPOLSEK, "Telen", "Nonaktif"), now, None)
    await services.members.set_active(7003, False, ADMIN_ID, now)
    await services.members.save(RosterRow(7004, Role.CAMAT, "Bengalon", "Camat"), now, None)
    await services.members.save(RosterRow(7005, Role.KOORDINATOR, None, "Kasat"), now, None)
    await services.members.save(RosterRow(7007, Role.ADMIN, None, "Operator Dua"), now, None)
    # targets of the admin commands
    await services.members.request(RosterRow(9002, Role.DANRAMIL, "Kaubun", "Target"), now)
    await services.members.save(RosterRow(9003, Role.CAMAT, "Karangan", "Target"), now, None)
    chats = {
        COORDINATION: fake.add_group(COORDINATION_CHAT_ID, "Koordinasi"),
        GROUP: fake.add_group(-100555, "Grup Lain"),
    }
    yield World(posko, fake, users, chats)
    await posko.stop()


def replies_since(chat: FakeChat, before: int) -> list[SentMessage]:
    return chat.messages[before:]


@pytest.mark.parametrize("command", sorted(EXPECTED))
async def test_commands(world: World, command: str) -> None:
    text = PROBES.get(command, f"/{command}")
    for place in PLACES:
        for role in ROLES:
            chat = world.chat_for(role, place)
            before_messages = len(chat.messages)
            before_state = await world.state()
            await world.send(role, place, text if place == PRIVATE else _addressed(text))
            replies = replies_since(chat, before_messages)
            allowed = role in EXPECTED[command].get(place, frozenset())
            where = f"/{command} by {role} in {place}"
            assert replies, f"{where}: no answer"
            if allowed:
                assert replies[0].text not in REFUSALS or _refusal_is_the_answer(command, role), (
                    f"{where}: refused"
                )
            else:
                assert [r.text for r in replies] in ([t] for t in REFUSALS), f"{where}: allowed"
                assert await world.state() == before_state, f"{where}: side effect"


def _addressed(text: str) -> str:
    command, _, rest = text.partition(" ")
    return f"{command}@PoskoTestBot {rest}".strip()


def _refusal_is_the_answer(command: str, role: str) -> bool:
    """/daftar answers pending and inactive users with their state: that is its job."""
    return command == "daftar" and role in ("pending", "inactive")


@pytest.mark.parametrize("data", sorted(CALLBACK_EXPECTED))
async def test_buttons(world: World, data: str) -> None:
    for place in PLACES:
        # A button press always carries the presser's own user (no sender_chat), so there is no
        # anonymous press; user 7006 is simply an unregistered person there.
        for role in (r for r in ROLES if r != "anonymous"):
            chat = world.chat_for(role, place)
            # a message of the bot's in that chat carrying the (possibly forged) button
            await world.posko.app.bot.send_message(chat.id, "tombol")
            message = chat.last_message()
            before_state = await world.state()
            world.next_minute()
            update = await world.users[role].press_data(message=message, data=data)
            answer = world.fake.callback_answers.get(update["callback_query"]["id"], {})
            allowed = role in CALLBACK_EXPECTED[data].get(place, frozenset())
            where = f"{data} by {role} in {place}"
            if allowed:
                assert answer.get("text") != texts.CALLBACK_REFUSED, f"{where}: refused"
            else:
                assert answer.get("text") == texts.CALLBACK_REFUSED, f"{where}: allowed"
                assert await world.state() == before_state, f"{where}: side effect"


def test_the_matrix_covers_every_command_of_the_table() -> None:
    from bot.app import command_table

    table = command_table()
    declared = {n for c in table.commands for n in (c.name, *c.aliases)}
    assert declared == set(EXPECTED), "a new command needs its expected access written here"


def test_the_matrix_covers_every_kind_of_button() -> None:
    from bot.access import CALLBACKS

    kinds = {data.split(":", 1)[0] for data in CALLBACK_EXPECTED}
    assert kinds == set(CALLBACKS), "a new button needs its expected access written here"


async def test_forged_approval_changes_nothing(world: World) -> None:
    officer = world.users["petugas"]
    await world.posko.app.bot.send_message(officer.id, "apa saja")
    await officer.press_data("reg:ok:9002", officer.last_message())
    target = await world.posko.services.members.get(9002)
    assert target is not None
    assert target.state.value == "pending"


async def test_a_petugas_cannot_take_up_an_alert(world: World) -> None:
    officer = world.users["petugas"]
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = world.chats[COORDINATION].last_message()
    assert texts.ACK_BUTTON in alert.button_texts()
    update = await officer.press(texts.ACK_BUTTON, alert)
    answer = world.fake.callback_answers[update["callback_query"]["id"]]
    assert answer.get("text") == texts.CALLBACK_REFUSED
    report = await world.posko.services.reports.get(1)
    assert report is not None
    assert report.acked_at is None
    assert texts.ACK_BUTTON in alert.button_texts(), "the alert still waits for a koordinator"


async def test_group_chatter_is_ignored(world: World) -> None:
    group = world.chats[GROUP]
    await world.users["petugas"].send("halo semua", chat=group)
    await world.users["unknown"].send("/perintah_asing", chat=group)
    assert group.messages == []
