"""The /arahan form and the one-line form: sasaran, text, attachment, urgency, deadline, copy,
preview, and what each recipient then gets."""

from __future__ import annotations

import pytest

from domain.arahan import MAX_ARAHAN_TEXT
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.handlers.arahan.test_story import tally_line, tally_of
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import Posko


@pytest.fixture
async def kasat(posko: Posko, fake: FakeTelegram) -> FakeUser:
    return await add_coordinator(posko, fake)


async def test_the_guided_form_with_a_document(
    posko: Posko, enlist: Enlist, kasat: FakeUser, group: FakeChat
) -> None:
    telen = await enlist(2001, "danramil", "Telen", "Eko")
    bengalon = await enlist(2002, "danramil", "Bengalon", "Ani")
    camat = await enlist(2003, "camat", "Telen", "Dedi")
    await kasat.send("/arahan")
    roles = kasat.last_message()
    assert roles.text.startswith("📢 Arahan baru — 1/5 Sasaran")
    assert roles.button_texts() == [
        "Camat", "Kapolsek", "Danramil", "👥 Semua petugas", "➡️ Lanjut", "❌ Batal",
    ]  # fmt: skip
    await kasat.press("Danramil", roles)
    assert roles.button_texts()[:3] == ["Camat", "Kapolsek", "✔️ Danramil"]
    await kasat.press("➡️ Lanjut", roles)
    assert roles.buttons() == [], "a finished step keeps no buttons"
    places = kasat.last_message()
    assert places.text.startswith("📢 Arahan baru — 1/5 Sasaran: Danramil")
    assert len(places.buttons()) == 18 + 3
    await kasat.press("Telen", places)
    await kasat.press("Bengalon", places)
    await kasat.press("Busang", places)
    await kasat.press("✔️ Busang", places)  # chosen, then unchosen
    await kasat.press("➡️ Lanjut", places)
    assert "Sasaran: Danramil — Bengalon, Telen (2 petugas)." in kasat.last_message().text

    await kasat.send_document(b"%PDF-1.4 surat edaran", "se-kesbangpol.pdf",
                              mime_type="application/pdf")  # fmt: skip
    assert kasat.last_message().text.startswith("📎 Lampiran tersimpan. Sekarang ketik teks")
    await kasat.send("Netralitas ASN: laporkan setiap camat yang hadir di kampanye.")
    urgency = kasat.last_message()
    assert urgency.button_texts() == ["Biasa", "⚡ Segera", "❌ Batal"]
    await kasat.press("⚡ Segera", urgency)
    deadline = kasat.last_message()
    assert deadline.button_texts() == ["15 menit", "30 menit", "1 jam", "2 jam", "❌ Batal"]
    await kasat.send("dua puluh")
    assert kasat.last_message().text.startswith("Batas konfirmasi ditulis dalam menit")
    await kasat.send("20")
    copy = kasat.last_message()
    assert copy.button_texts() == ["Ya, salin ke grup", "Tidak", "❌ Batal"]
    await kasat.press("Tidak", copy)
    preview = kasat.last_message()
    assert preview.text.splitlines()[:6] == [
        "📝 Pratinjau arahan",
        "Kepada: Danramil — Bengalon, Telen",
        "Penerima: 2 petugas",
        "Urgensi: ⚡ Segera · batas konfirmasi 20 menit",
        "Salin ke grup koordinasi: tidak",
        "Lampiran: 📄 dokumen (se-kesbangpol.pdf)",
    ]
    await kasat.press("✅ Kirim", preview)
    assert preview.text == "✅ Arahan #1 sedang dikirim ke 2 petugas. Rekapnya di bawah."
    assert preview.buttons() == []
    for officer in (telen, bengalon):
        document, text = officer.messages
        assert document.kind == "document"
        assert document.text == "📎 Lampiran Arahan #1 (teks arahan menyusul)"
        assert text.text.startswith("📢 ARAHAN #1 · ⚡ SEGERA\n")
        assert "sebelum 10.20 WITA" in text.text
        assert text.button_texts() == ["✅ Dipahami", "💬 Tanggapi"]
    assert camat.messages == []
    assert group.messages == [], "not copied"
    assert await posko.services.drafts.get(kasat.id) is None


async def test_a_photo_with_its_caption_is_attachment_and_text(
    posko: Posko, enlist: Enlist, kasat: FakeUser
) -> None:
    officer = await enlist(2001, "kapolsek", "Kaubun", "Agus")
    await kasat.send("/arahan")
    await kasat.send("kapolsek kaubun")
    await kasat.send_photo("Jalur distribusi logistik ke Busang ditunda, cuaca buruk.")
    await kasat.press("Biasa")
    await kasat.press("30 menit")
    await kasat.press("Ya, salin ke grup")
    preview = kasat.last_message()
    assert "Lampiran: 🖼 foto" in preview.text
    assert "Salin ke grup koordinasi: ya" in preview.text
    await kasat.press("✅ Kirim", preview)
    photo, text = officer.messages
    assert (photo.kind, text.kind) == ("photo", "text")
    assert "Jalur distribusi logistik ke Busang ditunda, cuaca buruk." in text.text


async def test_without_an_attachment_lewati_and_everyone(
    posko: Posko, enlist: Enlist, kasat: FakeUser, admin: FakeUser
) -> None:
    officers = [await enlist(2001 + i, role, "Sandaran", f"P{i}")
                for i, role in enumerate(("camat", "kapolsek", "danramil"))]  # fmt: skip
    await kasat.send("/arahan")
    await kasat.press("👥 Semua petugas")
    assert "Sasaran: Semua petugas (3 petugas)." in kasat.last_message().text
    await kasat.send("Rapat koordinasi pukul 20.00 WITA di kantor camat.")
    await kasat.press("Lewati")
    await kasat.press("Biasa")
    await kasat.press("1 jam")
    await kasat.press("Tidak")
    await kasat.press("✅ Kirim")
    assert [len(o.messages) for o in officers] == [1, 1, 1]
    assert admin.messages == [], "admins are not officers"


async def test_typed_sasaran_errors_and_nobody_to_send_to(
    posko: Posko, enlist: Enlist, kasat: FakeUser
) -> None:
    await enlist(2001, "camat", "Telen", "Dedi")
    await kasat.send("/arahan")
    await kasat.send("danramil Samarinda")
    assert kasat.last_message().text.startswith("“Samarinda” bukan jabatan")
    await kasat.send("kapolsek Telen")  # nobody active
    assert kasat.texts()[-2] == (
        "Tidak ada petugas aktif pada sasaran ini; tidak ada yang dikirim. Periksa sasarannya."
    )
    assert kasat.last_message().text.startswith("📢 Arahan baru — 1/5 Sasaran"), "asked again"
    await kasat.send("camat telen")
    await kasat.send("x" * (MAX_ARAHAN_TEXT + 1))
    assert kasat.last_message().text == (
        "Teks arahan terlalu panjang (maks. 3.000 karakter). Persingkat lalu kirim lagi "
        "(atau lampirkan sebagai dokumen)."
    )
    await kasat.send("/batal")
    assert kasat.last_message().text == "Arahan dibatalkan; tidak ada yang dikirim."
    assert await posko.services.drafts.get(kasat.id) is None


async def test_the_one_line_form_and_its_errors(
    posko: Posko, enlist: Enlist, kasat: FakeUser
) -> None:
    officer = await enlist(2001, "danramil", "Batu Ampar", "Budi")
    await kasat.send("/arahan danramil Batu Ampar siaga")
    assert kasat.last_message().text.startswith("Kirim arahan dengan formulir: /arahan")
    await kasat.send("/arahan danramil Batu Ampar |   ")
    assert kasat.last_message().text.startswith("Teks arahan kosong.")
    await kasat.send("/arahan bupati | siaga")
    assert kasat.last_message().text.startswith("“bupati” bukan jabatan")
    await kasat.send("/arahan |  siaga")
    assert kasat.last_message().text.startswith("Sasaran belum diisi.")
    await kasat.send("/arahan kapolsek Telen | siaga")
    preview = kasat.last_message()
    assert "Penerima: 0 petugas" in preview.text
    assert "✅ Kirim" not in preview.button_texts(), "nothing to send"
    await kasat.send("/arahan danramil Batu Ampar | Siaga di gudang PPK")
    preview = kasat.last_message()
    await kasat.press("Urgensi: Biasa", preview)
    await kasat.press("⏱ Batas: 1 jam", preview)
    assert preview.button_texts()[:2] == ["Urgensi: ⚡ Segera", "⏱ Batas: 2 jam"]
    assert "Urgensi: ⚡ Segera · batas konfirmasi 2 jam" in preview.text
    await kasat.press("✅ Kirim", preview)
    [copy] = officer.messages
    assert "⚡ SEGERA" in copy.text
    assert "sebelum 12.00 WITA" in copy.text
    update = await kasat.press_data(preview.params["reply_markup"]["inline_keyboard"][-1][0][
        "callback_data"], preview)  # fmt: skip
    answers = posko.fake.callback_answers[update["callback_query"]["id"]]
    assert (
        answers["text"]
        == "Tombol ini sudah tidak berlaku. Ketik ulang perintahnya untuk tampilan terbaru."
    ), "a second Kirim sends nothing"
    assert len(officer.messages) == 1
    assert len(await posko.services.arahan.recent()) == 1
    assert tally_line(tally_of(kasat)) == "📊 Dipahami 0/1 · belum 1"


async def test_an_old_form_button_does_nothing(
    posko: Posko, enlist: Enlist, kasat: FakeUser
) -> None:
    await enlist(2001, "camat", "Telen", "Dedi")
    await kasat.send("/arahan")
    first = kasat.last_message()
    await kasat.send("/arahan")  # a new form replaces it
    update = await kasat.press("👥 Semua petugas", first)
    assert posko.fake.callback_answers[update["callback_query"]["id"]]["text"] == (
        "Tombol ini sudah tidak berlaku. Ketik ulang perintahnya untuk tampilan terbaru."
    )
    draft = await posko.services.drafts.get(kasat.id)
    assert draft is not None
    assert draft.step == "roles"
