from domain.enums import MemberState, Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from storage.drafts import Draft
from tests.harness import ADMIN_ID, FakeClock, Posko


async def fill_form(user: FakeUser, *, phone: str | None = "+628123") -> None:
    await user.send("/daftar")
    assert user.last_message().button_texts() == ["Camat", "Kapolsek", "Danramil"]
    await user.press("Kapolsek")
    assert "Bengalon" in user.last_message().button_texts()
    await user.press("Muara Wahau")
    assert "Ketik nama lengkap" in user.last_message().text
    await user.send("AKP <Budi> & Santoso")
    keyboard = user.last_message().reply_markup or {}
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    if phone is None:
        await user.send("Lewati")
    else:
        await user.share_contact(phone)


async def test_register_and_get_approved(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    second_admin = fake.add_user(1002, "Operator Dua")
    await posko.services.members.save(RosterRow(1002, Role.ADMIN, None, "Operator Dua"),
                                      posko.clock(), None)  # fmt: skip
    user = fake.add_user(3001, "Budi")
    await fill_form(user)
    assert "sudah dikirim" in user.last_message().text
    assert user.last_message().reply_markup == {"remove_keyboard": True}
    request = admin.last_message()
    assert request.text.splitlines() == [
        "📝 Permohonan pendaftaran",
        "Nama: AKP <Budi> & Santoso",
        "Peran: Kapolsek Muara Wahau",
        "ID Telegram: 3001",
        "Telepon: +628123",
    ]
    assert request.button_texts() == ["✅ Setujui", "❌ Tolak"]
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.state is MemberState.PENDING

    await user.send("/lapor aman")
    assert "masih menunggu persetujuan" in user.last_message().text

    await admin.press("✅ Setujui")
    member = await posko.services.members.get(3001)
    assert member is not None
    assert (member.state, member.decided_by) == (MemberState.ACTIVE, ADMIN_ID)
    assert "Pendaftaran disetujui" in user.last_message().text
    for copy in (admin.last_message(), second_admin.last_message()):
        assert copy.buttons() == []
        assert "✅ Disetujui oleh Operator Kesbangpol pukul 10:00 WITA." in copy.text
    menu = fake.commands['{"chat_id": 3001, "type": "chat"}']
    assert [c["command"] for c in menu] == [
        "lapor", "riwayat", "ralat", "perkembangan", "selesai", "logistik", "batal", "bantuan",
    ]  # fmt: skip

    await user.send("/lapor aman")
    assert "Laporan #1 diterima" in user.last_message().text


async def test_rejection_and_racing_admins(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    second_admin = fake.add_user(1002, "Operator Dua")
    await posko.services.members.save(RosterRow(1002, Role.ADMIN, None, "Operator Dua"),
                                      posko.clock(), None)  # fmt: skip
    user = fake.add_user(3001, "Budi")
    await fill_form(user, phone=None)
    first_copy, second_copy = admin.last_message(), second_admin.last_message()
    assert "Telepon" not in first_copy.text
    await second_admin.press("❌ Tolak", second_copy)
    answers = list(fake.callback_answers.values())
    assert answers[-1]["text"] == "Pendaftaran ditolak."
    await admin.press_data("reg:ok:3001", first_copy)  # a stale keyboard on a slow phone
    assert list(fake.callback_answers.values())[-1]["text"].startswith("Permohonan ini sudah")
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.state is MemberState.REJECTED
    assert "❌ Ditolak oleh Operator Dua" in admin.messages[-1].text
    assert user.last_message().text.startswith("❌ Pendaftaran Anda ditolak")
    # a rejected user may try again
    await user.send("/daftar")
    assert user.last_message().button_texts() == ["Camat", "Kapolsek", "Danramil"]


async def test_cancel_midway_and_stale_buttons(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3001)
    await user.send("/daftar")
    form = user.last_message()
    await user.press("Camat")
    await user.send("/batal")
    assert user.last_message().text.startswith("Pendaftaran dibatalkan")
    assert await posko.services.drafts.get(3001) is None
    await user.press("Bengalon", form)  # the old keyboard no longer does anything
    assert list(fake.callback_answers.values())[-1]["text"] == "Tombol ini sudah tidak berlaku."
    assert await posko.services.members.get(3001) is None
    clock.advance(minutes=1)  # outside a form, a stranger is answered once a minute
    await user.send("/batal")
    assert user.last_message().text == "Tidak ada proses yang sedang berjalan."


async def test_no_duplicate_requests(posko: Posko, fake: FakeTelegram, admin: FakeUser) -> None:
    user = fake.add_user(3001)
    await fill_form(user)
    await user.send("/daftar")
    assert "masih menunggu persetujuan" in user.last_message().text
    assert len(admin.messages) == 1
    await admin.send("/setujui 3001")
    assert "disetujui" in admin.last_message().text
    await user.send("/daftar")
    assert "sudah terdaftar sebagai Kapolsek Muara Wahau" in user.last_message().text


async def test_form_survives_a_restart(posko: Posko, fake: FakeTelegram, admin: FakeUser) -> None:
    user = fake.add_user(3001)
    await user.send("/daftar")
    await user.press("Danramil")
    await user.press("Telen")
    await posko.restart()
    await user.send("Kapten Inf Joko")
    await user.send("Lewati")
    assert "sudah dikirim" in user.last_message().text
    assert "Peran: Danramil Telen" in admin.last_message().text


async def test_bad_answers_are_explained(posko: Posko, fake: FakeTelegram) -> None:
    user = fake.add_user(3001)
    await user.send("/daftar")
    form = user.last_message()
    await user.send("saya camat")
    assert "Pilih dengan tombol" in user.last_message().text
    await user.press("Camat", form)
    await user.press("Bengalon", form)
    await user.send("\u200b  ")
    assert "Nama wajib diisi" in user.last_message().text
    await user.send("Budi")
    await user.share_contact("+62999", user_id=4444)  # someone else's contact
    assert "nomor Anda sendiri" in user.last_message().text
    await user.send("Lewati")
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.phone is None


async def test_admin_and_active_members_need_not_register(
    posko: Posko, admin: FakeUser, fake: FakeTelegram
) -> None:
    await admin.send("/daftar")
    assert "admin tidak perlu mendaftar" in admin.last_message().text
    officer = fake.add_user(2001)
    await posko.services.members.save(RosterRow(2001, Role.CAMAT, "Kaubun", "Budi"),
                                      posko.clock(), None)  # fmt: skip
    await officer.send("/daftar")
    assert "sudah terdaftar sebagai Camat Kaubun" in officer.last_message().text


async def start_form_up_to_the_phone(user: FakeUser) -> None:
    await user.send("/daftar")
    await user.press("Camat")
    await user.press("Busang")
    await user.send("Budi Santoso")


async def test_a_deactivated_member_cannot_requeue_through_a_stale_form(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    user = fake.add_user(3001, "Budi")
    await start_form_up_to_the_phone(user)
    await admin.send("/tambah 3001 | camat | Busang | Budi Santoso")
    assert await posko.services.drafts.get(3001) is None, "/tambah ends the open form"
    await admin.send("/nonaktifkan 3001")
    before = len(admin.messages)
    await user.send("Lewati")  # finishing the form begun as a stranger
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.state is MemberState.INACTIVE
    assert len(admin.messages) == before, "no registration request reaches the admins"
    assert (
        await posko.services.members.request(
            RosterRow(3001, Role.CAMAT, "Busang", "Budi"), posko.clock()
        )
        is None
    ), "a deactivated member stays out of the approval queue"


async def test_nonaktifkan_ends_an_open_form(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    await posko.services.members.save(
        RosterRow(3001, Role.CAMAT, "Busang", "Budi"), posko.clock(), None
    )
    officer = fake.add_user(3001, "Budi")
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    await admin.send("/nonaktifkan 3001")
    assert await posko.services.drafts.get(3001) is None
    await admin.send("/aktifkan 3001")
    await officer.press("Kamtibmas", officer.messages[0])  # the old form's button
    assert list(fake.callback_answers.values())[-1]["text"] == "Tombol ini sudah tidak berlaku."


async def test_an_idle_registration_form_expires(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3001, "Budi")
    await user.send("/daftar")
    await user.press("Kapolsek")
    clock.advance(minutes=29)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(3001) is not None
    clock.advance(minutes=2)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(3001) is None
    assert user.last_message().text.startswith("⌛ Formulir pendaftaran dibatalkan")
    await user.send("Budi Santoso")  # too late: no form takes it
    assert await posko.services.members.get(3001) is None


async def test_abandoned_drafts_of_any_flow_are_forgotten(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3002, "Lama")
    drafts = posko.services.drafts
    await drafts.put(Draft(3002, "formulir-lama", "x"), clock())  # a flow an older version had
    clock.advance(minutes=31)
    await posko.run_job("expire forms")
    assert await drafts.get(3002) is None
    assert user.messages == [], "nothing to tell about a form the user cannot know"
