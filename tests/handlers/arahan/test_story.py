"""Issue 17's story through the real bot: a koordinator's arahan to the Danramil of three
kecamatan; one confirms, one answers, the third is reminded at the deadline."""

from __future__ import annotations

from emulator import FakeChat, FakeTelegram, FakeUser, SentMessage
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko


def reply_to(message: SentMessage) -> int | None:
    parameters = message.params.get("reply_parameters") or {}
    return parameters.get("message_id") if isinstance(parameters, dict) else None


def tally_of(user: FakeUser, number: int = 1) -> SentMessage:
    """The sender's live copy of arahan #number."""
    [tally] = [m for m in user.messages if m.text.startswith(f"📢 Arahan #{number} ")]
    return tally


def tally_line(message: SentMessage) -> str:
    return next(line for line in message.text.splitlines() if line.startswith("📊"))


async def test_the_story_of_the_issue(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, admin: FakeUser, group: FakeChat,
    clock: FakeClock,
) -> None:  # fmt: skip
    kasat = await add_coordinator(posko, fake)
    ani = await enlist(2001, "danramil", "Bengalon", "Kapten Inf Ani")
    budi = await enlist(2002, "danramil", "Batu Ampar", "Kapten Inf Budi")
    cici = await enlist(2003, "danramil", "Busang", "Lettu Inf Cici")
    bystanders = [
        await enlist(2004, "camat", "Bengalon", "Dedi"),
        await enlist(2005, "danramil", "Telen", "Eko"),
        await enlist(2006, "kapolsek", "Busang", "Fajar"),
    ]

    await kasat.send(
        "/arahan danramil Bengalon, Batu Ampar, Busang | Siaga di gudang PPK malam ini <24 jam>"
    )
    preview = kasat.last_message()
    assert preview.text.splitlines()[:4] == [
        "📝 Pratinjau arahan",
        "Kepada: Danramil — Batu Ampar, Bengalon, Busang",
        "Penerima: 3 petugas",
        "Urgensi: Biasa · batas konfirmasi 1 jam",
    ]
    assert "Siaga di gudang PPK malam ini <24 jam>" in preview.text, "escaped, shown as typed"
    assert preview.text.endswith(
        "Ubah urgensi, batas, atau salinan dengan tombol di bawah, lalu tekan ✅ Kirim."
    )
    assert preview.button_texts() == [
        "Urgensi: Biasa", "⏱ Batas: 1 jam", "Salin ke grup: Tidak", "✅ Kirim", "❌ Batal",
    ]  # fmt: skip
    await kasat.press("Salin ke grup: Tidak", preview)
    assert "Salin ke grup: Ya" in preview.button_texts()
    assert [ani.messages, budi.messages, cici.messages] == [[], [], []], "nothing before Kirim"
    await kasat.press("✅ Kirim", preview)

    # Each of the three receives it once, and no one else does.
    for officer, place in ((ani, "Bengalon"), (budi, "Batu Ampar"), (cici, "Busang")):
        [copy] = officer.messages
        assert copy.text.startswith("📢 ARAHAN #1\n")
        assert f"Yth. Bapak/Ibu Danramil {place}," in copy.text
        assert "dari Kasat Intelkam (Koordinator), 27/11 10.00 WITA:" in copy.text
        assert "Siaga di gudang PPK malam ini <24 jam>" in copy.text
        assert "sebelum 11.00 WITA" in copy.text
        assert copy.button_texts() == ["✅ Dipahami", "💬 Tanggapi"]
    assert all(o.messages == [] for o in bystanders)
    assert admin.messages == []
    [group_copy] = group.messages
    assert group_copy.text.startswith("📢 Arahan #1 · Biasa · dikirim 27/11 10.00 WITA")
    assert "Dari: Kasat Intelkam (Koordinator)" in group_copy.text
    tally = tally_of(kasat)
    assert tally_line(tally) == "📊 Dipahami 0/3 · belum 3"
    assert "Kepada: Danramil — Batu Ampar, Bengalon, Busang (3 petugas)" in tally.text

    # One confirms: the button shows when, the tally is edited.
    clock.advance(minutes=5)  # 10.05
    update = await ani.press("✅ Dipahami", ani.messages[0])
    toast = fake.callback_answers[update["callback_query"]["id"]]["text"]
    assert toast == "Terima kasih. Tercatat: dipahami pukul 10.05 WITA."
    assert ani.messages[0].button_texts() == ["✅ Dipahami pukul 10.05 WITA", "💬 Tanggapi"]
    assert tally_line(tally) == "📊 Dipahami 1/3 · belum 2"
    edits_after_one = tally.edits

    # One answers, in one message: relayed to the sender and under the group copy.
    clock.advance(minutes=4)  # 10.09
    await budi.press("💬 Tanggapi", budi.messages[0])
    assert budi.last_message().text.startswith("💬 Ketik tanggapan Bapak/Ibu untuk Arahan #1")
    await budi.send("Siap, personel sudah di gudang PPK & siaga")
    assert budi.last_message().text == (
        "💬 Tanggapan Bapak/Ibu atas Arahan #1 sudah diteruskan kepada pengirim dan grup "
        "koordinasi. Arahan tercatat dipahami."
    )
    relay = kasat.last_message()
    assert relay.text == (
        "💬 Tanggapan Arahan #1\nDanramil Batu Ampar (Kapten Inf Budi), 10.09 WITA:\n"
        "Siap, personel sudah di gudang PPK & siaga"
    )
    assert reply_to(relay) == tally.message_id
    under = group.last_message()
    assert under.text == relay.text
    assert reply_to(under) == group_copy.message_id
    assert budi.messages[0].button_texts() == ["✅ Dipahami pukul 10.09 WITA", "💬 Tanggapi"]
    assert tally_line(tally) == "📊 Dipahami 2/3 · belum 1"
    assert tally.edits > edits_after_one

    # The third is reminded at the deadline, under their copy; the others are not.
    clock.advance(minutes=50)  # 10.59: not yet
    await posko.run_job("arahan 1")
    await posko.settle()
    assert len(cici.messages) == 1
    clock.advance(minutes=1)  # 11.00
    await posko.run_job("arahan 1")
    await posko.settle()
    [copy, reminder] = cici.messages
    assert reminder.text.startswith("⏰ Pengingat Arahan #1\nBapak/Ibu belum menekan ✅ Dipahami")
    assert reply_to(reminder) == copy.message_id
    assert reminder.button_texts() == ["✅ Dipahami"]
    assert (len(ani.messages), len(budi.messages)) == (1, 3)  # budi: copy, prompt, answer saved
    assert all(o.messages == [] for o in bystanders)

    # Biasa: that was the last reminder, so 15 minutes later (time to press), the sender and
    # the admins get the list of who still has not confirmed.
    assert admin.messages == []
    clock.advance(minutes=15)  # 11.15
    await posko.run_job("arahan 1")
    await posko.settle()
    for person in (kasat, admin):
        listing = person.last_message()
        assert listing.text.splitlines()[:2] == [
            "⚠️ Arahan #1 — sudah diingatkan sekali, 1 petugas belum menekan Dipahami",
            "per 11.15 WITA",
        ]
        assert "Busang\nDanramil: Lettu Inf Cici" in listing.text
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert len(cici.messages) == 2, "reminded once"
    assert len(admin.messages) == 1, "listed once"

    # Late: confirmed after the deadline, from the reminder; the copy shows it too.
    clock.advance(minutes=3)  # 11.18
    update = await cici.press("✅ Dipahami", reminder)
    toast = fake.callback_answers[update["callback_query"]["id"]]["text"]
    assert (
        toast == "Terima kasih. Tercatat: dipahami pukul 11.18 WITA (melewati batas konfirmasi)."
    )
    assert copy.button_texts() == ["✅ Dipahami pukul 11.18 WITA", "💬 Tanggapi"]
    assert tally_line(tally) == "📊 Dipahami 3/3 (1 terlambat) · belum 0"

    await kasat.send("/status_arahan 1")
    status = kasat.last_message()
    assert "📊 Dipahami 3/3 (1 terlambat) · belum 0" in status.text
    assert "💬 Tanggapan: 1" in status.text
    entry = (await posko.services.audit.recent(1))[0]
    assert (entry.actor_id, entry.action, entry.target_id) == (kasat.id, "arahan", 1)
    assert entry.detail.startswith("#1 to 3 (danramil Batu Ampar, Bengalon, Busang): Siaga")
