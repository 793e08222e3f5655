"""Forged and stray presses count for nobody else; only staff send arahan."""

from __future__ import annotations

from bot import texts
from emulator import FakeTelegram, FakeUser
from emulator.html import parse_html
from storage.drafts import Draft
from tests.conftest import Enlist
from tests.handlers.arahan.test_delivery import send_arahan
from tests.handlers.arahan.test_story import tally_line, tally_of
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import Posko, replay_after_crash


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
