"""The dashboard in a real browser: sign-in, tiles, live updates, lost access, the Mini App."""

from __future__ import annotations

import time
from dataclasses import replace

from playwright.async_api import Browser, Page, expect

from emulator import FakeChat, FakeTelegram, FakeUser
from storage.dashboard import SIGNIN_ACTION
from tests.conftest import Enlist
from tests.handlers.dashboard.conftest import (
    ARTIFACTS,
    add_koordinator,
    link_in,
    local_base,
)
from tests.harness import ADMIN_ID, FakeClock, Posko

# The condition colours, as the issue names them (the style sheet's values).
GREEN, YELLOW, ORANGE, RED, GREY = (
    "rgb(46, 125, 50)",
    "rgb(249, 168, 37)",
    "rgb(239, 108, 0)",
    "rgb(198, 40, 40)",
    "rgb(158, 158, 158)",
)
WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


async def tile_colour(page: Page, kecamatan: str) -> str:
    tile = page.locator(f'li.tile[data-kecamatan="{kecamatan}"]')
    return str(await tile.evaluate("element => getComputedStyle(element).backgroundColor"))


async def sign_in(browser: Browser, link: str, viewport: dict[str, int] = PHONE) -> Page:
    """Opens a sign-in link in a fresh browser profile; returns its page once on the board."""
    context = await browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    page = await context.new_page()
    await page.goto(link)
    await page.wait_for_url("**/dasbor")
    await expect(page.locator("li.tile")).to_have_count(18)
    return page


async def test_a_link_signs_in_once_and_expires(
    posko: Posko, fake: FakeTelegram, browser: Browser, clock: FakeClock
) -> None:
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    answer = kasat.last_message()
    assert "sekali pakai dan berlaku 10 menit" in answer.text
    assert "hanya dapat dibuka di komputer tempat bot berjalan" in answer.text
    assert answer.buttons() == [], "Telegram refuses buttons to a loopback address"
    link = link_in(answer)
    assert link.startswith(f"{local_base(posko)}/dasbor/masuk#")

    page = await sign_in(browser, link)
    assert "Masuk sebagai Kasat Intelkam" in await page.locator("nav").inner_text()
    assert page.url.endswith("/dasbor"), "the secret left the address bar"
    [cookie] = await page.context.cookies()
    assert cookie["name"] == "posko_dasbor"
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["secure"] is False, "over plain http (Secure with an https DASHBOARD_URL)"
    assert cookie["path"] == "/dasbor"
    assert 0 < cookie["expires"] - time.time() <= 12 * 3600 + 5
    audit = await posko.services.audit.recent()
    assert (audit[0].action, audit[0].actor_id, audit[0].detail) == (
        SIGNIN_ACTION,
        kasat.id,
        "tautan",
    )

    # The same link again, from another browser: used up.
    other = await (await browser.new_context()).new_page()
    await other.goto(link)
    await expect(other.locator("#link-refused")).to_be_visible()
    assert await other.context.cookies() == []

    # A fresh link, opened 10 minutes and 1 second later: expired.
    await kasat.send("/dasbor")
    late = link_in(kasat.last_message())
    clock.advance(minutes=10, seconds=1)
    stale = await (await browser.new_context()).new_page()
    await stale.goto(late)
    await expect(stale.locator("#link-refused")).to_be_visible()
    assert await stale.context.cookies() == []

    # A link cut short (no secret) says so instead of failing silently.
    await stale.goto(link.split("#")[0])
    await expect(stale.locator("#link-incomplete")).to_be_visible()


async def test_tiles_show_each_kecamatan_in_its_condition_colour(
    posko: Posko, fake: FakeTelegram, enlist: Enlist, browser: Browser, clock: FakeClock,
    group: FakeChat,
) -> None:  # fmt: skip
    """A seeded situation on the wall: Darurat, Rawan, Waspada, Aman and silent kecamatan."""
    sangkulirang = await enlist(2001, "danramil", "Sangkulirang", "Kapten Inf Yusuf")
    wahau = await enlist(2002, "kapolsek", "Muara Wahau", "AKP Agus Salim")
    wahau_camat = await enlist(2003, "camat", "Muara Wahau", "Bambang")
    bengalon = await enlist(2004, "kapolsek", "Bengalon", "AKP Budi")
    telen = await enlist(2005, "camat", "Telen", "Drs. Rina")
    busang = await enlist(2006, "camat", "Busang", "Eko")
    await enlist(2007, "kapolsek", "Busang", "Joko")  # has not reported
    await sangkulirang.send("/lapor darurat Banjir merendam gudang logistik PPK")
    await wahau.send("/lapor rawan Massa menghadang distribusi kotak suara")
    clock.advance(minutes=5)
    await wahau_camat.send("/lapor aman")  # a routine nihil does not clear an open incident
    await bengalon.send("/lapor waspada Kerumunan pendukung <b>paslon</b> di TPS 03")
    await telen.send("/lapor aman")
    await busang.send("/lapor aman")
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")

    page = await sign_in(browser, link_in(kasat.last_message()), WALL)
    await page.goto(page.url + "?tampilan=dinding")
    await expect(page.locator("li.tile")).to_have_count(18)
    expected = {
        "Sangkulirang": ("darurat", RED),
        "Muara Wahau": ("rawan", ORANGE),
        "Bengalon": ("waspada", YELLOW),
        "Telen": ("aman", GREEN),
        "Busang": ("aman", GREEN),
        "Kaubun": ("belum", GREY),
    }
    for kecamatan, (condition, colour) in expected.items():
        tile = page.locator(f'li.tile[data-kecamatan="{kecamatan}"]')
        assert await tile.get_attribute("data-condition") == condition, kecamatan
        assert await tile_colour(page, kecamatan) == colour, kecamatan
    counts = await page.locator(".head .counts").inner_text()
    assert counts == "🔴 1 · 🟠 1 · 🟡 1 · 🟢 2 · ⚪ 13 belum lapor"
    wahau_tile = await page.locator('li.tile[data-kecamatan="Muara Wahau"]').inner_text()
    assert "2 laporan" in wahau_tile
    assert "2/2 petugas melapor" in wahau_tile
    assert "1 insiden terbuka" in wahau_tile
    busang_tile = await page.locator('li.tile[data-kecamatan="Busang"]').inner_text()
    assert "1/2 petugas melapor" in busang_tile

    incidents = page.locator("li.incident")
    await expect(incidents).to_have_count(3)
    first, second, third = [await incidents.nth(i).inner_text() for i in range(3)]
    assert "#1 Sangkulirang" in first
    assert "Baru, belum diterima" in first
    assert "#2 Muara Wahau" in second
    assert "#4 Bengalon" in third
    # User text is shown as typed, never as markup.
    assert "Kerumunan pendukung <b>paslon</b> di TPS 03" in third
    assert await page.locator("li.incident b b").count() == 0
    reports = page.locator("li.report")
    assert "#6" in await reports.first.inner_text()
    coverage = await page.locator(".coverage").inner_text()
    assert "Busang: Kapolsek Joko" in coverage
    assert "⚪ Kaubun: belum ada petugas terdaftar" in coverage
    assert "Telen" not in coverage

    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "dasbor-dinding.png"))
    # Wall mode fits the screen: nothing scrolls.
    height = await page.evaluate("document.documentElement.scrollHeight")
    assert height <= WALL["height"]


async def test_a_new_rawan_report_turns_its_tile_orange_within_5_seconds(
    posko: Posko, fake: FakeTelegram, enlist: Enlist, browser: Browser, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Muara Wahau", "AKP Agus Salim")
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    page = await sign_in(browser, link_in(kasat.last_message()))
    tile = page.locator('li.tile[data-kecamatan="Muara Wahau"]')
    assert await tile.get_attribute("data-condition") == "belum"
    await page.wait_for_timeout(500)  # the page's event stream is open

    started = time.monotonic()
    await officer.send("/lapor rawan Massa menghadang distribusi kotak suara")
    await expect(tile).to_have_attribute("data-condition", "rawan", timeout=5000)
    took = time.monotonic() - started
    assert await tile_colour(page, "Muara Wahau") == ORANGE
    assert took < 5
    assert (
        "🔴 0 · 🟠 1 · 🟡 0 · 🟢 0 · ⚪ 17 belum lapor"
        in await page.locator(".head .counts").inner_text()
    )
    await expect(page.locator("li.incident")).to_have_count(1)
    assert group.last_message().text.startswith("🟠 RAWAN")


async def test_a_deactivated_koordinator_loses_access_at_once(
    posko: Posko, fake: FakeTelegram, admin: FakeUser, browser: Browser
) -> None:
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    page = await sign_in(browser, link_in(kasat.last_message()))
    [cookie] = await page.context.cookies()
    await page.wait_for_timeout(500)

    await admin.send(f"/nonaktifkan {kasat.id}")
    await expect(page.locator("#signed-out")).to_be_visible(timeout=5000)
    assert await page.locator("li.tile").count() == 0
    answer = await page.request.get(f"{local_base(posko)}/dasbor/api/content")
    assert answer.status == 401
    # Reactivated, they sign in again: the old sign-in stays ended.
    await admin.send(f"/aktifkan {kasat.id}")
    answer = await page.request.get(
        f"{local_base(posko)}/dasbor/api/content",
        headers={"Cookie": f"{cookie['name']}={cookie['value']}"},
    )
    assert answer.status == 401
    await page.reload()
    await expect(page.locator("#not-signed-in")).to_be_visible()
    assert await page.locator("li.tile").count() == 0


async def test_the_mini_app_signs_in_with_telegrams_signature_only(
    posko: Posko, fake: FakeTelegram, browser: Browser, clock: FakeClock
) -> None:
    """Over https the answer has a Mini App button; the page verifies initData and keeps a
    token in sessionStorage (no cookie); a forged initData gets nothing."""
    await posko.stop()
    posko.settings = replace(posko.settings, dashboard_url="https://posko.example.go.id")
    await posko.start()
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    answer = kasat.last_message()
    assert answer.button_texts() == ["📱 Buka di Telegram", "🌐 Buka di peramban"]
    assert "hanya dapat dibuka di komputer" not in answer.text
    assert link_in(answer).startswith("https://posko.example.go.id/dasbor/masuk#")
    now = str(int(clock().timestamp()))
    launch = kasat.web_app_launch("📱 Buka di Telegram", answer, auth_date=now)
    assert launch.startswith("https://posko.example.go.id/dasbor#tgWebAppData=")
    local = launch.replace("https://posko.example.go.id", local_base(posko))

    page = await (await browser.new_context(viewport=PHONE)).new_page()  # type: ignore[arg-type]
    await page.goto(local)
    await expect(page.locator("li.tile")).to_have_count(18)
    assert "#" not in page.url, "the launch parameters left the address bar"
    token = await page.evaluate("sessionStorage.getItem('posko-dasbor-token')")
    assert isinstance(token, str)
    assert len(token) > 30
    assert await page.context.cookies() == []
    audit = await posko.services.audit.recent()
    assert (audit[0].action, audit[0].actor_id, audit[0].detail) == (
        SIGNIN_ACTION,
        kasat.id,
        "mini app",
    )
    content = f"{local_base(posko)}/dasbor/api/content"
    bearer = await page.request.get(content, headers={"Authorization": f"Bearer {token}"})
    assert bearer.status == 200
    assert (await page.request.get(content)).status == 401
    # A reload inside the Mini App keeps the token (sessionStorage), without initData.
    await page.reload()
    await expect(page.locator("li.tile")).to_have_count(18)

    forged_launches = [
        # Another user id under the signature of the first: the hash no longer matches.
        local.replace(f"%2522id%2522%253A{kasat.id}", f"%2522id%2522%253A{ADMIN_ID}"),
        # Signed with another bot's token.
        kasat.web_app_launch("📱 Buka di Telegram", answer, auth_date=now).replace(
            "https://posko.example.go.id", local_base(posko)
        ),
        # Correctly signed, but opened two hours ago.
        kasat.web_app_launch(
            "📱 Buka di Telegram", answer, auth_date=str(int(clock().timestamp()) - 7200)
        ).replace("https://posko.example.go.id", local_base(posko)),
    ]
    real_token = fake.token
    fake.token = "654321:ANOTHER-bot-token-0123456789abcdefghij"
    try:
        forged_launches[1] = kasat.web_app_launch(
            "📱 Buka di Telegram", answer, auth_date=now
        ).replace("https://posko.example.go.id", local_base(posko))
    finally:
        fake.token = real_token
    assert forged_launches[0] != local
    for forged in forged_launches:
        other = await (await browser.new_context(viewport=PHONE)).new_page()  # type: ignore[arg-type]
        await other.goto(forged)
        await expect(other.locator("#miniapp-refused")).to_be_visible()
        assert await other.locator("li.tile").count() == 0
        assert await other.evaluate("sessionStorage.getItem('posko-dasbor-token')") is None


async def test_arahan_awaiting_confirmation_with_a_live_tally(
    posko: Posko, fake: FakeTelegram, enlist: Enlist, browser: Browser
) -> None:
    eko = await enlist(2001, "danramil", "Telen", "Eko")
    await enlist(2002, "danramil", "Busang", "Joko")
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    page = await sign_in(browser, link_in(kasat.last_message()))
    assert await page.locator("section.arahan").count() == 0, "nothing awaiting: no section"
    await page.wait_for_timeout(500)

    await kasat.send("/arahan danramil | Siaga di gudang PPK malam ini")
    await kasat.press("✅ Kirim", kasat.last_message())
    line = page.locator('section.arahan li[data-number="1"]')
    await expect(line).to_contain_text("Dipahami 0/2 · belum 2", timeout=5000)
    assert "#1 · 10.00 WITA · Danramil" in await line.inner_text()
    await eko.press("✅ Dipahami", eko.messages[-1])
    await expect(line).to_contain_text("Dipahami 1/2 · belum 1", timeout=5000)


async def test_the_election_stage_and_the_window_now_drive_the_coverage(
    posko: Posko, fake: FakeTelegram, enlist: Enlist, browser: Browser, clock: FakeClock
) -> None:
    """With the bundled Pilkada 2024 calendar on voting day at 10.00 WITA, reports count in the
    window 09.00–12.00: a report of 08.30 leaves its officer belum lapor, as /belum says."""
    await posko.stop()
    posko.settings = replace(posko.settings, calendar_file=None)
    await posko.start()
    early = await enlist(2001, "camat", "Telen", "Drs. Rina")
    late = await enlist(2002, "camat", "Busang", "Eko")
    clock.advance(minutes=-90)  # 08.30
    await early.send("/lapor aman")
    clock.advance(minutes=90)  # 10.00
    await late.send("/lapor aman")
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    page = await sign_in(browser, link_in(kasat.last_message()))

    stage = await page.locator("section.stage").inner_text()
    assert "4. Pemungutan suara (27 November 2024)" in stage
    assert "Jendela lapor sekarang: 09.00–12.00 WITA" in stage
    assert "Berikutnya: 5. Penghitungan dan rekapitulasi, mulai 28 November 2024" in stage
    coverage = await page.locator("section.coverage").inner_text()
    assert "Belum lapor, jendela 09.00–12.00 WITA".upper() in coverage.upper()
    assert "Telen: Camat Drs. Rina" in coverage
    assert "Busang" not in coverage
    telen = page.locator('li.tile[data-kecamatan="Telen"]')
    assert await telen.get_attribute("data-condition") == "belum"
    busang = page.locator('li.tile[data-kecamatan="Busang"]')
    assert await busang.get_attribute("data-condition") == "aman"
    await kasat.send("/belum")
    assert "Telen" in kasat.last_message().text
    assert "Busang" not in kasat.last_message().text
