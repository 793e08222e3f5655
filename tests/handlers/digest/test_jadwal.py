from datetime import time
from zoneinfo import ZoneInfo

from emulator import FakeUser
from tests.harness import Posko

WITA = ZoneInfo("Asia/Makassar")


def job_times(posko: Posko, prefix: str) -> list[time]:
    queue = posko.app.job_queue
    assert queue is not None
    jobs = [j for j in queue.jobs() if (j.name or "").startswith(prefix)]
    return sorted(j.next_t.astimezone(WITA).time() for j in jobs if j.next_t is not None)


async def test_show_and_change_the_schedule(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/jadwal")
    text = admin.last_message().text
    assert "Rekap ke grup koordinasi: 07:00, 19:00 (pengaturan awal)" in text
    assert "Pengingat petugas: 16:00 (pengaturan awal)" in text
    await admin.send("/jadwal digest 19.00,07:00, 12.00")  # EYD's dot or a colon
    assert admin.last_message().text == (
        "✅ Jadwal rekap sekarang: 07:00, 12:00, 19:00 (berlaku mulai sekarang)."
    )
    await admin.send("/jadwal pengingat 15.30")
    assert job_times(posko, "digest ") == [time(7), time(12), time(19)]
    assert job_times(posko, "pengingat ") == [time(15, 30)]
    await posko.restart()
    assert job_times(posko, "digest ") == [time(7), time(12), time(19)]
    assert job_times(posko, "pengingat ") == [time(15, 30)]
    await admin.send("/jadwal")
    assert "07:00, 12:00, 19:00 (diubah di bot)" in admin.last_message().text
    entries = await posko.services.audit.recent()
    assert entries[0].action == "set reminder_times"


async def test_bad_times_are_refused_with_an_example(posko: Posko, admin: FakeUser) -> None:
    for args in ("digest 7 pagi", "digest 25:00", "pengingat", "libur 07:00", "digest ,"):
        await admin.send(f"/jadwal {args}")
        assert admin.last_message().text.startswith("Format: /jadwal digest 07:00,19:00")
    assert job_times(posko, "digest ") == [time(7), time(19)]
