"""Digest and queries at scale: /rekap, /status and /cari on 1,000,000 reports (issue #8, 2).

    python -m benchmarks.queries [--runs 20] [--reports 1000000] [--members 5000] [--days 60]

On a copy of the generated database (`benchmarks/dataset.py`), two measurements:

1. End to end, what a user sees: the real bot process (main.py) against the Bot API emulator;
   an admin sends each command and the time is taken from the update being queued to the last
   message of the answer (and to its first message: a digest is dozens of messages, which the
   bot sends at Telegram's limit of 30 a second). `/start` is measured alongside as the floor
   every command pays (HTTP, inbox commit, access check, reply). The first answer of each
   command after start-up (cold SQLite cache) is reported apart from the median and p90 of the
   following runs, which are interleaved so machine noise hits all commands alike; commands
   are sent `PAUSE` seconds apart.
2. Function level, in this process: the code the handlers run, with the clock at the last second
   of yesterday so that "today" is a whole day of reports (the heaviest /status and /rekap; end
   to end, "today" is however much of the WITA day has passed).

The /cari terms are a common word, a word prefix, two words, and a rare word (picked from the
search index itself: the first term found in 50 to 200 reports); the number of hits of each is
printed. `--profile` adds a cProfile of the function-level runs.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.dataset import WITA, Spec, ensure_dataset
from benchmarks.live import Answer, LiveBot, copy_database
from bot.regions import load_region
from bot.services import Services
from bot.settings import Settings
from bot.texts import render_digest
from domain.digest import day_bounds
from handlers.digest.schedule import load_snapshot
from handlers.reading.queries import open_view, search_params, status_parts
from storage.db import Database

TARGETS_MS = {"rekap": 250.0, "status": 100.0, "cari": 100.0}
# Seconds between two commands end to end: a digest of dozens of messages fills the bot's
# 30-messages-a-second window, which would otherwise delay the answer to the next command.
PAUSE = 1.1
COMMON, PREFIX, TWO_WORDS = "warga", "kampa", "jalan rusak"

Measure = Callable[[], Awaitable[object]]


def target_of(command: str) -> float | None:
    """The target (ms) of a command line such as "/cari warga"."""
    return TARGETS_MS.get(command.split()[0].lstrip("/"))


def rare_term(db_path: Path) -> str:
    """A word of the search index found in 50 to 200 reports (deterministic)."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, search_index, row)")
        row = conn.execute(
            "SELECT term FROM temp.terms WHERE doc BETWEEN 50 AND 200 AND term GLOB '[a-z]*' "
            "ORDER BY term LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(row[0]) if row else COMMON


def commands_for(db_path: Path) -> list[str]:
    """The commands measured, in the order they are interleaved."""
    cari = [COMMON, PREFIX, TWO_WORDS, rare_term(db_path)]
    return ["/start", "/rekap", "/rekap kemarin", "/status", *(f"/cari {w}" for w in cari)]


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of `values`."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def verdict(command: str, median_ms: float) -> str:
    """ "< target ms: met" or "MISSED" (or "(floor)" for commands without a target)."""
    target = target_of(command)
    if target is None:
        return "(floor)"
    return f"< {target:.0f} ms: {'met' if median_ms < target else 'MISSED'}"


def print_table(title: str, results: dict[str, list[float]], first: dict[str, float]) -> None:
    """Prints the cold first run, median and p90 per command (ms) next to its target."""
    print(f"\n{title}")
    print(f"{'command':22s} {'first':>8s} {'median':>8s} {'p90':>8s}   target")
    for command, values in results.items():
        ms = [v * 1000 for v in values]
        median = statistics.median(ms)
        print(
            f"{command:22s} {first[command] * 1000:8.1f} {median:8.1f} "
            f"{percentile(ms, 0.9):8.1f}   {verdict(command, median)}"
        )


async def end_to_end(db_path: Path, commands: list[str], runs: int) -> None:
    """Measures each command through the real bot process and the emulator."""
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as folder:
        bot = LiveBot(copy_database(db_path, Path(folder)))
        await bot.start()
        try:
            admin = bot.user()
            await bot.ask(admin, "/bantuan", within=600)  # ready: start-up is done
            first: dict[str, Answer] = {}
            for command in commands:
                await asyncio.sleep(PAUSE)
                first[command] = await bot.ask(admin, command)
            results: dict[str, list[Answer]] = {command: [] for command in commands}
            for _ in range(runs):
                for command in commands:
                    await asyncio.sleep(PAUSE)
                    results[command].append(await bot.ask(admin, command))
        finally:
            await bot.stop()
    print(f"\nEnd to end, real bot process ({runs} runs; ms from update to answer)")
    print(
        f"{'command':22s} {'msgs':>5s} {'cold':>8s} {'1st msg':>8s} {'median':>8s} {'p90':>8s}"
        "   target (median of the complete answer)"
    )
    for command, answers in results.items():
        last = [a.last * 1000 for a in answers]
        median = statistics.median(last)
        print(
            f"{command:22s} {answers[-1].parts:5d} {first[command].last * 1000:8.1f} "
            f"{statistics.median(a.first * 1000 for a in answers):8.1f} {median:8.1f} "
            f"{percentile(last, 0.9):8.1f}   {verdict(command, median)}"
        )


async def function_level(db_path: Path, commands: list[str], runs: int, profile: bool) -> None:
    """Measures the code the handlers call, in this process, "today" being a whole day."""
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as folder:
        path = copy_database(db_path, Path(folder))
        db = await Database.open(path)
        try:
            services = await _services(db, path)
            measures = {c: _measure(services, c) for c in commands if c != "/start"}
            profiler = cProfile.Profile() if profile else None
            results: dict[str, list[float]] = {command: [] for command in measures}
            first: dict[str, float] = {}
            for run in range(runs + 1):
                for command, measure in measures.items():
                    if profiler is not None:
                        profiler.enable()
                    started = time.perf_counter()
                    await measure()
                    elapsed = time.perf_counter() - started
                    if profiler is not None:
                        profiler.disable()
                    if run == 0:
                        first[command] = elapsed
                    else:
                        results[command].append(elapsed)
        finally:
            await db.close()
    print_table(f"Function level, clock at the end of yesterday ({runs} runs)", results, first)
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


async def _services(db: Database, path: Path) -> Services:
    """The bot's services on `db`, with the clock at the last second of yesterday (WITA)."""
    today = datetime.now(WITA).date()
    moment = datetime.combine(today, datetime.min.time(), WITA) - timedelta(seconds=1)
    settings = Settings(token="0:benchmark", database_path=path)  # noqa: S106 - not a secret
    return await Services.create(settings, load_region(), db, lambda: moment.astimezone(UTC))


def _measure(services: Services, command: str) -> Measure:
    """The work one command does, as its handler does it (without Telegram)."""
    word, _, args = command.partition(" ")

    async def rekap() -> object:
        day = services.today() - timedelta(days=1 if args == "kemarin" else 0)
        start, end = day_bounds(day, services.settings.timezone)
        whole = args == "kemarin"
        until = end if whole else services.now()
        snapshot = await load_snapshot(services, start, until, end_inclusive=not whole)
        return render_digest(snapshot)

    async def status() -> object:
        return await status_parts(services)

    async def cari() -> object:
        params = search_params(args)
        if params is None:
            raise ValueError(f"nothing to search in {command!r}")
        return await open_view(services, "cari", params)

    return {"/rekap": rekap, "/status": status, "/cari": cari}[word]


async def measure(db_path: Path, runs: int, e2e: bool, profile: bool) -> None:
    """Runs both measurements on the database."""
    commands = commands_for(db_path)
    if e2e:
        await end_to_end(db_path, commands, runs)
    await function_level(db_path, commands, runs, profile)


def main() -> None:
    """Generates (or reuses) the database, then measures.

    The database is generated before the event loop starts: generation runs the bot's own
    migrations in an event loop of its own.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--reports", type=int, default=Spec.reports)
    parser.add_argument("--members", type=int, default=Spec.members)
    parser.add_argument("--days", type=int, default=Spec.days)
    parser.add_argument("--path", type=Path, help="database file (default: cached in /tmp)")
    parser.add_argument("--skip-e2e", action="store_true", help="function level only")
    parser.add_argument("--profile", action="store_true", help="cProfile the function level")
    args = parser.parse_args()
    db_path = ensure_dataset(Spec(args.reports, args.members, args.days), args.path)
    asyncio.run(measure(db_path, args.runs, not args.skip_e2e, args.profile))


if __name__ == "__main__":
    main()
