"""main.py as operators run it: a real process, configured by environment variables."""

import asyncio
import os
import signal
import sqlite3
import sys
import time
from pathlib import Path

import pytest

from emulator import FakeTelegram
from tests.harness import COORDINATION_CHAT_ID
from tests.processes import communicate, free_port

ROOT = Path(__file__).resolve().parent.parent


def bot_env(fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DASHBOARD_PORT": "0",  # tests bind any free port, never 8080
        "DATABASE_PATH": str(tmp_path / "data" / "posko.db"),
        "ADMIN_IDS": "1001",
        "COORDINATION_CHAT_ID": str(COORDINATION_CHAT_ID),
        **extra,
    }


async def start_bot(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
async def test_full_path_in_a_real_process_then_clean_stop(
    fake: FakeTelegram, tmp_path: Path, signum: signal.Signals
) -> None:
    group = fake.add_group(COORDINATION_CHAT_ID)
    admin = fake.add_user(1001, "Admin")
    officer = fake.add_user(2001, "Budi")
    process = await start_bot(bot_env(fake, tmp_path, LOG_LEVEL="DEBUG"), tmp_path)
    try:
        await admin.send("/tambah 2001 | kapolsek | Bengalon | AKP Budi")
        await admin.chat.wait_for_messages(1)
        await officer.send("/lapor darurat jembatan putus")
        await officer.chat.wait_for_messages(2)  # greeting from /tambah, then the receipt
        await group.wait_for_messages(1)
    finally:
        started = time.monotonic()
        process.send_signal(signum)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
    assert time.monotonic() - started < 10
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert "DARURAT · Laporan #1" in group.last_message().text
    log = stdout.decode() + stderr.decode()
    assert "getUpdates" in log or "get_updates" in log, "DEBUG logging was on"
    assert "jembatan putus" in log, "DEBUG shows updates and requests in full (README)"
    assert fake.token not in log
    assert fake.token.split(":")[1] not in log
    assert "Traceback" not in log
    with sqlite3.connect(tmp_path / "data" / "posko.db") as db:
        assert db.execute("SELECT id, level, text FROM reports").fetchall() == [
            (1, 3, "jembatan putus")
        ]


async def test_at_info_no_report_text_or_phone_number_is_logged(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    group = fake.add_group(COORDINATION_CHAT_ID)
    admin = fake.add_user(1001, "Admin")
    officer = fake.add_user(2001, "Budi")
    applicant = fake.add_user(3001, "Rina")
    process = await start_bot(bot_env(fake, tmp_path, LOG_LEVEL="INFO"), tmp_path)
    try:
        await admin.send("/tambah 2001 | kapolsek | Bengalon | AKP Budi")
        await admin.chat.wait_for_messages(1)
        await officer.send("/lapor darurat massa membakar kantor PPK")
        await group.wait_for_messages(1)
        await applicant.send("/daftar")
        [form] = await applicant.chat.wait_for_messages(1)
        await applicant.press("Camat", form)
        await fake.wait_until(lambda: "Busang" in form.button_texts())
        await applicant.press("Busang", form)
        await fake.wait_until(lambda: "Ketik pangkat (jika ada) dan nama" in form.text)
        await applicant.send("Rina Wati")
        await applicant.chat.wait_for_messages(2)  # NRP/NIP
        await applicant.send("197001011995031001")
        await applicant.chat.wait_for_messages(3)  # phone
        await applicant.share_contact("+6281234567890")
        summary = (await applicant.chat.wait_for_messages(5))[4]
        await applicant.press("✅ Kirim", summary)
        await admin.chat.wait_for_messages(2)  # the registration request
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
    log = stdout.decode() + stderr.decode()
    assert "Registration request from 3001 filed" in log, "INFO logging was on"
    for private in ("membakar", "PPK", "6281234567890", "Rina Wati", "197001011995031001"):
        assert private not in log, private


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TELEGRAM_BOT_TOKEN", ""),
        ("DIGEST_TIMES", "jam tujuh"),
        ("COORDINATION_CHAT_ID", "12345"),
        ("TIMEZONE", "Asia/Nowhere"),
    ],
)
async def test_bad_configuration_stops_with_one_line(
    fake: FakeTelegram, tmp_path: Path, name: str, value: str
) -> None:
    process = await start_bot(bot_env(fake, tmp_path, **{name: value}), tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"Configuration error: {name}: ")
    assert fake.calls == [], "nothing was sent to Telegram"


async def test_a_bad_logistics_file_stops_with_one_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bad = tmp_path / "logistik.json"
    bad.write_text('{"stages": [{"key": "gudang", "name": "tiba di gudang PPK"}],'
                   ' "tps": {"Atlantis": 5}}', "utf-8")  # fmt: skip
    process = await start_bot(bot_env(fake, tmp_path, LOGISTICS_FILE=str(bad)), tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines() == [
        "Configuration error: LOGISTICS_FILE: tps: 'Atlantis' is not a kecamatan of "
        "Kabupaten Kutai Timur"
    ]
    assert fake.calls == [], "nothing was sent to Telegram"


async def test_a_bad_calendar_file_stops_with_every_problem_on_one_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bad = tmp_path / "tahapan.json"
    bad.write_text('{"stages": [{"name": "Kampanye", "start": "2024-09-25", "end": '
                   '"2024-09-24", "digest_times": ["07:00"], "reminder_times": ["16.60"]}]}',
                   "utf-8")  # fmt: skip
    process = await start_bot(bot_env(fake, tmp_path, CALENDAR_FILE=str(bad)), tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 2
    assert stderr.decode().strip().splitlines() == [
        "Configuration error: CALENDAR_FILE: stage 1: ends before it starts; "
        'stage 1: expected a list of up to 48 times "HH:MM" (reminder_times)'
    ]
    assert fake.calls == [], "nothing was sent to Telegram"


async def test_start_up_waits_for_telegram_and_serves_once_it_answers(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """A server that boots before its network: no traceback, no exit; one line, then service."""
    admin = fake.add_user(1001, "Admin")
    port = fake.port
    await fake.stop()
    process = await start_bot(bot_env(fake, tmp_path), tmp_path)
    try:
        assert process.stderr is not None
        log: list[str] = []
        async with asyncio.timeout(20):
            while "Telegram cannot be reached" not in (log or [""])[-1]:
                log.append((await process.stderr.readline()).decode())
        await asyncio.sleep(4)  # three more attempts (after 1, 2 and 4 s)
        waiting = process.returncode is None
        assert waiting, "still waiting for Telegram, not exited"
        await fake.start(port)
        await admin.send("/start", wait=False)
        await admin.chat.wait_for_messages(1, timeout=30)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await communicate(process, timeout=10)
    assert process.returncode == 0
    output = "".join(log) + stderr.decode()
    assert output.count("Telegram cannot be reached") == 1, "one line a minute, not per retry"
    assert "Telegram answered after" in output
    assert "Traceback" not in output
    assert "Selamat datang" in admin.last_message().text


async def test_a_token_telegram_rejects_stops_with_one_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    wrong = fake.token.split(":")[0] + ":AAE-wrong-token-0123456789-abcdefghij"
    process = await start_bot(bot_env(fake, tmp_path, TELEGRAM_BOT_TOKEN=wrong), tmp_path)
    stdout, stderr = await communicate(process, timeout=20)
    assert process.returncode == 2
    output = (stdout + stderr).decode()
    lines = output.strip().splitlines()
    assert lines[-1].startswith(
        "Configuration error: TELEGRAM_BOT_TOKEN: Telegram rejected the token"
    )
    assert [line for line in lines if "TELEGRAM_BOT_TOKEN" in line] == lines[-1:]
    assert "Traceback" not in output
    assert wrong.split(":")[1] not in output
    assert fake.calls == [], "refused at getMe (401), nothing else tried"


async def test_a_webhook_url_telegram_refuses_stops_with_one_line(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    fake.fail_next("setWebhook", 400, "Bad Request: bad webhook: HTTPS url must be provided")
    env = bot_env(
        fake,
        tmp_path,
        WEBHOOK_URL="http://posko.example.id",
        WEBHOOK_SECRET="rahasia-webhook-0123456789",
        WEBHOOK_PORT=str(free_port()),
    )
    process = await start_bot(env, tmp_path)
    stdout, stderr = await communicate(process, timeout=30)
    output = (stdout + stderr).decode()
    assert process.returncode == 2, output
    assert output.strip().splitlines()[-1].startswith("Configuration error: WEBHOOK_URL:")
    assert "Traceback" not in output
