"""/tahapan: the calendar for everyone registered; changes by admins, confirmed, stored, audited,
in force at once."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from datetime import date, datetime, time
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from domain.calendar import ChangeError
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from tests.harness import ADMIN_ID, FakeClock, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")
BUNDLED = json.loads(resources.files("bot").joinpath("regions/pilkada_2024.json").read_text())


@pytest.fixture
async def election(fake: FakeTelegram, db_path: Path, clock: FakeClock) -> AsyncIterator[Posko]:
    """Posko with the bundled Pilkada 2024 calendar, on voting day at 10.00 WITA."""
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    yield posko
    if posko._app is not None:
        await posko.stop()


@pytest.fixture
async def officer(election: Posko, fake: FakeTelegram) -> FakeUser:
    user = fake.add_user(2001, "Ani")
    services = election.services
    row = RosterRow(2001, Role.CAMAT, "Bengalon", "Ani")
    await services.members.save(row, services.clock(), None)
    return user


def job_names(posko: Posko) -> set[str]:
    queue = posko.app.job_queue
    assert queue is not None
    return {j.name or "" for j in queue.jobs()}


async def test_everyone_registered_sees_the_stage_its_rhythm_and_the_next(
    election: Posko, officer: FakeUser, admin: FakeUser
) -> None:
    await officer.send("/tahapan")
    view = officer.last_message().text.splitlines()
    assert view[:8] == [
        "🗳 Tahapan pemilihan — Rabu, 27 November 2024, pukul 10.00 WITA",
        "",
        "Sekarang: 4. Pemungutan suara (27 November 2024)",
        "• Rekap: 06.00, 09.00, 12.00, 15.00, 18.00, 21.00, 24.00",
        "• Pengingat: di tengah setiap jendela lapor",
        "• Jendela lapor: setiap 3 jam, 06.00–24.00",
        "Jendela lapor sekarang: 09.00–12.00 WITA",
        "Berikutnya: 5. Penghitungan dan rekapitulasi, mulai 28 November 2024",
    ]
    assert len(view) == 8, "an officer's answer fits one screen: no calendar, no changes"
    await admin.send("/tahapan")
    staff_view = admin.last_message().text.splitlines()
    assert staff_view[:8] == view
    assert staff_view[9:15] == [
        "Kalender (bawaan Pilkada 2024, PKPU 2/2024)",
        "1. Penetapan pasangan calon — 22 September 2024",
        "2. Kampanye — 25 September–23 November 2024",
        "3. Masa tenang — 24–26 November 2024",
        "4. Pemungutan suara — 27 November 2024",
        "5. Penghitungan dan rekapitulasi — 27 November–16 Desember 2024",
    ]
    assert "/tahapan ubah 4 | 27-11-2024 | 27-11-2024" in admin.last_message().text
    await officer.send("/tahapan ubah 4 | besok | besok")
    assert officer.last_message().text == texts.TAHAPAN_ADMIN_ONLY


async def test_a_change_of_dates_waits_for_its_button_and_applies_at_once(
    election: Posko, admin: FakeUser, clock: FakeClock
) -> None:
    services = election.services
    await admin.send("/tahapan ubah 4 | 28-11-2024 | 28-11-2024")
    question = admin.last_message()
    assert question.text.splitlines()[:3] == [
        "🗳 Ubah tanggal tahapan 4. Pemungutan suara",
        "Sebelumnya: 27 November 2024",
        "Menjadi: 28 November 2024",
    ]
    assert question.button_texts() == [texts.SAVE_BUTTON, texts.CANCEL_BUTTON]
    assert services.rhythm().on(date(2024, 11, 27)).number == 4, "nothing changed yet"
    await admin.press(texts.SAVE_BUTTON, question)
    assert question.button_texts() == [], "the buttons are gone"
    assert admin.last_message().text.splitlines() == [
        "✅ Disimpan (kalender versi 1), berlaku mulai sekarang.",
        "Tahapan hari ini: 5. Penghitungan dan rekapitulasi",
    ]
    assert services.rhythm().on(date(2024, 11, 27)).number == 5
    # Planned again for today (rekapitulasi: 19.00) and tomorrow (now voting day).
    assert "digest 07:00" not in job_names(election), "tomorrow is no longer rekapitulasi"
    assert {"digest 09:00", "digest 19:00", "pengingat 16:00"} <= job_names(election)
    [entry, *_] = await services.audit.recent()
    assert (entry.action, entry.actor_id, entry.target_id, entry.detail) == (
        "calendar",
        ADMIN_ID,
        1,
        "stage 4 dates 2024-11-28..2024-11-28",
    )
    update = await admin.press_data("thp:ok:1", question)  # a second press (a quick tap)
    answer = election.fake.callback_answers[update["callback_query"]["id"]]
    assert answer.get("text") == texts.STALE_BUTTON
    assert len(await services.calendars.versions()) == 1
    await election.restart()
    assert election.services.rhythm().on(date(2024, 11, 28)).number == 4, "stored"
    await admin.send("/tahapan")
    assert "Kalender (diubah di bot, 27/11/2024 10.00 WITA)" in admin.last_message().text


async def test_cancel_stale_and_someone_elses_proposal(
    election: Posko, admin: FakeUser, fake: FakeTelegram
) -> None:
    services = election.services
    other = fake.add_user(1002, "Operator Dua")
    await services.members.save(RosterRow(1002, Role.ADMIN, None, "Operator Dua"),
                                services.clock(), None)  # fmt: skip
    await admin.send("/tahapan atur 2 rekap 08:00")
    first = admin.last_message()
    await admin.send("/tahapan atur 3 pengingat mati")
    second = admin.last_message()
    update = await other.press_data(first.buttons()[0]["callback_data"], first)
    answer = fake.callback_answers[update["callback_query"]["id"]]
    assert answer.get("text") == texts.CALENDAR_NOT_YOURS
    await admin.press(texts.SAVE_BUTTON, second)
    await admin.press(texts.SAVE_BUTTON, first)  # made against the calendar before `second`
    assert admin.last_message().text.startswith("⚠️ Tidak disimpan: kalender sudah berubah")
    stage_2 = services.admin_settings.calendar.stages[1]
    assert stage_2.digest_times == (time(7), time(19)), "the stale change was not saved"
    assert not services.admin_settings.calendar.stages[2].reminders
    await admin.send("/tahapan atur 2 rekap 08:00")
    await admin.press(texts.CANCEL_BUTTON)
    assert admin.last_message().text == "❌ Dibatalkan. Kalender tidak berubah."
    assert len(await services.calendars.versions()) == 1


async def test_a_change_of_dates_reads_dates_as_every_command_does(
    election: Posko, admin: FakeUser
) -> None:
    services = election.services
    await admin.send("/tahapan ubah 4 | 28 Novem 2024 | besok")
    assert admin.last_message().html == texts.CHANGE_ERRORS[ChangeError.DATE]
    await admin.send("/tahapan ubah 4 | Kamis, 28 Nov 2024 | besok")
    question = admin.last_message()
    assert question.text.splitlines()[:3] == [
        "🗳 Ubah tanggal tahapan 4. Pemungutan suara",
        "Sebelumnya: 27 November 2024",
        "Menjadi: 28 November 2024",
    ]
    await admin.press(texts.SAVE_BUTTON, question)
    assert services.rhythm().on(date(2024, 11, 28)).number == 4
    await admin.send("/tahapan ubah 5 | lusa | 16 Des 2024")
    question = admin.last_message()
    assert "Menjadi: 29 November–16 Desember 2024" in question.text.splitlines()
    await admin.press(texts.SAVE_BUTTON, question)
    stage = services.admin_settings.calendar.stages[4]
    assert (stage.first_day, stage.last_day) == (date(2024, 11, 29), date(2024, 12, 16))
    assert len(await services.calendars.versions()) == 2


async def test_bad_changes_are_refused_with_every_problem(
    election: Posko, admin: FakeUser
) -> None:
    await admin.send("/tahapan atur 4 pengingat 05:00")  # voting day's windows start at 06.00
    assert admin.last_message().text.splitlines() == [
        "❌ Tidak disimpan: 1 kesalahan, kalender tidak berubah.",
        "• Tahap 4: jam pengingat 05.00 di luar jendela lapor (di luar jendela tidak ada "
        "pengingat)",
        "Perbaiki kesalahan di atas, lalu kirim lagi.",
    ]
    await admin.send("/tahapan ubah 5 | 2024-11-27 | 2024-11-27")  # one day, as hari H
    assert "• Tahap 5: bertumpang tindih dengan tahapan 4 yang sama panjangnya" in (
        admin.last_message().text
    )
    for args, reply in (
        ("ubah 9 | hari ini | hari ini", texts.CHANGE_ERRORS[ChangeError.STAGE]),
        ("atur 4 jendela tiap jam", texts.CHANGE_ERRORS[ChangeError.WINDOW]),
        ("hapus 4", texts.TAHAPAN_USAGE),
    ):
        await admin.send(f"/tahapan {args}")
        assert admin.last_message().html == reply, args
    assert await election.services.calendars.versions() == []


async def test_an_unreadable_or_broken_file_says_what_to_fix(
    election: Posko, admin: FakeUser
) -> None:
    """In Indonesian, with the line to look at: never the decoder's English message."""
    await admin.send_document("{\"stages\": []}  # Pemilihan".encode("utf-16"), "tahapan.json",
                              caption="/tahapan impor", mime_type="application/json")  # fmt: skip
    assert admin.last_message().text.splitlines() == [
        "❌ Tidak disimpan: 1 kesalahan, kalender tidak berubah.",
        "• berkas tidak dapat dibaca sebagai teks UTF-8; simpan ulang sebagai UTF-8 lalu kirim "
        "lagi",
        "Perbaiki kesalahan di atas, lalu kirim lagi.",
    ]
    await admin.send_document(b'{"stages": [\n  {"name": "x",}\n]}', "tahapan.json",
                              caption="/tahapan impor", mime_type="application/json")  # fmt: skip
    assert admin.last_message().text.splitlines()[1] == (
        "• bukan JSON yang sah; periksa tanda kutip, koma, dan kurung di baris 2"
    )
    assert await election.services.calendars.versions() == []


async def test_import_is_all_or_nothing_with_every_problem_listed(
    election: Posko, admin: FakeUser
) -> None:
    services = election.services
    bad = {"stages": [{**BUNDLED["stages"][0], "end": "2024-09-21", "reminders": "ya"}, "x"]}
    await admin.send_document(json.dumps(bad).encode(), "tahapan.json", caption="/tahapan impor",
                              mime_type="application/json")  # fmt: skip
    assert admin.last_message().text.splitlines() == [
        "❌ Tidak disimpan: 3 kesalahan, kalender tidak berubah.",
        "• Tahap 1: tanggal selesai sebelum tanggal mulai",
        "• Tahap 1: reminders harus true atau false",
        "• Tahap 2: tahapan harus berupa objek",
        "Perbaiki kesalahan di atas, lalu kirim lagi.",
    ]
    pilkada_2029 = {
        "stages": [
            {"name": "Kampanye", "start": "2029-09-25", "end": "2029-11-23",
             "digest_times": ["07:00", "19:00"], "reminder_times": ["16:00"]},
            {"name": "Pemungutan suara", "start": "2029-11-27", "end": "2029-11-27",
             "digest_times": ["12:00"], "window": {"every_minutes": 120, "from": "07:00",
                                                   "until": "23:00"}},
        ]
    }  # fmt: skip
    upload = await admin.send_document(
        json.dumps(pilkada_2029).encode(), "tahapan.json", mime_type="application/json"
    )
    await admin.send("/tahapan impor", reply_to_message=upload["message"])
    question = admin.last_message()
    assert question.text.startswith("🗳 Ganti seluruh kalender dengan 2 tahapan ini?")
    assert "• Jendela lapor: setiap 2 jam, 07.00–23.00" in question.text
    assert services.admin_settings.calendar.stages[0].name == "Penetapan pasangan calon"
    await admin.press(texts.SAVE_BUTTON, question)
    assert admin.last_message().text.splitlines()[1] == (
        "Tahapan hari ini: di luar tahapan pemilihan"
    )
    assert [s.name for s in services.admin_settings.calendar.stages] == [
        "Kampanye",
        "Pemungutan suara",
    ]
    assert services.rhythm().on(date(2029, 11, 27)).digest_times == (time(12),)
    [entry, *_] = await services.audit.recent()
    assert entry.detail == "import 2 stages"


async def test_reminders_off_and_back_to_the_midpoints(
    election: Posko, admin: FakeUser, clock: FakeClock
) -> None:
    await admin.send("/tahapan atur 4 pengingat mati")
    await admin.press(texts.SAVE_BUTTON)
    assert not any(
        name.startswith("pengingat ") and name != "pengingat 16:00" for name in job_names(election)
    )  # fmt: skip, tomorrow's rekapitulasi
    await admin.send("/tahapan atur 4 pengingat tengah")
    await admin.press(texts.SAVE_BUTTON)
    assert {"pengingat 10:30", "pengingat 22:30"} <= job_names(election)
    clock.set(datetime(2024, 11, 27, 10, 31, tzinfo=WITA))
    await admin.send("/tahapan")
    assert "• Pengingat: di tengah setiap jendela lapor" in admin.last_message().text


async def test_a_calendar_too_long_for_one_message_is_shown_in_parts(
    election: Posko, admin: FakeUser
) -> None:
    every_half_hour = [f"{h:02d}:{m:02d}" for h in range(24) for m in (0, 30)]
    stages = [
        {"name": f"Tahapan dengan nama panjang sekali untuk uji nomor {n:02d}",
         "start": f"2030-01-{n:02d}", "end": f"2030-01-{n:02d}", "digest_times": every_half_hour,
         "reminder_times": every_half_hour}
        for n in range(1, 31)
    ]  # fmt: skip
    before = len(admin.messages)
    await admin.send_document(json.dumps({"stages": stages}).encode(), "tahapan.json",
                              caption="/tahapan impor", mime_type="application/json")  # fmt: skip
    parts = admin.messages[before:]
    assert len(parts) > 1
    assert all(len(p.text) <= 4096 for p in parts)
    assert [p.button_texts() for p in parts][-1] == [texts.SAVE_BUTTON, texts.CANCEL_BUTTON]
    assert all(p.button_texts() == [] for p in parts[:-1])
    await admin.press(texts.SAVE_BUTTON, parts[-1])
    assert admin.last_message().text.startswith("✅ Disimpan (kalender versi 1)")
    before = len(admin.messages)
    await admin.send("/tahapan")
    assert all(len(p.text) <= 4096 for p in admin.messages[before:])


async def test_a_late_save_press_still_tells_the_admin_it_was_saved(
    election: Posko, admin: FakeUser, fake: FakeTelegram
) -> None:
    """Review 18/19: an answer Telegram refused (a press older than 15 s) stopped the work
    after the save, before the admin was told."""
    await admin.send("/tahapan ubah 4 | 28-11-2024 | 28-11-2024")
    question = admin.last_message()
    election.without_retries()
    fake.fail_next(
        "answerCallbackQuery",
        status=400,
        description="Bad Request: query is too old and response timeout expired",
    )
    await admin.press(texts.SAVE_BUTTON, question)
    assert len(await election.services.calendars.versions()) == 1, "saved"
    assert admin.last_message().text.startswith("✅ Disimpan"), admin.last_message().text
    assert question.buttons() == []


async def test_a_calendar_file_of_huge_values_is_refused_in_one_short_message(
    election: Posko, admin: FakeUser
) -> None:
    bad = {"stages": [{"name": "X", "start": "<" * 200_000, "end": "2024-11-27",
                       "digest_times": [], "<" * 1000: 1}]}  # fmt: skip
    before = len(admin.messages)
    await admin.send_document(json.dumps(bad).encode(), "t.json", caption="/tahapan impor",
                              mime_type="application/json")  # fmt: skip
    [refusal] = admin.messages[before:]
    assert refusal.text.splitlines() == [
        "❌ Tidak disimpan: 2 kesalahan, kalender tidak berubah.",
        f"• Tahap 1: kolom tidak dikenal: {'<' * 39}…",
        f"• Tahap 1: tanggal tidak sah; tulis seperti 2024-11-27 (start {'<' * 33}…)",
        "Perbaiki kesalahan di atas, lalu kirim lagi.",
    ]


async def test_a_deeply_nested_calendar_file_is_refused_as_not_json(
    election: Posko, admin: FakeUser
) -> None:
    await admin.send_document(b"[" * 200_000, "t.json", caption="/tahapan impor",
                              mime_type="application/json")  # fmt: skip
    assert admin.last_message().text.splitlines() == [
        "❌ Tidak disimpan: 1 kesalahan, kalender tidak berubah.",
        "• bukan JSON yang sah; periksa tanda kutip, koma, dan kurung di baris 1",
        "Perbaiki kesalahan di atas, lalu kirim lagi.",
    ]
    assert await election.services.calendars.versions() == []


async def test_admins_are_told_when_the_calendar_file_is_set_aside(
    fake: FakeTelegram,
    db_path: Path,
    clock: FakeClock,
    admin: FakeUser,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A stored calendar version wins over CALENDAR_FILE: logged at start-up, and said in
    /tahapan to admins."""
    path = tmp_path / "kalender.json"
    path.write_text(json.dumps(BUNDLED))
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=path), clock)
    await posko.start()
    try:
        officer = fake.add_user(2001, "Ani")
        row = RosterRow(2001, Role.CAMAT, "Bengalon", "Ani")
        await posko.services.members.save(row, clock(), None)
        note = (
            "⚠️ Yang berlaku kalender dari bot, bukan dari berkas kalender.json (isinya "
            "berbeda). Untuk memakai berkas itu, kirim dengan keterangan /tahapan impor."
        )
        await admin.send("/tahapan")
        assert note not in admin.last_message().text, "the file is the calendar in force"
        await admin.send("/tahapan ubah 4 | 28-11-2024 | 28-11-2024")
        await admin.press(texts.SAVE_BUTTON)
        await admin.send("/tahapan")
        assert note in admin.last_message().text.splitlines()
        await officer.send("/tahapan")
        assert "berkas" not in officer.last_message().text, "for admins only"
        with caplog.at_level(logging.WARNING):
            await posko.restart()
        assert (
            f"CALENDAR_FILE {path} differs from the calendar stored in the bot (version 1), "
            "which stays in force" in caplog.text
        )
        await admin.send("/tahapan")
        assert note in admin.last_message().text.splitlines()
    finally:
        await posko.stop()
