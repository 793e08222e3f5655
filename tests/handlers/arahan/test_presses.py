"""Forged and stray presses count for nobody else; only staff send arahan; the officer's
presses and answers: a copy recorded unreachable can be confirmed, 💬 Tanggapi keeps an open
form, answers are capped, and a failed relay is told and retried."""

from __future__ import annotations

from bot import texts
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from storage.drafts import Draft
from tests.conftest import Enlist
from tests.handlers.arahan.test_delivery import send_arahan
from tests.handlers.arahan.test_story import tally_line, tally_of
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko, fill_form, replay_after_crash


def toast(fake: FakeTelegram, update: dict[str, object]) -> str | None:
    query = update["callback_query"]
    assert isinstance(query, dict)
    return fake.callback_answers[query["id"]].get("text")


async def test_forged_presses_count_only_for_the_presser_on_their_own_copy(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    kasat = await add_coordinator(posko, fake)
    ani = await enlist(2001, "danramil", "Bengalon", "Ani")
    budi = await enlist(2002, "danramil", "Telen", "Budi")
    outsider = await enlist(2003, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "danramil | Siaga")
    tally = tally_of(kasat)

    # Someone who is not a recipient, on a message of their own with the forged data.
    await posko.app.bot.send_message(outsider.id, "pesan lain")
    update = await outsider.press_data("arh:ok:1", outsider.last_message())
    assert toast(fake, update) == texts.ARAHAN_NOT_FOR_YOU
    update = await outsider.press_data("arh:re:1", outsider.last_message())
    assert toast(fake, update) == texts.ARAHAN_NOT_FOR_YOU
    assert await posko.services.drafts.get(outsider.id) is None
    # A recipient pressing on someone else's copy (another chat) confirms nobody.
    update = await ani.press_data("arh:ok:1", budi.messages[0])
    assert toast(fake, update) == texts.ARAHAN_NOT_FOR_YOU
    # An arahan that does not exist, and data that is not a number.
    update = await ani.press_data("arh:ok:99", ani.messages[0])
    assert toast(fake, update) == texts.ARAHAN_NOT_FOR_YOU
    update = await ani.press_data("arh:ok:1x", ani.messages[0])
    assert toast(fake, update) == texts.STALE_BUTTON
    # The sender and other staff cannot press an officer's button at all.
    update = await kasat.press_data("arh:ok:1", tally)
    assert toast(fake, update) == texts.CALLBACK_REFUSED
    assert tally_line(tally) == "📊 Dipahami 0/2 · belum 2"
    for user_id in (2001, 2002):
        row = await posko.services.arahan.recipient(1, user_id)
        assert row is not None
        assert row.confirmed_at is None

    # Budi's own press counts for Budi only; pressing again changes nothing.
    await budi.press("✅ Dipahami", budi.messages[0])
    update = await budi.press(budi.messages[0].button_texts()[0], budi.messages[0])
    assert toast(fake, update) == "Sudah tercatat: dipahami pukul 10.00 WITA."
    assert tally_line(tally) == "📊 Dipahami 1/2 · belum 1"
    assert ani.messages[0].button_texts() == ["✅ Dipahami", "💬 Tanggapi"]


async def test_officers_cannot_send_arahan(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await enlist(2002, "camat", "Busang", "Eko")
    await officer.send("/arahan semua | Perintah palsu")
    assert officer.last_message().text == texts.ROLE_REFUSED
    await posko.app.bot.send_message(officer.id, "tombol")
    update = await officer.press_data("arahan:00000000:send", officer.last_message())
    assert toast(posko.fake, update) == texts.CALLBACK_REFUSED
    await officer.send("/status_arahan")
    assert officer.last_message().text == texts.ROLE_REFUSED
    assert await posko.services.arahan.recent() == []


async def test_an_answer_is_one_message_and_a_replay_relays_it_once(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    kasat: FakeUser = await add_coordinator(posko, fake)
    officer = await enlist(2001, "kapolsek", "Kaubun", "Agus")
    await send_arahan(kasat, "kapolsek kaubun | Laporkan jumlah personel pengamanan TPS")
    await officer.press("💬 Tanggapi", officer.messages[0])
    await officer.send("   ")
    assert officer.last_message().text == texts.ARAHAN_ANSWER_EMPTY
    update = await officer.send("Personel 40 orang, <semua> siap")
    relays = [m for m in kasat.messages if m.text.startswith("💬 Tanggapan Arahan #1")]
    assert len(relays) == 1
    assert relays[0].text.endswith("Personel 40 orang, <semua> siap")
    # As if the bot died after storing the answer, before relaying it and ending the dialog:
    # the replayed message stores nothing new and relays what is missing, once.
    async with posko.services.db.transaction() as conn:
        await conn.execute("UPDATE arahan_answers SET sender_relayed = 0")
    await posko.services.drafts.put(
        Draft(officer.id, "tanggapan", "text", {"arahan": 1}), posko.clock()
    )
    await replay_after_crash(posko, update)
    relays = [m for m in kasat.messages if m.text.startswith("💬 Tanggapan Arahan #1")]
    assert len(relays) == 2
    assert await posko.services.arahan.answer_count(1) == 1
    await replay_after_crash(posko, update)
    assert len([m for m in kasat.messages if m.text.startswith("💬 Tanggapan")]) == 2
    await officer.send("pesan biasa setelahnya")
    assert officer.last_message().text == parse_html(texts.PLAIN_TEXT_HINT), "dialog ended"


async def test_a_forged_press_does_not_act_on_the_copy_of_another_arahan(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Pertama")
    await send_arahan(kasat, "camat telen | Kedua")
    first, second = officer.messages
    update = await officer.press_data("arh:ok:2", first)
    assert toast(fake, update) == texts.ARAHAN_NOT_FOR_YOU
    assert first.button_texts() == ["✅ Dipahami", "💬 Tanggapi"], "#1's button not painted"
    row = await posko.services.arahan.recipient(2, officer.id)
    assert row is not None
    assert row.confirmed_at is None
    update = await officer.press_data("arh:re:2", first)
    assert toast(fake, update) == texts.ARAHAN_NOT_FOR_YOU
    assert await posko.services.drafts.get(officer.id) is None
    await officer.press("✅ Dipahami", second)
    assert second.button_texts() == ["✅ Dipahami pukul 10.00 WITA", "💬 Tanggapi"]
    assert first.button_texts() == ["✅ Dipahami", "💬 Tanggapi"]


async def test_an_officer_whose_copy_was_recorded_unreachable_can_still_confirm(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """A press proves the copy arrived (e.g. it was recorded 'tidak terkirim' after attempts
    whose answers were lost); refusing it kept the sender's tally wrong."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    async with posko.services.db.transaction() as conn:
        await conn.execute(
            "UPDATE arahan_recipients SET state = 'unreachable', message_id = NULL, "
            "error = 'Forbidden: bot was blocked by the user'"
        )
    tally = tally_of(kasat)
    update = await officer.press("✅ Dipahami", officer.messages[0])
    assert toast(fake, update) == "Terima kasih. Tercatat: dipahami pukul 10.00 WITA."
    row = await posko.services.arahan.recipient(1, officer.id)
    assert row is not None
    assert (row.state.value, row.confirmed_at is not None) == ("delivered", True)
    assert (row.message_id, row.error) == (officer.messages[0].message_id, None)
    assert tally_line(tally) == "📊 Dipahami 1/1 · belum 0"
    assert officer.messages[0].button_texts() == ["✅ Dipahami pukul 10.00 WITA", "💬 Tanggapi"]


async def test_tanggapi_does_not_replace_a_half_filled_lapor_form(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """Like ➕ Perkembangan, 💬 Tanggapi must not throw away an open /lapor form; otherwise the
    officer's report text is relayed to the sender as an 'answer'."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Laporkan situasi")
    copy = officer.messages[0]
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", until="narrative")
    await officer.press("💬 Tanggapi", copy)
    assert officer.last_message().text == parse_html(texts.answer_finish_form_first(1))
    draft = await posko.services.drafts.get(officer.id)
    assert draft is not None
    assert draft.flow == "lapor", "the half-filled report was kept"
    await officer.send("Massa memblokade jalan di depan PPK")
    assert not any("Massa memblokade" in t for t in kasat.texts()), "report sent as an answer"
    await officer.send("/batal")
    await officer.press("💬 Tanggapi", copy)
    assert officer.last_message().text.startswith("💬 Ketik tanggapan Bapak/Ibu untuk Arahan #1")


async def test_answers_are_capped_per_officer_and_arahan(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await kasat.send("/arahan camat telen | Laporkan situasi tiap jam")
    preview = kasat.last_message()
    await kasat.press("Salin ke grup: Tidak", preview)
    await kasat.press("✅ Kirim", preview)
    copy = officer.messages[0]
    for i in range(1, 4):
        await officer.press("💬 Tanggapi", copy)
        prompt = officer.last_message().text
        assert f"tanggapan ke-{i} dari 3" in prompt
        assert ("tanggapan terakhir" in prompt) == (i == 3)
        await officer.send(f"Situasi aman, laporan {i}")
    relayed = [t for t in group.texts() if t.startswith("💬 Tanggapan Arahan #1")]
    assert len(relayed) == 3
    await officer.press("💬 Tanggapi", copy)
    assert officer.last_message().text == parse_html(texts.answer_limit_reached(1))
    assert await posko.services.drafts.get(officer.id) is None
    # A dialog opened before the third answer was stored cannot add a fourth either.
    await posko.services.drafts.put(
        Draft(officer.id, "tanggapan", "text", {"arahan": 1}), posko.clock()
    )
    await officer.send("Laporan keempat")
    assert officer.last_message().text == parse_html(texts.answer_limit_reached(1))
    assert await posko.services.arahan.answer_count(1) == 3
    assert len([t for t in group.texts() if t.startswith("💬 Tanggapan Arahan #1")]) == 3


async def test_a_failed_relay_is_told_truthfully_and_retried_by_the_catch_up(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "kapolsek", "Kaubun", "Agus")
    await send_arahan(kasat, "kapolsek kaubun | Laporkan jumlah personel")
    posko.without_retries()
    await officer.press("💬 Tanggapi", officer.messages[0])
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=kasat.id)
    await officer.send("Personel 40 orang")
    assert officer.last_message().text == parse_html(texts.answer_saved(1, False, False))
    assert "belum dapat diteruskan" in officer.last_message().text

    def relays() -> list[str]:
        return [t for t in kasat.texts() if t.startswith("💬 Tanggapan Arahan #1")]

    assert relays() == []
    await posko.run_job("arahan catch up")  # too young: its handler may still be relaying it
    await posko.settle()
    assert relays() == []
    clock.advance(minutes=2)
    for _ in range(2):
        await posko.run_job("arahan catch up")
        await posko.settle()
    [relay] = relays()
    assert relay.endswith("Personel 40 orang")
