"""Footprint: memory of the idle bot on 1,000,000 reports, and start-up time (issue #8, 5).

    python -m benchmarks.footprint [--runs 6] [--idle 5] [--reports 1000000] [--members 5000]

Each run copies the generated database (`benchmarks/dataset.py`), spawns the real bot (main.py,
exactly as deployed, TELEGRAM_API_URL pointing at the emulator) and at once queues a quick
`/lapor aman` from a registered officer. Measured:
- start-up: from spawning the process to the officer's receipt (the first handled update);
  runs alternate between a warm page cache (the file was just copied) and a cold one (the
  copy's pages evicted with posix_fadvise, as after a reboot), and both are reported;
- resident memory (VmRSS) once the bot has been idle (no Bot API call but getUpdates) for
  `--idle` seconds, and the peak (VmHWM).

Alongside, the parts of start-up that can be timed apart: the interpreter with the bot's
imports (`import main`), and the integrity check main.py runs before anything else
(`PRAGMA quick_check`), warm and cold. Target: idle resident memory under 120 MB (median).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.dataset import Spec, ensure_dataset
from benchmarks.live import ROOT, LiveBot, vm_status
from storage.backup import check_integrity

TARGET_MB = 120.0


@dataclass(frozen=True)
class Run:
    """One start of the bot."""

    cold: bool
    startup: float
    rss_kib: int
    hwm_kib: int
    # Seconds from spawn to the bot's first Bot API call (getMe), to its first getUpdates
    # (post_init done) and to its last setMyCommands (menus published); how many of those.
    first_call: float
    polling: float
    menus_done: float
    menus: int


def megabytes(kib: float) -> float:
    """KiB (as the kernel counts memory) in MB, the unit of the target."""
    return kib * 1024 / 1e6


def evict(path: Path) -> None:
    """Drops the file's pages from the page cache (as after a reboot); only this file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def active_officer(db_path: Path) -> int:
    """The user id of an active field officer of the dataset."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        row = conn.execute(
            "SELECT user_id FROM members WHERE state = 'active' AND kecamatan IS NOT NULL "
            "ORDER BY user_id LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return int(row[0])


async def run_once(source: Path, officer_id: int, cold: bool, idle: float) -> Run:
    """Starts the bot on a copy of `source`, waits for the first receipt, idles, reads memory."""
    with tempfile.TemporaryDirectory(prefix="bench-footprint-") as folder:
        db_path = Path(folder) / "posko.db"
        shutil.copyfile(source, db_path)
        if cold:
            evict(db_path)
        bot = LiveBot(db_path)
        await bot.start()
        try:
            officer = bot.user(officer_id, "Petugas")
            asked = time.perf_counter()
            answer = await bot.ask(officer, "/lapor aman", within=600)
            startup = asked - bot.spawned_at + answer.last
            await bot.quiet(idle)
            memory = vm_status(bot.pid)
        finally:
            await bot.stop()
    return Run(
        cold,
        startup,
        memory["VmRSS"],
        memory["VmHWM"],
        min(bot.first_call.values()) - bot.spawned_at,
        bot.first_call["getUpdates"] - bot.spawned_at,
        bot.last_call.get("setMyCommands", bot.spawned_at) - bot.spawned_at,
        bot.calls["setMyCommands"],
    )


def timed(command: list[str]) -> float:
    """Seconds a command takes."""
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True)  # noqa: S603 - our own interpreter
    return time.perf_counter() - started


def quick_check_seconds(source: Path, cold: bool) -> float:
    """Seconds of main.py's integrity check on a copy of the database."""
    with tempfile.TemporaryDirectory(prefix="bench-footprint-") as folder:
        db_path = Path(folder) / "posko.db"
        shutil.copyfile(source, db_path)
        if cold:
            evict(db_path)
        started = time.perf_counter()
        check_integrity(db_path)
        return time.perf_counter() - started


def report(runs: list[Run], imports: float, checks: dict[bool, float]) -> None:
    """Prints the medians next to the target."""
    print("\nStart-up, seconds from spawning the process (medians):")
    print(f"{'page cache':12s} {'getMe':>7s} {'polling':>8s} {'receipt':>8s} {'menus':>7s}   runs")
    for cold in (False, True):
        chosen = [r for r in runs if r.cold == cold]
        if not chosen:
            continue
        each = ", ".join(f"{r.startup:.2f}" for r in chosen)
        print(
            f"{'cold' if cold else 'warm':12s} "
            f"{statistics.median(r.first_call for r in chosen):7.2f} "
            f"{statistics.median(r.polling for r in chosen):8.2f} "
            f"{statistics.median(r.startup for r in chosen):8.2f} "
            f"{statistics.median(r.menus_done for r in chosen):7.2f}   receipt: {each}"
        )
    print(
        "getMe: first Bot API call (settings, integrity check, application built); polling: "
        "first getUpdates (post_init done); receipt: the first handled update answered; "
        f"menus: last of {statistics.median(r.menus for r in runs):.0f} setMyCommands calls"
    )
    print(
        f"timed apart: interpreter and imports (`import main`) {imports:.2f} s; "
        f"PRAGMA quick_check {checks[False]:.2f} s warm, {checks[True]:.2f} s cold"
    )
    rss = megabytes(statistics.median(r.rss_kib for r in runs))
    hwm = megabytes(statistics.median(r.hwm_kib for r in runs))
    each = ", ".join(f"{megabytes(r.rss_kib):.0f}" for r in runs)
    print(f"\nIdle resident memory (VmRSS): median {rss:.1f} MB  (runs: {each} MB)")
    print(f"Peak resident memory (VmHWM): median {hwm:.1f} MB")
    print(f"target < {TARGET_MB:.0f} MB idle: {'met' if rss < TARGET_MB else 'MISSED'}")


async def measure(source: Path, runs: int, idle: float) -> None:
    """Runs the start-ups and the separate timings."""
    officer_id = active_officer(source)
    started = [await run_once(source, officer_id, i % 2 == 1, idle) for i in range(runs)]
    imports = statistics.median(
        timed([sys.executable, "-c", "import main"]) for _ in range(max(3, runs))
    )
    checks = {cold: quick_check_seconds(source, cold) for cold in (False, True)}
    report(started, imports, checks)


def main() -> None:
    """Generates (or reuses) the database, then measures.

    The database is generated before the event loop starts: generation runs the bot's own
    migrations in an event loop of its own.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=6, help="start-ups, alternately warm/cold")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds idle before reading")
    parser.add_argument("--reports", type=int, default=Spec.reports)
    parser.add_argument("--members", type=int, default=Spec.members)
    parser.add_argument("--days", type=int, default=Spec.days)
    parser.add_argument("--path", type=Path, help="database file (default: cached in /tmp)")
    args = parser.parse_args()
    source = ensure_dataset(Spec(args.reports, args.members, args.days), args.path)
    asyncio.run(measure(source, args.runs, args.idle))


if __name__ == "__main__":
    main()
