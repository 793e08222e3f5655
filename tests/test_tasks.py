"""`python3 tasks.py status`: the health check an operator, systemd or Docker runs."""

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dotenv import dotenv_values

import tasks
from bot.settings import Settings
from emulator import FakeTelegram
from storage.db import Database, to_sql_time
from tests.processes import communicate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    """A database with the bot's schema: two updates waiting, a digest sent 3 hours ago."""
    now = datetime.now(UTC)
    path = tmp_path / "data" / "posko.db"
    db = await Database.open(path)
    await db.close()
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO inbox (update_id, payload, received_at) VALUES (?, '{}', ?)",
            [(1, to_sql_time(now)), (2, to_sql_time(now))],
        )
        conn.execute(
            "INSERT INTO schedule_slots (slot, kind, state, claimed_at, sent_at) "
            "VALUES ('digest 2024-11-27 07:00', 'digest', 'sent', ?, ?)",
            (to_sql_time(now - timedelta(hours=3)), to_sql_time(now - timedelta(hours=3))),
        )
    conn.close()
    backups = tmp_path / "backups"
    backups.mkdir()
    (backups / "posko-20241127-020000.db").write_bytes(b"")
    return path


def record_health(
    path: Path,
    *,
    beat: timedelta,
    poll: timedelta | None,
    stopped: bool = False,
    mode: str = "polling",
) -> None:
    """The row the bot's heartbeat writes, with times `beat` and `poll` ago."""
    now = datetime.now(UTC)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO health VALUES (1, 4242, ?, ?, ?, ?, ?)",
            (
                mode,
                to_sql_time(now - timedelta(hours=1)),
                to_sql_time(now - beat),
                to_sql_time(now - poll) if poll is not None else None,
                to_sql_time(now - beat) if stopped else None,
            ),
        )
    conn.close()


def status(database: Path) -> subprocess.CompletedProcess[str]:
    """Runs the command as an operator does, without site-packages (standard library only)."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DATABASE_PATH": str(database),
        "BACKUP_DIR": str(database.parent.parent / "backups"),
    }
    return subprocess.run(
        [sys.executable, "-S", "tasks.py", "status"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_healthy(database: Path) -> None:
    record_health(database, beat=timedelta(seconds=20), poll=timedelta(seconds=5))
    result = status(database)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith("Posko: healthy")
    # Ages in whole seconds, counted when the command runs (a second or two later).
    assert re.search(r"alive: +yes, heartbeat 2[0-3] s ago \(pid 4242, polling", out)
    assert re.search(r"last poll: +[5-8] s ago", out)
    assert "inbox:        2 updates waiting" in out
    assert re.search(r"last digest: +digest 2024-11-27 07:00, sent 3 h [01] min ago", out)
    assert "posko-20241127-020000.db" in out
    assert f"database:     {database}, " in out
    assert "problem" not in out


@pytest.mark.parametrize(
    ("beat", "poll", "stopped", "problem"),
    [
        (timedelta(minutes=3), timedelta(minutes=3), False, "last heartbeat 3 min ago"),
        (timedelta(seconds=10), timedelta(minutes=6), False, "last successful poll 6 min ago"),
        (timedelta(seconds=10), None, False, "last successful poll never"),
        (timedelta(seconds=10), timedelta(seconds=10), True, "stopped cleanly at"),
    ],
)
def test_unhealthy(
    database: Path, beat: timedelta, poll: timedelta | None, stopped: bool, problem: str
) -> None:
    record_health(database, beat=beat, poll=poll, stopped=stopped)
    result = status(database)
    assert result.returncode == 1
    assert result.stdout.startswith("Posko: UNHEALTHY")
    assert f"problem:      {problem}" in result.stdout


def test_webhook_mode_does_not_poll(database: Path) -> None:
    record_health(database, beat=timedelta(seconds=10), poll=None, mode="webhook")
    result = status(database)
    assert result.returncode == 0
    assert "webhook mode" in result.stdout


def test_a_bot_that_never_ran_is_unhealthy(tmp_path: Path, database: Path) -> None:
    assert status(tmp_path / "missing.db").returncode == 1
    result = status(database)  # schema there, no heartbeat yet
    assert result.returncode == 1
    assert "no heartbeat recorded" in result.stdout


def test_the_env_file_is_read_as_the_bot_reads_it(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "# comment\n"
        "\n"
        "DATABASE_PATH=/srv/posko/posko.db\n"
        "export BACKUP_DIR = /srv/posko/backups\n"
        "A='single # quoted'\n"
        'B="double quoted"\n'
        "C=plain value # a comment\n"
        "D=\n",
        "utf-8",
    )
    assert tasks.read_env_file(env_file) == dotenv_values(env_file)


def test_the_environment_wins_and_defaults_match_the_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    from_file = {"DATABASE_PATH": "from/file.db"}
    monkeypatch.setenv("DATABASE_PATH", "from/env.db")
    assert tasks.setting("DATABASE_PATH", tasks.DEFAULT_DATABASE_PATH, from_file) == "from/env.db"
    monkeypatch.delenv("DATABASE_PATH")
    assert tasks.setting("DATABASE_PATH", tasks.DEFAULT_DATABASE_PATH, from_file) == "from/file.db"
    defaults = Settings.from_env({"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert defaults.database_path == Path(tasks.DEFAULT_DATABASE_PATH)
    assert defaults.backup_dir == Path(tasks.DEFAULT_BACKUP_DIR)


def test_status_reads_database_path_from_the_env_file(
    tmp_path: Path,
    database: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("DATABASE_PATH", raising=False)
    monkeypatch.delenv("BACKUP_DIR", raising=False)
    record_health(database, beat=timedelta(seconds=5), poll=timedelta(seconds=5))
    env_file = tmp_path / ".env"
    env_file.write_text(f"DATABASE_PATH={database}\nBACKUP_DIR={tmp_path / 'backups'}\n")
    assert tasks.show_status(env_file) == 0
    assert f"database:     {database}" in capsys.readouterr().out


async def test_the_running_bot_beats_and_records_its_clean_stop(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """main.py as deployed: healthy while it runs, a clean stop recorded after SIGTERM."""
    database = tmp_path / "data" / "posko.db"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DASHBOARD_PORT": "0",  # tests bind any free port, never 8080
        "DATABASE_PATH": str(database),
        "ADMIN_IDS": "1001",
    }
    admin = fake.add_user(1001, "Admin")
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await admin.send("/start", wait=False)
        await admin.chat.wait_for_messages(1, timeout=20)
        running = await asyncio.to_thread(status, database)
    finally:
        process.send_signal(signal.SIGTERM)
        await communicate(process, timeout=10)
    assert running.returncode == 0, running.stdout
    assert f"(pid {process.pid}, polling" in running.stdout
    stopped = await asyncio.to_thread(status, database)
    assert stopped.returncode == 1
    assert "problem:      stopped cleanly at" in stopped.stdout
