from domain.enums import MemberState, Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from storage.drafts import Draft
from tests.harness import ADMIN_ID, FakeClock, Posko


async def fill_form(
    user: FakeUser, *, phone: str | None = "+628123", nrp: str | None = "85010123"
) -> None:
    await user.send("/daftar")
    assert user.last_message().text == "📝 Pendaftaran petugas\nPilih jabatan Bapak/Ibu:"
    assert user.last_message().button_texts() == ["Camat", "Kapolsek", "Danramil"]
    await user.press("Kapolsek")
    assert "Bengalon" in user.last_message().button_texts()
    await user.press("Muara Wahau")
    assert "Ketik pangkat (jika ada) dan nama lengkap Bapak/Ibu" in user.last_message().text
    await user.send("AKP <Budi> & Santoso")
    assert user.last_message().text.startswith("Ketik NRP (Polri, TNI) atau NIP Bapak/Ibu")
    if nrp is None:
        await user.press("⏭ Lewati")
    else:
        await user.send(nrp)
    keyboard = user.last_message().reply_markup or {}
    assert keyboard["keyboard"][0][0]["request_contact"] is True
    if phone is None:
        await user.send("Lewati")
    else:
        await user.share_contact(phone)
    summary = user.last_message()
    assert summary.text.splitlines() == [
        "📝 Periksa pendaftaran Bapak/Ibu (belum terkirim)",
        "Jabatan: Kapolsek Muara Wahau",
        "Pangkat dan nama: AKP <Budi> & Santoso",
        f"NRP/NIP: {nrp or '-'}",
        f"Telepon: {phone or '-'}",
        "",
        "Pendaftaran baru dikirim ke admin setelah Bapak/Ibu menekan ✅ Kirim.",
    ]
    assert user.messages[-2].reply_markup == {"remove_keyboard": True}
    assert summary.button_texts() == ["✅ Kirim", "🔄 Ulangi", "❌ Batal"]
    await user.press("✅ Kirim", summary)


async def test_register_and_get_approved(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    second_admin = fake.add_user(1002, "Operator Dua")
    await posko.services.members.save(RosterRow(1002, Role.ADMIN, None, "Operator Dua"),
                                      posko.clock(), None)  # fmt: skip
    user = fake.add_user(3001, "Budi")
    await fill_form(user)
    assert "sudah dikirim ke admin" in user.last_message().text
    request = admin.last_message()
    assert request.text.splitlines() == [
        "📝 Permohonan pendaftaran",
        "Pangkat dan nama: AKP <Budi> & Santoso",
        "Jabatan: Kapolsek Muara Wahau",
        "NRP/NIP: 85010123",
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
        assert "✅ Disetujui oleh Operator Kesbangpol pukul 10.00 WITA." in copy.text
    menu = fake.commands['{"chat_id": 3001, "type": "chat"}']
    assert [c["command"] for c in menu] == [
        "lapor", "riwayat", "ralat", "perkembangan", "selesai", "logistik", "tahapan", "batal",
        "bantuan",
    ]  # fmt: skip

    await user.send("/lapor aman")
    assert "Laporan #1 tercatat" in user.last_message().text


async def test_rejection_and_racing_admins(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    second_admin = fake.add_user(1002, "Operator Dua")
    await posko.services.members.save(RosterRow(1002, Role.ADMIN, None, "Operator Dua"),
                                      posko.clock(), None)  # fmt: skip
    user = fake.add_user(3001, "Budi")
    await fill_form(user, phone=None, nrp=None)
    first_copy, second_copy = admin.last_message(), second_admin.last_message()
    assert "Telepon" not in first_copy.text
    assert "NRP" not in first_copy.text
    await second_admin.press("❌ Tolak", second_copy)  # asks first
    answers = list(fake.callback_answers.values())
    assert answers[-1]["text"] == "Yakin menolak? Tekan ❌ Ya, tolak untuk memastikan."
    assert second_copy.button_texts() == ["❌ Ya, tolak", "↩️ Kembali"]
    assert first_copy.button_texts() == ["✅ Setujui", "❌ Tolak"], "only the presser's copy"
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.state is MemberState.PENDING, "a tap on Tolak alone rejects nobody"
    await second_admin.press("↩️ Kembali", second_copy)
    assert second_copy.button_texts() == ["✅ Setujui", "❌ Tolak"]
    await second_admin.press("❌ Tolak", second_copy)
    await second_admin.press("❌ Ya, tolak", second_copy)
    answers = list(fake.callback_answers.values())
    assert answers[-1]["text"] == "Pendaftaran ditolak."
    await admin.press_data("reg:ok:3001", first_copy)  # a stale keyboard on a slow phone
    assert list(fake.callback_answers.values())[-1]["text"].startswith("Permohonan ini sudah")
    member = await posko.services.members.get(3001)
    assert member is not None
    assert member.state is MemberState.REJECTED
    assert "❌ Ditolak oleh Operator Dua" in admin.messages[-1].text
    assert user.last_message().text.startswith("❌ Pendaftaran Bapak/Ibu ditolak")
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
    assert (
        list(fake.callback_answers.values())[-1]["text"]
        == "Tombol ini sudah tidak berlaku. Ketik ulang perintahnya untuk tampilan terbaru."
    )
    assert await posko.services.members.get(3001) is None
    clock.advance(minutes=1)  # outside a form, a stranger is answered once a minute
    await user.send("/batal")
    assert user.last_message().text == (
        "Tidak ada formulir yang sedang diisi. Perintah untuk Bapak/Ibu ada di /bantuan."
    )


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
    await user.send("Lewati")  # no NRP, typed
    await user.send("Lewati")  # no phone
    await user.press("✅ Kirim")
    assert "sudah dikirim" in user.last_message().text
    assert "Jabatan: Danramil Telen" in admin.last_message().text


async def test_bad_answers_are_explained(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3001)
    await user.send("/daftar")
    form = user.last_message()
    await user.send("saya camat")
    assert "Pilih dengan tombol" in user.last_message().text
    await user.press("Camat", form)
    await user.press("Bengalon", form)
    await user.send("\u200b  ")
    assert "Pangkat dan nama wajib diisi" in user.last_message().text
    await user.send("Drs. Budi")
    await user.send("NIP saya 1970")
    assert user.last_message().text.startswith("NRP atau NIP berisi 6 sampai 20 angka")
    await user.send("19700101 199503 1 001")  # a NIP as people write it
    clock.advance(seconds=30)  # a person, not a script: the form's answer budget refills
    await user.share_contact("+62999", user_id=4444)  # someone else's contact
    assert "nomor Bapak/Ibu sendiri" in user.last_message().text
    await user.send("nomor saya nanti")
    assert user.last_message().text.startswith("Nomor telepon tidak dikenali")
    await user.send("0812-3456 7890")  # typed, not shared
    assert user.messages[-2].text == "📱 Nomor telepon tersimpan."
    await user.press("✅ Kirim")
    member = await posko.services.members.get(3001)
    assert member is not None
    assert (member.name, member.phone, member.service_number) == (
        "Drs. Budi", "081234567890", "197001011995031001",
    )  # fmt: skip


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


async def start_form_up_to_the_summary(user: FakeUser) -> None:
    await user.send("/daftar")
    await user.press("Camat")
    await user.press("Busang")
    await user.send("Budi Santoso")
    await user.send("Lewati")
    await user.send("Lewati")


async def test_a_deactivated_member_cannot_requeue_through_a_stale_form(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    user = fake.add_user(3001, "Budi")
    await start_form_up_to_the_summary(user)
    summary = user.last_message()
    await admin.send("/tambah 3001 | camat | Busang | Budi Santoso")
    assert await posko.services.drafts.get(3001) is None, "/tambah ends the open form"
    await admin.send("/nonaktifkan 3001")
    before = len(admin.messages)
    await user.press("✅ Kirim", summary)  # finishing the form begun as a stranger
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
    assert (
        list(fake.callback_answers.values())[-1]["text"]
        == "Tombol ini sudah tidak berlaku. Ketik ulang perintahnya untuk tampilan terbaru."
    )


async def test_an_idle_registration_form_expires(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3001, "Budi")
    await user.send("/daftar")
    await user.press("Kapolsek")
    await user.press("Kaubun")
    await user.send("IPTU Budi <Santoso>")
    clock.advance(hours=3, minutes=59)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(3001) is not None
    clock.advance(minutes=2)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(3001) is None
    assert user.last_message().text.splitlines() == [
        "⌛ Formulir pendaftaran ditutup karena tidak ada kegiatan selama 4 jam; pendaftaran "
        "belum terkirim.",
        "Pangkat dan nama yang sudah Bapak/Ibu tulis: IPTU Budi <Santoso>",
        "Ketik /daftar untuk mulai lagi.",
    ]
    await user.send("85010123")  # too late: no form takes it
    assert await posko.services.members.get(3001) is None


async def test_abandoned_drafts_of_any_flow_are_forgotten(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3002, "Lama")
    drafts = posko.services.drafts
    await drafts.put(Draft(3002, "formulir-lama", "x"), clock())  # a flow an older version had
    clock.advance(hours=5)
    await posko.run_job("expire forms")
    assert await drafts.get(3002) is None
    assert user.messages == [], "nothing to tell about a form the user cannot know"


async def test_the_summary_can_start_over_or_cancel(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    user = fake.add_user(3001)
    await start_form_up_to_the_summary(user)
    clock.advance(seconds=30)  # a person, not a script: the form's answer budget refills
    await user.press("🔄 Ulangi")
    assert user.last_message().button_texts() == ["Camat", "Kapolsek", "Danramil"]
    await user.press("Danramil")
    await user.press("Telen")
    await user.send("Kapten Inf Joko")
    await user.press("⏭ Lewati")
    await user.send("Lewati")
    assert "Jabatan: Danramil Telen" in user.last_message().text
    await user.press("❌ Batal")
    assert user.last_message().text.startswith("Pendaftaran dibatalkan")
    assert await posko.services.members.get(3001) is None
    assert await posko.services.drafts.get(3001) is None


async def test_admins_are_warned_of_a_jabatan_already_registered(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    await posko.services.members.save(
        RosterRow(2001, Role.KAPOLSEK, "Muara Wahau", "AKP <Lama>"), posko.clock(), None
    )
    await posko.services.members.save(
        RosterRow(2002, Role.CAMAT, "Muara Wahau", "Camat Lain"), posko.clock(), None
    )
    user = fake.add_user(3001, "Budi")
    await fill_form(user)
    request = admin.last_message()
    assert request.text.splitlines()[-1] == (
        "⚠️ Kapolsek Muara Wahau sudah terdaftar: AKP <Lama> (ID 2001, aktif). "
        "Periksa sebelum menyetujui."
    )
    assert "&lt;Lama&gt;" in (request.html or "")
    await admin.press("✅ Setujui", request)
    assert "⚠️ Kapolsek Muara Wahau sudah terdaftar" in request.text, "kept with the decision"
    other = fake.add_user(3002, "Ani")
    await other.send("/daftar")
    await other.press("Danramil")
    await other.press("Muara Wahau")
    await other.send("Kapten Ani")
    await other.press("⏭ Lewati")
    await other.send("Lewati")
    await other.press("✅ Kirim")
    assert "sudah terdaftar" not in admin.last_message().text, "another jabatan: no warning"
