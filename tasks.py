#!/usr/bin/env python3
"""Sets up the project's own virtual environment, then runs the bot or the checks.

    python3 tasks.py run     # start the bot (settings from .env)
    python3 tasks.py test    # ruff (lint + format), mypy and the whole pytest suite
    python3 tasks.py demo    # a simulated election day, no Telegram token needed

Only the standard library is used here, so this works on a fresh machine with Python 3.11+.
Dependencies come from pyproject.toml, pinned by constraints.txt; they are reinstalled only
when either file changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

if sys.version_info < (3, 11):  # noqa: UP036 - this script is what tells older Pythons
    sys.exit("Posko needs Python 3.11 or newer.")

import tomllib

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


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
        [str(PYTHON), "-m", "ruff", "check", "."],
        [str(PYTHON), "-m", "ruff", "format", "--check", "."],
        [str(PYTHON), "-m", "mypy"],
        [str(PYTHON), "-m", "pytest", *pytest_args],
    ]
    failed = []
    for command in checks:
        print(
            "$",
            " ".join(Path(command[0]).name if i == 0 else part for i, part in enumerate(command)),
            flush=True,
        )
        if subprocess.call(command, cwd=ROOT) != 0:
            failed.append(command[2])
    if failed:
        print(f"FAILED: {', '.join(failed)}", flush=True)
        return 1
    return 0


def run_demo() -> int:
    """Plays a compressed election day against the local Bot API emulator (no token needed)."""
    ensure_environment(("dev",))
    return subprocess.call([str(PYTHON), "-m", "emulator.demo"], cwd=ROOT)


def main(argv: list[str]) -> int:
    """Dispatches `run`, `test` or `demo`."""
    if not argv or argv[0] not in ("run", "test", "demo"):
        print(__doc__)
        return 2
    if argv[0] == "run":
        return run_bot()
    if argv[0] == "demo":
        return run_demo()
    return run_checks(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
