"""Arahan broadcast: one arahan to thousands of officers under Telegram's flood limits.

    python -m benchmarks.arahan [--officers 5000] [--runs 1] [--confirm all|first]
        [--latency MS [MS ...]] [--jitter MS]

Modelled on benchmarks/broadcast.py (the reminder round). Each run registers the officers
(camat, kapolsek and danramil spread over the 18 kecamatan) in a fresh database, starts the real
bot (`main.py`, production settings; only the API URL, database and admin id are set) against
the emulator with Telegram's flood limits on (30 messages a second overall, 1 a second per
private chat, 20 a minute per group), and lets the admin send `/arahan semua | ...` and press
✅ Kirim on its preview, as an operator would.

Each officer presses ✅ Dipahami as soon as their copy arrives (`--confirm all`, the default: the
sender's tally then takes thousands of confirmations while the broadcast goes on), or only the
first officer does (`--confirm first`).

`--latency 0 100 300` runs it with Telegram that many milliseconds away (every Bot API call of
the emulator takes that round trip, half each way, each leg up to `--jitter` ms longer).

Measured: copies per second from the first copy to the last (and after the first second), the
ratio to Telegram's 30/s, every 429 answer, whether every officer got exactly one copy, the time
from ✅ Kirim to the first copy, and the time from the first officer's press until the sender's
tally shows a confirmation ("Dipahami 1/..." or more), with the number of tally edits.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

from benchmarks.broadcast import (
    ADMIN_ID,
    TELEGRAM_LIMIT,
    RoundResult,
    flooded_bot,
    print_rates,
    rate_between,
    roster,
    run_sets,
)
from benchmarks.distance import add_distance_arguments
from emulator.server import FakeTelegram, FakeUser, SentMessage

TALLY = re.compile(r"📊 <b>Dipahami ([\d.]+)/")


@dataclass(frozen=True)
class RunResult(RoundResult):
    """What one arahan broadcast achieved."""

    kirim_to_first_copy: float
    press_to_shown: float
    tally_edits: int
    confirmed_shown: int


class Presser:
    """Presses ✅ Dipahami for officers whose copy has arrived."""

    def __init__(self, fake: FakeTelegram, users: dict[int, FakeUser], everyone: bool) -> None:
        self.fake, self.users, self.everyone = fake, users, everyone
        self.seen = 0
        self.pressed: set[int] = set()
        self.first_press: float | None = None

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            new = self.fake.sent[self.seen :]
            self.seen += len(new)
            for message in new:
                await self._maybe_press(message)
            await asyncio.sleep(0.02)

    async def _maybe_press(self, message: SentMessage) -> None:
        user = self.users.get(message.chat_id)
        if user is None or not message.text.startswith("📢 ARAHAN #"):
            return
        if user.id in self.pressed or (self.pressed and not self.everyone):
            return
        self.pressed.add(user.id)
        if self.first_press is None:
            self.first_press = time.perf_counter()
        await user.press_data("arh:ok:1", message, wait=False)


async def run_once(
    officers: int, everyone: bool, latency: float = 0.0, jitter: float = 0.0
) -> RunResult:
    """Starts the bot on a fresh database, sends one arahan to everyone and measures it."""
    rows = roster(officers)
    officer_ids = {row.user_id for row in rows}
    arrivals: dict[int, list[float]] = {}
    tally_edits: list[tuple[float, int]] = []

    def on_call(method: str, params: dict[str, Any]) -> None:
        now = time.perf_counter()
        chat_id = int(params.get("chat_id") or 0)
        text = str(params.get("text") or "")
        if (
            method == "sendMessage"
            and chat_id in officer_ids
            and text.startswith("📢 <b>ARAHAN #")
        ):
            arrivals.setdefault(chat_id, []).append(now)
        if method == "editMessageText" and chat_id == ADMIN_ID:
            match = TALLY.search(text)
            if match:
                tally_edits.append((now, int(match[1].replace(".", ""))))

    async with flooded_bot(rows, "arahan", on_call, latency, jitter) as bot:
        fake, admin, users = bot.fake, bot.admin, bot.users
        presser = Presser(fake, users, everyone)
        stop = asyncio.Event()
        pressing = asyncio.create_task(presser.run(stop))
        try:
            await bot.ready()
            await admin.send(
                "/arahan semua | Apel siaga pukul 19.00 WITA di kantor camat.", wait=False
            )
            await fake.wait_until(lambda: any("Pratinjau" in t for t in admin.texts()), timeout=60)
            preview = next(m for m in admin.messages if "Pratinjau" in m.text)
            # An operator reads the preview first (the live tally then is not a second message
            # to that chat within the emulator's 1 a second).
            await asyncio.sleep(1.0)
            kirim = time.perf_counter()
            await admin.press("✅ Kirim", preview, wait=False)
            expected = officers if everyone else 1
            await fake.wait_until(
                lambda: (
                    len(arrivals) == officers
                    and any(count >= expected for _, count in tally_edits)
                ),
                timeout=120 + officers / TELEGRAM_LIMIT * 3,
            )
        finally:
            stop.set()
            await pressing
    copies = Counter({chat_id: len(times) for chat_id, times in arrivals.items()})
    # A copy answered 429 is sent again: its last attempt is the one delivered.
    times = sorted(attempts[-1] for attempts in arrivals.values())
    steady = [t for t in times if t >= times[0] + 1.0]
    first_press = presser.first_press or float("nan")
    shown = next((t for t, count in tally_edits if count >= 1), float("nan"))
    delivered = sum(1 for m in fake.sent if m.chat_id in users and m.text.startswith("📢 ARAHAN"))
    return RunResult(
        officers=officers,
        delivered=delivered,
        exactly_once=len(copies) == officers and delivered == officers and fake.rejected_429 == 0,
        rate=rate_between(times),
        steady_rate=rate_between(steady),
        seconds=times[-1] - times[0],
        rejected_429=fake.rejected_429,
        kirim_to_first_copy=times[0] - kirim,
        press_to_shown=shown - first_press,
        tally_edits=len(tally_edits),
        confirmed_shown=max((count for _, count in tally_edits), default=0),
    )


def describe(result: RunResult) -> str:
    """One line per run."""
    return (
        f"{result.rate:6.2f}/s (steady {result.steady_rate:6.2f}/s) over {result.seconds:6.1f} s, "
        f"429: {result.rejected_429}, delivered {result.delivered}/{result.officers}, "
        f"exactly once: {'yes' if result.exactly_once else 'NO'}, "
        f"Kirim to first copy {result.kirim_to_first_copy:.2f} s, first press to tally "
        f"{result.press_to_shown:.2f} s, {result.tally_edits} tally edits "
        f"(last shows {result.confirmed_shown} confirmed)"
    )


def report(results: list[RunResult]) -> None:
    """Prints the medians and the comparison with Telegram's limit."""
    worst_429 = max(r.rejected_429 for r in results)
    print_rates(results, "copies")
    print(f"  429 answers: {worst_429} (target 0): {'met' if worst_429 == 0 else 'MISSED'}")
    once = all(r.exactly_once for r in results)
    print(f"  every officer exactly one copy, in every run: {'yes' if once else 'NO'}")
    print(
        "  Kirim to first copy: "
        f"{statistics.median(r.kirim_to_first_copy for r in results):.2f} s; first press to "
        f"the tally showing it: {statistics.median(r.press_to_shown for r in results):.2f} s"
    )
    print(
        f"  tally edits: {statistics.median(r.tally_edits for r in results):g} over "
        f"{statistics.median(r.seconds for r in results):.0f} s"
    )


async def main() -> None:
    """Runs the benchmark and prints the figures."""
    parser = argparse.ArgumentParser(description="Arahan broadcast under flood limits.")
    parser.add_argument("--officers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--confirm", choices=("all", "first"), default="all")
    add_distance_arguments(parser)
    args = parser.parse_args()
    everyone = args.confirm == "all"
    await run_sets(args, partial(run_once, args.officers, everyone), describe, report)


if __name__ == "__main__":
    asyncio.run(main())
