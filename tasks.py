#!/usr/bin/env python3
"""Sets up the project's own virtual environment, then runs the bot or the checks.

    python3 tasks.py run     # start the bot (settings from .env)
    python3 tasks.py test    # ruff (lint + format), mypy and the whole pytest suite
    python3 tasks.py demo    # a simulated election day, no Telegram token needed
    python3 tasks.py status  # is the bot alive? exits non-zero when it is not healthy
    python3 tasks.py install # only create .venv with the pinned dependencies (servers, images)

Only the standard library is used here, so this works on a fresh machine with Python 3.11+.
Dependencies come from pyproject.toml, pinned by constraints.txt; they are reinstalled only
when either file changes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import venv
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - this script is what tells older Pythons
    sys.exit("Posko needs Python 3.11 or newer.")

import tomllib

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
# Debian's browser, which the dashboard's browser tests drive (tests/handlers/dashboard).
CHROMIUM = Path("/usr/bin/chromium")


def requirements(extras: tuple[str, ...]) -> list[str]:
    """The dependencies declared in pyproject.toml, plus those of the given extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    found = list(project["dependencies"])
    for extra in extras:
        found += project["optional-dependencies"][extra]
    return found


def ensure_environment(extras: tuple[str, ...] = ()) -> None:
    """Creates .venv and installs the pinned dependencies unless already up to date."""
    if not PYTHON.exists():
        print("Creating virtual environment in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = requirements(extras)
    fingerprint = hashlib.sha256(
        "\n".join([*wanted, (ROOT / "constraints.txt").read_text("utf-8")]).encode()
    ).hexdigest()
    stamp = VENV / f".installed-{'-'.join(extras) or 'base'}"
    if stamp.exists() and stamp.read_text() == fingerprint:
        return
    print("Installing dependencies ...", flush=True)
    subprocess.run(
        [
            str(PYTHON),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "constraints.txt"),
            *wanted,
        ],
        check=True,
    )
    stamp.write_text(fingerprint)


def run_bot() -> int:
    """Runs main.py inside the environment, replacing this process so signals reach it."""
    env_file = ROOT / ".env"
    if not env_file.exists() and not os.environ.get("TELEGRAM_BOT_TOKEN"):
        env_file.write_text((ROOT / ".env.example").read_text("utf-8"), "utf-8")
        print(
            "Created .env from .env.example: put your bot token (TELEGRAM_BOT_TOKEN) and "
            "ADMIN_IDS in it, then run this command again."
        )
        return 2
    ensure_environment()
    os.chdir(ROOT)
    if os.name != "nt":
        os.execv(PYTHON, [str(PYTHON), "main.py"])
    return subprocess.call([str(PYTHON), "main.py"])


def run_checks(pytest_args: list[str]) -> int:
    """Runs every check; returns non-zero if any failed."""
    ensure_environment(("dev",))
    checks = [
        ("ruff", [str(PYTHON), "-m", "ruff", "check", "."]),
        ("ruff format", [str(PYTHON), "-m", "ruff", "format", "--check", "."]),
        ("mypy", [str(PYTHON), "-m", "mypy"]),
        # The layer contracts in pyproject.toml ([tool.importlinter]).
        ("lint-imports", [str(BIN / "lint-imports"), "--no-cache"]),
        ("pytest", [str(PYTHON), "-m", "pytest", *pytest_args]),
    ]
    if not CHROMIUM.exists():
        print(
            f"Note: Chromium is not installed ({CHROMIUM}), so the dashboard's browser tests "
            "will be skipped (pytest's summary lists them). Install it with "
            "`apt-get install chromium`, as .ci/run does.",
            flush=True,
        )
    failed = []
    for label, command in checks:
        print("$", " ".join([Path(command[0]).name, *command[1:]]), flush=True)
        if subprocess.call(command, cwd=ROOT) != 0:
            failed.append(label)
    if failed:
        print(f"FAILED: {', '.join(failed)}", flush=True)
        return 1
    return 0


def run_demo() -> int:
    """Plays a compressed election day against the local Bot API emulator (no token needed)."""
    ensure_environment(("dev",))
    return subprocess.call([str(PYTHON), "-m", "emulator.demo"], cwd=ROOT)


# What `status` reads, with the bot's defaults (bot/settings.py; tests keep them equal).
DEFAULT_DATABASE_PATH = "data/posko.db"
DEFAULT_BACKUP_DIR = "data/backups"
# Unhealthy without a heartbeat for this long (the bot beats every 30 s), or without a successful
# getUpdates for this long (a long poll returns at least every 10 s while Telegram answers).
HEARTBEAT_STALE = 120
POLL_STALE = 300


def read_env_file(path: Path) -> dict[str, str]:
    """`KEY=value` lines of a .env file as python-dotenv reads them (the forms .env.example
    uses: comments, blank lines, `export`, single or double quotes, unquoted with a comment)."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for raw in path.read_text("utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        key = key.strip().removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1]
        elif " #" in value:
            value = value.split(" #", 1)[0].rstrip()
        values[key] = value
    return values


def setting(name: str, default: str, env_file: Mapping[str, str]) -> str:
    """A setting as the bot reads it: the environment wins over .env; empty means the default."""
    value = os.environ[name] if name in os.environ else env_file.get(name, "")
    return value.strip() or default


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 7200:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min ago"


def _moment(text: object) -> datetime | None:
    """A UTC time as the bot stores it ("YYYY-MM-DD HH:MM:SS")."""
    return datetime.fromisoformat(str(text)).replace(tzinfo=UTC) if text else None


def show_status(env_file: Path = ROOT / ".env", now: datetime | None = None) -> int:
    """Prints the bot's health from its database (read-only); 0 when healthy, else 1."""
    now = now or datetime.now(UTC)
    file_values = read_env_file(env_file)
    # Relative paths as the bot sees them: `run` starts it in this folder.
    db_path = ROOT / setting("DATABASE_PATH", DEFAULT_DATABASE_PATH, file_values)
    backup_dir = ROOT / setting("BACKUP_DIR", DEFAULT_BACKUP_DIR, file_values)
    if not db_path.is_file():
        print(f"Posko: UNHEALTHY\n  database: none at {db_path} (DATABASE_PATH)")
        return 1
    conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        health = None
        if "health" in tables:
            health = conn.execute(
                "SELECT pid, mode, started_at, heartbeat_at, last_poll_at, stopped_at "
                "FROM health WHERE id = 1"
            ).fetchone()
        waiting = conn.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
        digest = conn.execute(
            "SELECT slot, sent_at FROM schedule_slots WHERE kind = 'digest' AND state = 'sent' "
            "ORDER BY sent_at DESC LIMIT 1"
        ).fetchone()
    except sqlite3.Error as exc:
        print(f"Posko: UNHEALTHY\n  database: {db_path} cannot be read ({exc})")
        return 1
    finally:
        conn.close()
    problems: list[str] = []
    lines: list[str] = []
    if health is None:
        problems.append("no heartbeat recorded (has this version of the bot run?)")
        lines.append("  alive:        no heartbeat recorded")
    else:
        pid, mode, started, beat, poll, stopped = health
        beat_at, poll_at, stopped_at = _moment(beat), _moment(poll), _moment(stopped)
        started_at = _moment(started)
        beat_age = (now - beat_at).total_seconds() if beat_at else float("inf")
        if stopped_at is not None:
            problems.append(f"stopped cleanly at {stopped_at:%Y-%m-%d %H:%M:%S} UTC")
        elif beat_age > HEARTBEAT_STALE:
            problems.append(f"last heartbeat {_age(beat_at, now)} (limit 2 min)")
        alive = "no" if problems else "yes"
        lines.append(
            f"  alive:        {alive}, heartbeat {_age(beat_at, now)} "
            f"(pid {pid}, {mode}, started {_age(started_at, now)})"
        )
        if mode == "polling":
            polled_since = poll_at or started_at
            if (
                stopped_at is None
                and polled_since is not None
                and (now - polled_since).total_seconds() > POLL_STALE
            ):
                problems.append(f"last successful poll {_age(poll_at, now)} (limit 5 min)")
            lines.append(f"  last poll:    {_age(poll_at, now) if poll_at else 'none yet'}")
        else:
            lines.append("  last poll:    - (webhook mode: Telegram posts updates)")
    lines.append(f"  inbox:        {waiting} updates waiting")
    if digest is None:
        lines.append("  last digest:  none sent yet")
    else:
        lines.append(f"  last digest:  {digest[0]}, sent {_age(_moment(digest[1]), now)}")
    backups = sorted(backup_dir.glob("posko-*.db")) if backup_dir.is_dir() else []
    if backups:
        newest = datetime.fromtimestamp(backups[-1].stat().st_mtime, UTC)
        lines.append(f"  last backup:  {backups[-1]} ({_age(newest, now)})")
    else:
        lines.append(f"  last backup:  none in {backup_dir}")
    size = sum(
        path.stat().st_size
        for path in (db_path, db_path.with_name(db_path.name + "-wal"))
        if path.exists()
    )
    lines.append(f"  database:     {db_path}, {size / 1e6:.1f} MB")
    print(f"Posko: {'UNHEALTHY' if problems else 'healthy'}")
    print("\n".join(lines))
    for problem in problems:
        print(f"  problem:      {problem}")
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    """Dispatches `run`, `test`, `demo`, `status` or `install`."""
    if not argv or argv[0] not in ("run", "test", "demo", "status", "install"):
        print(__doc__)
        return 2
    if argv[0] == "install":
        ensure_environment()
        return 0
    if argv[0] == "run":
        return run_bot()
    if argv[0] == "demo":
        return run_demo()
    if argv[0] == "status":
        return show_status()
    return run_checks(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
