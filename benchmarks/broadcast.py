"""Broadcast: a reminder round to thousands of officers under Telegram's flood limits.

    python -m benchmarks.broadcast [--officers 5000] [--runs 3] [--profile FILE]
        [--latency MS [MS ...]] [--jitter MS]

Each run registers the officers (camat, kapolsek and danramil spread over the 18 kecamatan) in a
fresh database, starts the real bot (`main.py`, production settings; only the API URL, database
and admin id are set) against the emulator with Telegram's flood limits on (30 messages a second
overall, 1 a second per private chat, 20 a minute per group), and lets an admin move the reminder
time to a few seconds from now with `/jadwal pengingat HH:MM:SS`, as an operator would. Nobody
has reported, so every officer is due a reminder.

`--latency 0 100 300` runs the benchmark with Telegram that many milliseconds away (every Bot
API call of the emulator takes that round trip, half each way, each leg up to `--jitter` ms
longer), one set of runs per latency.

Measured, median of the runs: reminders per second from the first reminder to the last (and in
the steady state, after the first second), its ratio to Telegram's 30/s (target >= 0.9), the 429
answers (target 0), and whether every officer got exactly one reminder.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from benchmarks.distance import add_distance_arguments, distances
from bot.regions import load_region
from domain.enums import Role
from domain.members import RosterRow
from emulator.server import FakeTelegram, FakeUser, FloodLimits
from storage.db import Database
from storage.members import MemberRepo

ROOT = Path(__file__).resolve().parent.parent
TELEGRAM_LIMIT = 30.0  # messages a second overall, per bot
TARGET_RATIO = 0.9
WITA = ZoneInfo("Asia/Makassar")
FIRST_OFFICER_ID = 100_000
ADMIN_ID = 90_000
ROLES = (Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL)
# Least seconds from sending /jadwal to the reminder slot: room for the job to be rescheduled.
SLOT_LEAD = 1.5


@dataclass(frozen=True)
class RoundResult:
    """What one round of messages to every officer achieved."""

    officers: int
    delivered: int
    exactly_once: bool
    rate: float
    steady_rate: float
    seconds: float
    rejected_429: int

    @property
    def ratio(self) -> float:
        """Achieved rate against Telegram's overall limit."""
        return self.rate / TELEGRAM_LIMIT


@dataclass(frozen=True)
class RunResult(RoundResult):
    """What one reminder round achieved."""

    startup: float


def roster(officers: int) -> list[RosterRow]:
    """Officers spread evenly over every kecamatan and the three field roles."""
    names = load_region().kecamatan
    return [
        RosterRow(
            FIRST_OFFICER_ID + i,
            ROLES[(i // len(names)) % len(ROLES)],
            names[i % len(names)],
            f"Petugas {i}",
        )
        for i in range(officers)
    ]


async def prepare_database(path: Path, rows: list[RosterRow]) -> None:
    """Creates the database (migrations included) and registers the roster in one import."""
    db = await Database.open(path)
    try:
        await MemberRepo(db).import_roster(rows, datetime.now(UTC), None)
    finally:
        await db.close()


def rate_between(times: list[float]) -> float:
    """Messages a second over sorted timestamps: intervals between the first and the last."""
    if len(times) < 2 or times[-1] <= times[0]:
        return float("nan")
    return (len(times) - 1) / (times[-1] - times[0])


def next_whole_second(moment: datetime) -> datetime:
    """`moment` rounded up to a whole second (reminder times have whole seconds)."""
    return moment.replace(microsecond=0) + timedelta(seconds=1 if moment.microsecond else 0)


@dataclass(frozen=True)
class FloodedBot:
    """The real bot on a fresh database of a roster, and the emulator (flood limits on) it
    talks to."""

    fake: FakeTelegram
    admin: FakeUser
    users: dict[int, FakeUser]  # the roster's officers, by user id
    polling: asyncio.Event  # set at the bot's first getUpdates: start-up is done
    spawned_at: float  # time.perf_counter() when the process was started

    async def ready(self) -> float:
        """Waits until the bot polls (start-up: migrations, every officer's command menu);
        the seconds it took since the process was started."""
        async with asyncio.timeout(600):
            await self.polling.wait()
        return time.perf_counter() - self.spawned_at


@asynccontextmanager
async def flooded_bot(
    rows: list[RosterRow],
    name: str,
    on_call: Callable[[str, dict[str, Any]], None],
    latency: float = 0.0,
    jitter: float = 0.0,
    profile: str | None = None,
) -> AsyncIterator[FloodedBot]:
    """Starts the emulator with Telegram's flood limits (1 a second per private chat) and
    `on_call` observing every Bot API call, registers `rows` in a fresh database (in a temporary
    folder named after the benchmark, `name`), and runs `main.py` on it (under cProfile, written
    to `profile`, if given) until the block ends: then SIGTERM, as a service manager stops it."""
    fake = FakeTelegram(latency=latency, jitter=jitter)
    await fake.start()
    try:
        fake.enable_flood_limits(FloodLimits(private_per_second=1))
        folder = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
        await prepare_database(folder / "posko.db", rows)
        users = {row.user_id: fake.add_user(row.user_id, row.name) for row in rows}
        admin = fake.add_user(ADMIN_ID, "Admin")
        polling = asyncio.Event()

        def on_poll(method: str, params: dict[str, Any]) -> None:
            if method == "getUpdates":
                polling.set()

        fake.observers.extend((on_poll, on_call))
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_URL": fake.url,
            "DASHBOARD_PORT": "0",  # any free port, never 8080
            "DATABASE_PATH": str(folder / "posko.db"),
            "ADMIN_IDS": str(ADMIN_ID),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT),
        }
        command = ["-m", "cProfile", "-o", profile] if profile else []
        spawned_at = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable, *command, str(ROOT / "main.py"), cwd=folder, env=env
        )
        try:
            yield FloodedBot(fake, admin, users, polling, spawned_at)
        finally:
            process.send_signal(signal.SIGTERM)
            await process.wait()
    finally:
        await fake.stop()


async def admin_says(fake: FakeTelegram, admin: FakeUser, text: str, within: float) -> None:
    """Sends `text` as the admin and waits for the bot's answer."""
    answered = len(admin.messages)
    await admin.send(text, wait=False)
    await fake.wait_until(lambda: len(admin.messages) > answered, timeout=within)


async def run_once(
    officers: int, profile: str | None, latency: float = 0.0, jitter: float = 0.0
) -> RunResult:
    """Starts the bot on a fresh database, triggers one reminder round and measures it."""
    rows = roster(officers)
    officer_ids = {row.user_id for row in rows}
    attempts: dict[int, list[float]] = {}

    def on_call(method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if method == "sendMessage" and chat_id is not None and int(chat_id) in officer_ids:
            attempts.setdefault(int(chat_id), []).append(time.perf_counter())

    async with flooded_bot(rows, "broadcast", on_call, latency, jitter, profile) as bot:
        fake, admin = bot.fake, bot.admin
        startup = await bot.ready()
        lead = SLOT_LEAD + 4 * (latency + 2 * jitter)  # the command's and answer's trips
        slot = next_whole_second(datetime.now(WITA) + timedelta(seconds=lead))
        await admin_says(fake, admin, f"/jadwal pengingat {slot:%H:%M:%S}", within=60)
        summary = "petugas diingatkan"
        # The admin's summary line comes after the last reminder.
        await fake.wait_until(
            lambda: any(summary in text for text in admin.texts()),
            timeout=lead + 60 + officers / TELEGRAM_LIMIT * 3,
        )
    delivered = Counter(m.chat_id for m in fake.sent if m.chat_id in officer_ids)
    # Each officer's delivered reminder is their last attempt (a 429 is retried, a success not).
    times = sorted(attempts[chat_id][-1] for chat_id in delivered)
    steady = [t for t in times if t >= times[0] + 1.0] if times else []
    return RunResult(
        officers=officers,
        delivered=sum(delivered.values()),
        exactly_once=len(delivered) == officers and set(delivered.values()) == {1},
        rate=rate_between(times),
        steady_rate=rate_between(steady),
        seconds=times[-1] - times[0] if times else float("nan"),
        rejected_429=fake.rejected_429,
        startup=startup,
    )


def describe(result: RunResult) -> str:
    """One line per run."""
    return (
        f"{result.rate:6.2f}/s (steady {result.steady_rate:6.2f}/s) over {result.seconds:6.1f} s, "
        f"429: {result.rejected_429}, delivered {result.delivered}/{result.officers}, "
        f"exactly once: {'yes' if result.exactly_once else 'NO'}, start-up {result.startup:.1f} s"
    )


def print_rates(results: Sequence[RoundResult], noun: str) -> None:
    """A report's first lines: the median rates of `noun` and their ratio to Telegram's limit."""
    rate = statistics.median(r.rate for r in results)
    steady = statistics.median(r.steady_rate for r in results)
    ratio = rate / TELEGRAM_LIMIT
    print(f"median of {len(results)} runs, {results[0].officers} officers:")
    print(f"  {noun}/s, first to last: {rate:.2f}   steady state (after 1 s): {steady:.2f}")
    print(
        f"  ratio to Telegram's {TELEGRAM_LIMIT:.0f}/s: {ratio:.3f} (target >= {TARGET_RATIO}): "
        f"{'met' if ratio >= TARGET_RATIO else 'MISSED'}"
    )


Result = TypeVar("Result")


async def run_sets(
    args: argparse.Namespace,
    run: Callable[[float, float], Awaitable[Result]],
    describe: Callable[[Result], str],
    report: Callable[[list[Result]], None],
) -> None:
    """`args.runs` runs of `run(latency, jitter)` at each distance asked (`--latency`,
    `--jitter`), a line each as it ends, then their report; the machine's load after all."""
    for latency, jitter in distances(args):
        results = []
        for number in range(args.runs):
            result = await run(latency, jitter)
            print(f"run {number + 1}: {describe(result)}", flush=True)
            results.append(result)
        report(results)
    print(f"load average after: {os.getloadavg()}")


def report(results: list[RunResult]) -> None:
    """Prints the medians and the comparison with Telegram's limit."""
    rejected = statistics.median(r.rejected_429 for r in results)
    once = all(r.exactly_once for r in results)
    print_rates(results, "reminders")
    print(
        f"  429 answers: {rejected:g} (max {max(r.rejected_429 for r in results)}; target 0): "
        f"{'met' if max(r.rejected_429 for r in results) == 0 else 'MISSED'}"
    )
    print(f"  every officer exactly one reminder, in every run: {'yes' if once else 'NO'}")


async def main() -> None:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description="Reminder round under flood limits.")
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", help="run the bot under cProfile, written to this file")
    add_distance_arguments(parser)
    args = parser.parse_args()
    await run_sets(args, partial(run_once, args.officers, args.profile), describe, report)


if __name__ == "__main__":
    asyncio.run(main())
