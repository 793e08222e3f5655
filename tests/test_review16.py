"""Review of issues 16 and 20: regression tests for defects found (each fails on f9fb746)."""

import pytest

from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.reports import escalation as escalation_module
from handlers.reports import incidents as incidents_module
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import Posko, replay_after_crash


async def _nothing(*_: object, **__: object) -> None:
    """Stands for a process killed right after the commit: nothing after it happened."""


async def test_logistik_button_keeps_a_half_filled_report_form(
    posko: Posko, enlist: Enlist
) -> None:
    """ "✅ Sudah" must not overwrite an open /lapor form (the ➕ Perkembangan dialog doesn't)."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    await officer.press("Logistik Pemilu")
    await officer.send("truk logistik dihadang massa di km 12")
    form = await posko.services.drafts.get(officer.id)
    assert form is not None
    assert form.flow == "lapor"
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    assert await posko.services.drafts.get(officer.id) == form, "the typed form is lost"


async def test_a_replayed_confirmation_whose_answer_was_lost_is_answered(
    posko: Posko, enlist: Enlist
) -> None:
    """kill -9 after the commit and the draft delete, before the answer: the replay must
    answer "tercatat" (today it gets the plain-text hint)."""
    officer = await enlist(2001, "camat", "Sandaran", "Budi")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    photo = await officer.send_photo()
    assert len(await posko.services.logistics.confirmations()) == 1
    told = len(officer.messages)
    await replay_after_crash(posko, photo)
    assert len(await posko.services.logistics.confirmations()) == 1
    assert len(officer.messages) > told
    assert officer.last_message().text.startswith("✅ Tahap 1 · tiba di gudang PPK — Sandaran")


async def test_a_perkembangan_committed_before_a_crash_still_reaches_the_group(
    posko: Posko, enlist: Enlist, group: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    monkeypatch.setattr(incidents_module, "_post_under_alert", _nothing)
    monkeypatch.setattr(incidents_module, "refresh_alert", _nothing)
    update = await officer.send("/perkembangan 1 massa bertambah, jalan diblokir")
    monkeypatch.undo()
    await replay_after_crash(posko, update)
    alert = group.messages[0]
    assert "massa bertambah" in alert.text, "the alert shows the update"
    posted = [m for m in group.messages if m.text.startswith("➕ Perkembangan insiden #1")]
    assert len(posted) == 1, "posted under the alert once"


async def test_a_close_committed_before_a_crash_still_updates_the_alert(
    posko: Posko, enlist: Enlist, group: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    monkeypatch.setattr(incidents_module, "refresh_alert", _nothing)
    close = await officer.send("/selesai 1 massa sudah bubar")
    monkeypatch.undo()
    await replay_after_crash(posko, close)
    assert "Status insiden: ✅ Selesai" in alert.text
    assert alert.buttons() == [], "no ✅ Diterima / ➕ on a resolved alert"
    assert officer.last_message().text.startswith("✅ Insiden #1 dicatat selesai")


async def test_a_take_up_committed_before_a_crash_still_updates_the_alert(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    monkeypatch.setattr(escalation_module, "refresh_alert", _nothing)
    monkeypatch.setattr(escalation_module, "tell", _nothing)
    press = await kasat.press("✅ Diterima", alert)
    monkeypatch.undo()
    await replay_after_crash(posko, press)
    assert "Status insiden: 👁 Ditangani" in alert.text
    assert "✅ Diterima" not in alert.button_texts()
    assert any("sudah diterima oleh" in t for t in officer.texts()), "the officer is told"


async def test_a_replayed_selesai_does_not_close_a_reopened_incident(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat
) -> None:
    """Stored once per Telegram message: the /selesai handled again after a crash (its update
    not marked done while /buka went through) must not close the incident a second time."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    close = await officer.send("/selesai 1 massa sudah bubar")
    await admin.send("/buka 1")
    await replay_after_crash(posko, close)
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.is_open, "closed twice by one message"


async def test_a_longest_alert_stays_editable(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    """Names may be 200 characters (members.name CHECK): the 250-character clips of update and
    closing note leave too little room; the edit is refused and the alert stays "open"."""
    officer = await enlist(2001, "kapolsek", "Busang", "A" * 200)
    kasat = await add_coordinator(posko, fake)
    longest = ("kata " * 600).strip()
    await officer.send(f"/lapor rawan {longest}")
    alert = group.messages[0]
    await kasat.press("✅ Diterima", alert)
    await officer.send(f"/perkembangan 1 {longest}")
    await officer.send(f"/selesai 1 {longest}")
    assert "Status insiden: ✅ Selesai" in alert.text, "every edit went through"


async def test_a_replayed_take_up_press_raises_no_error(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A callback handled again after a restart is too old to answer: the "taken already"
    path must not end in the error handler (admins get an error alert for a normal replay)."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    press = await kasat.press("✅ Diterima", alert)
    caplog.clear()
    await replay_after_crash(posko, press)
    assert not [r for r in caplog.records if r.name == "bot.errors"]
