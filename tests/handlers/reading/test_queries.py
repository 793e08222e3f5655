from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, fill_form


async def coordinator(posko: Posko, fake: FakeTelegram) -> FakeUser:
    user = fake.add_user(5001, "Kasat")
    await posko.services.members.save(
        RosterRow(5001, Role.KOORDINATOR, None, "Kasat Intelkam"), posko.clock(), None
    )
    return user


async def test_status_and_belum(posko: Posko, enlist: Enlist, admin: FakeUser) -> None:
    a = await enlist(2001, "camat", "Bengalon", "Ani")
    b = await enlist(2002, "kapolsek", "Bengalon", "Budi")
    c = await enlist(2003, "danramil", "Telen", "Cici")
    await enlist(2004, "camat", "Telen", "Dedi")
    await a.send("/lapor aman")
    await b.send("/lapor rawan ada bentrok")
    await c.send("/lapor waspada isu")
    await admin.send("/status")
    lines = admin.last_message().text.splitlines()
    assert lines[0] == "📍 Status kecamatan — Rabu, 27 November 2024, pukul 10.00 WITA"
    assert lines[1] == "🔴 0 · 🟠 1 · 🟡 1 · 🟢 0 · ⚪ 16 belum lapor"
    assert lines[3:6] == [
        "🟠 Bengalon — Rawan (2 laporan)",
        "🟡 Telen — Waspada (1 laporan)",
        "⚪ Batu Ampar — belum lapor",
    ]
    assert len(lines) == 3 + 18
    await admin.send("/belum")
    text = admin.last_message().text
    assert text.splitlines()[0] == "🕓 Belum lapor — Rabu, 27 November 2024 (1 petugas)"
    assert "Telen: Camat Dedi" in text
    assert "Bengalon" not in text


async def test_belum_when_everyone_reported(posko: Posko, enlist: Enlist, admin: FakeUser) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor aman")
    await admin.send("/belum")
    assert admin.last_message().text == "✅ Semua petugas terdaftar sudah melapor hari ini."


async def test_laporan_pages_to_the_end_and_back(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    ani = await enlist(2001, "camat", "Bengalon", "Ani")
    budi = await enlist(2002, "camat", "Busang", "Budi")
    for i in range(23):
        clock.advance(minutes=1)
        await (ani if i % 2 else budi).send(f"/lapor waspada kejadian {i}")
    await admin.send("/laporan")
    listing = admin.last_message()
    assert listing.text.splitlines()[0] == "🗂 Laporan terbaru (23 laporan)"
    assert listing.text.splitlines()[2].startswith("#23 · 27/11 10.23 · 🟡 Busang · Camat")
    assert listing.button_texts() == ["➡️"]
    await admin.press("➡️", listing)
    await admin.press("➡️", listing)
    assert "Halaman 3/3" in listing.text
    assert listing.button_texts() == ["⬅️"]
    assert listing.text.count("\n#") == 3
    await budi.send("/lapor waspada laporan baru")  # new reports do not shift open pages
    await admin.press("⬅️", listing)
    await admin.press("⬅️", listing)
    assert "Halaman 1/3" in listing.text
    assert "#24" not in listing.text
    await admin.send("/laporan bengalon")
    assert admin.last_message().text.splitlines()[0] == "🗂 Laporan terbaru — Bengalon (11 laporan)"
    await admin.send("/laporan Bengalon kemarin")
    assert admin.last_message().text == (
        "Tidak ada laporan yang cocok. Coba kecamatan atau tanggal lain."
    )
    await admin.send("/laporan hari ini")
    assert "Rabu, 27 November 2024 (24 laporan)" in admin.last_message().text
    await admin.send("/laporan Samarinda")
    assert admin.last_message().text.startswith("Format: /laporan")
    await admin.send("/laporan bengalon besok")
    assert admin.last_message().text.startswith("Tanggal itu belum tiba.")


async def test_lihat_shows_everything(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat, clock: FakeClock
) -> None:
    officer = await enlist(2001, "kapolsek", "Bengalon", "AKP <Agus>")
    kasat = await coordinator(posko, fake)
    await fill_form(
        officer, "🔴 Darurat", "Kamtibmas", "Massa <b>membakar</b> & merusak", until="photos"
    )
    await officer.send_photo()
    await officer.send_photo()
    await officer.press("✅ Selesai", officer.messages[-2])
    await officer.share_location(0.5, 117.25)
    await officer.press("✅ Kirim")
    clock.advance(minutes=3)
    await kasat.press("✅ Diterima", group.messages[0])
    await officer.send("/ralat 1 yang dibakar ban bekas")
    await kasat.send("/lihat 1")
    detail, album_1, album_2, location = kasat.messages[-4:]
    assert detail.text.splitlines() == [
        "🔴 Laporan #1 · Darurat",
        "Kecamatan: Bengalon",
        "Pelapor: Kapolsek — AKP <Agus> (2001)",
        "Waktu: 27/11/2024 10.00 WITA",
        "Kategori: Kamtibmas",
        "Lokasi: 0.50000, 117.25000 (peta di bawah)",
        "Foto: 2 (di bawah)",
        "✅ Diterima oleh Kasat Intelkam pukul 10.03 WITA (3 menit setelah laporan masuk)",
        "",
        "Massa <b>membakar</b> & merusak",
        "",
        "✏️ Ralat 27/11/2024 10.03 WITA:",
        "yang dibakar ban bekas",
        "",
        "📌 Insiden #1 · Bengalon · 🔴 Darurat · 👁 Ditangani",
        "Dibuka 27/11 10.00 WITA",
        "27/11 10.00 WITA — 📝 Laporan #1 · 🔴 Darurat (Kapolsek AKP <Agus>)",
        "27/11 10.03 WITA — 👁 Ditangani oleh Kasat Intelkam",
    ]
    assert (album_1.kind, album_2.kind, location.kind) == ("photo", "photo", "location")
    await kasat.send("/lihat 99")
    assert kasat.last_message().text == (
        "Laporan #99 tidak ditemukan. Periksa nomornya di /laporan atau /cari."
    )
    await kasat.send("/lihat satu")
    assert kasat.last_message().text.startswith("Tulis nomor laporan")


async def test_cari_is_safe_with_anything_typed(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "camat", "Kaubun", "Ani")
    await officer.send("/lapor rawan Blokade jalan poros oleh massa <100> & bakar ban")
    await officer.send("/lapor waspada Isu hoaks penculikan anak")
    await officer.send("/lapor waspada Kampanye di luar jadwal")
    await officer.send("/ralat 3 ternyata ada blokade kecil")
    await officer.send("/lapor aman Situasi kondusif, pemilih antusias")
    await admin.send("/cari BLOKADE")
    text = admin.last_message().text
    assert text.splitlines()[0] == "🔎 Hasil pencarian “BLOKADE” (2 laporan)"
    assert [line.split(" · ")[0] for line in text.splitlines()[2:4]] == ["#3", "#1"]
    html = admin.last_message().html or ""
    assert "<b>Blokade</b> jalan poros oleh massa &lt;100&gt; &amp; bakar ban" in html
    await admin.send("/cari blok")  # prefix
    assert "(2 laporan)" in admin.last_message().text
    await admin.send("/cari pemílih antusiás")  # accents and case do not matter
    assert "(1 laporan)" in admin.last_message().text
    for typed in ('"hoaks', "hoaks*", '"hoaks anak"', "(hoaks) [anak]", "hoaks:",
                  "hoaks -anak", "(hoaks", "^hoaks", "{hoaks}", "'hoaks' +anak"):  # fmt: skip
        await admin.send(f"/cari {typed}")
        assert "(1 laporan)" in admin.last_message().text, typed
    words_not_operators = ("hoaks NOT anak", "hoaks OR gempa", "hoaks AND", "NEAR(hoaks anak)",
                           "body:hoaks")  # fmt: skip
    for typed in words_not_operators:
        await admin.send(f"/cari {typed}")
        assert admin.last_message().text.startswith("Tidak ada laporan yang memuat"), typed
    await admin.send("/cari ***")
    assert admin.last_message().text.startswith("Tulis kata kunci")
    await admin.send("/cari gempa")
    assert admin.last_message().text == (
        "Tidak ada laporan yang memuat “gempa”. Coba kata kunci lain."
    )


async def test_cari_pages(posko: Posko, enlist: Enlist, admin: FakeUser) -> None:
    officer = await enlist(2001)
    for i in range(12):
        await officer.send(f"/lapor waspada blokade ke-{i}")
    await admin.send("/cari blokade")
    listing = admin.last_message()
    assert "Halaman 1/2" in listing.text
    await admin.press("➡️", listing)
    assert "Halaman 2/2" in listing.text
    assert listing.text.count("\n#") == 2


async def test_queries_are_for_readers_only(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor rawan rahasia")
    for command in ("/status", "/belum", "/laporan", "/lihat 1", "/cari rahasia", "/ekspor",
                    "/grafik"):  # fmt: skip
        await officer.send(command)
        assert "rahasia" not in officer.last_message().text
        assert officer.last_message().text.startswith("Perintah ini tidak tersedia")
    other = fake.add_group(-100777, "Grup Lain")
    admin = fake.add_user(1001)
    await admin.send("/lihat@PoskoTestBot 1", chat=other)
    assert "rahasia" not in other.last_message().text


async def test_saved_listings_are_pruned_after_a_week(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    for i in range(12):
        await officer.send(f"/lapor waspada kejadian {i}")
    await admin.send("/laporan")
    old = admin.last_message()
    clock.advance(days=6)
    await admin.send("/cari kejadian")
    recent = admin.last_message()
    clock.advance(days=1, seconds=1)
    await posko.run_job("prune views")
    rows = await posko.services.db.fetchall("SELECT kind FROM views")
    assert [row["kind"] for row in rows] == ["cari"], "the week-old listing is forgotten"
    await admin.press("➡️", old)
    assert (
        list(fake.callback_answers.values())[-1]["text"]
        == "Tombol ini sudah tidak berlaku. Ketik ulang perintahnya untuk tampilan terbaru."
    )
    await admin.press("➡️", recent)
    assert "Halaman 2/2" in recent.text
