from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from emulator import FakeTelegram, FakeUser
from tests.harness import FakeClock, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")


def job_times(posko: Posko, prefix: str) -> list[time]:
    queue = posko.app.job_queue
    assert queue is not None
    jobs = [j for j in queue.jobs() if (j.name or "").startswith(prefix)]
    return sorted(j.next_t.astimezone(WITA).time() for j in jobs if j.next_t is not None)


async def test_show_and_change_the_schedule(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/jadwal")
    text = admin.last_message().text
    assert text.startswith("🗓 Jadwal — di luar tahapan pemilihan")
    assert "Rekap ke grup koordinasi: 07.00, 19.00 (pengaturan awal)" in text
    assert "Pengingat petugas: 16.00 (pengaturan awal)" in text
    await admin.send("/jadwal rekap 19.00,07:00, 12.00")  # EYD's dot or a colon
    assert admin.last_message().text == (
        "✅ Jadwal rekap sekarang: 07.00, 12.00, 19.00 (berlaku mulai sekarang)."
    )
    await admin.send("/jadwal pengingat 15.30")  # as the bot writes times, too
    assert job_times(posko, "digest ") == [time(7), time(12), time(19)]
    assert job_times(posko, "pengingat ") == [time(15, 30)]
    await posko.restart()
    assert job_times(posko, "digest ") == [time(7), time(12), time(19)]
    assert job_times(posko, "pengingat ") == [time(15, 30)]
    await admin.send("/jadwal")
    assert "07.00, 12.00, 19.00 (diubah di bot)" in admin.last_message().text
    entries = await posko.services.audit.recent()
    assert entries[0].action == "set reminder_times"


async def test_bad_times_are_refused_with_an_example(posko: Posko, admin: FakeUser) -> None:
    for args in ("rekap 7 pagi", "digest 25:00", "pengingat", "libur 07:00", "rekap ,"):
        await admin.send(f"/jadwal {args}")
        assert admin.last_message().text.startswith("Format: /jadwal rekap 07.00,19.00")
    assert job_times(posko, "digest ") == [time(7), time(19)]


async def test_during_a_stage_jadwal_shows_and_changes_the_stage_until_it_ends(
    fake: FakeTelegram, db_path: Path, clock: FakeClock, admin: FakeUser
) -> None:
    clock.set(datetime(2024, 11, 20, 10, tzinfo=WITA))  # kampanye, until 23 November
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    try:
        await admin.send("/jadwal")
        view = admin.last_message().text.splitlines()
        assert view[:5] == [
            "🗓 Jadwal — tahapan 2. Kampanye (25 September–23 November 2024)",
            "Rekap ke grup koordinasi: 07.00, 19.00 (dari tahapan Kampanye)",
            "Pengingat petugas: 16.00 (dari tahapan Kampanye)",
            "Jendela lapor: sehari penuh (lapor harian)",
            "Di luar tahapan: rekap 07.00, 19.00 (pengaturan awal) · pengingat 16.00 "
            "(pengaturan awal)",
        ]
        assert view[-1].startswith(
            "Perubahan sekarang berlaku untuk tahapan Kampanye sampai tahapan itu berakhir "
            "(23 November 2024)."
        )
        await admin.send("/jadwal digest 06:00,18:00")  # the older word is still understood
        assert admin.last_message().text == (
            "✅ Jadwal rekap tahapan Kampanye sekarang: 06.00, 18.00, berlaku mulai sekarang "
            "sampai tahapan itu berakhir (23 November 2024). Sesudahnya berlaku irama tahapan "
            "berikutnya atau, di luar tahapan, jadwal biasa."
        )
        rhythm = posko.services.rhythm()
        assert rhythm.on(date(2024, 11, 23)).digest_times == (time(6), time(18))
        assert rhythm.on(date(2024, 11, 24)).digest_times == (time(6), time(18)), "masa tenang's"
        assert rhythm.on(date(2024, 12, 20)).digest_times == (time(7), time(19)), "outside"
        assert job_times(posko, "digest ") == [time(6), time(18)]
        await admin.send("/jadwal pengingat 05:00")  # masa tenang has windows, kampanye not
        assert "Pengingat petugas: 05.00" in (await _view(admin))
        await posko.restart()  # stored as a calendar version
        assert posko.services.rhythm().on(date(2024, 11, 21)).reminder_times == (time(5),)
        [entry, *_] = await posko.services.audit.recent()
        assert (entry.action, entry.detail) == ("calendar", "stage 2 reminder 05:00 (jadwal)")
    finally:
        await posko.stop()


async def _view(admin: FakeUser) -> str:
    await admin.send("/jadwal")
    return admin.last_message().text
