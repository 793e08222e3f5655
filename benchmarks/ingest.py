"""Ingest: quick /lapor from 50 officers through the full stack, next to a bare echo bot.

    python -m benchmarks.ingest [--reports 1000] [--runs 3] [--kinds echo posko-unlimited]
        [--latency MS [MS ...]] [--jitter MS] [--flood]

The bots run as real processes against the same emulator in the same run, interleaved; printed
are the medians of the runs: throughput (reports, or echoes, per second from the first update to
the last answer), p50/p99 latency from an update becoming available to its answer, and the CPU
time per update of the bot process and of the emulator.

At a distance: `--latency 0 100 300` runs every kind with each Bot API call taking that many
milliseconds (the emulator's latency, half each way, each leg up to `--jitter` ms longer), and
`--flood` turns on Telegram's flood limits (30 a second overall, 20 a minute per group; not the
emulator's optional 1 a second per private chat: each officer's reports are answered in a burst,
which Telegram tolerates) and counts the 429 answers. E.g. receipts of Posko as deployed, Telegram
300 ms away: `--kinds posko --reports 300 --latency 300 --jitter 20 --flood`.

Profiling: BENCH_PYARGS is put between the interpreter and the bot's script, e.g.
BENCH_PYARGS="-m cProfile -o /tmp/profile.{kind}"; BENCH_PYSPY=/tmp/spy samples each bot with
py-spy (when installed) into /tmp/spy.<kind>.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.distance import add_distance_arguments, distances
from domain.enums import Role
from domain.members import RosterRow
from emulator.server import FakeTelegram, FloodLimits
from storage.db import Database
from storage.members import MemberRepo

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)
OFFICERS = 50
KINDS = {
    "echo": ["-m", "benchmarks.echo_bot"],  # the baseline of the target
    "posko": [str(ROOT / "main.py")],
    "posko-unlimited": ["-m", "benchmarks.posko_unlimited"],
    "echo-limited": ["-m", "benchmarks.echo_bot", "--limited"],
    "echo-concurrent": ["-m", "benchmarks.echo_bot", "--concurrent"],
}
PYARGS = os.environ.get("BENCH_PYARGS", "").split()
PYSPY = os.environ.get("BENCH_PYSPY")


@dataclass(frozen=True)
class Run:
    """The figures of one run."""

    rate: float  # answers per second, first update to last answer
    p50: float  # milliseconds
    p99: float
    bot_cpu: float  # CPU milliseconds the bot process spent per update
    emulator_cpu: float  # CPU milliseconds this process (emulator and driver) spent per update
    rejected_429: int = 0  # flood-limit answers (with --flood)
    in_order: bool = True  # every officer's receipts in the order of their reports


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_once(
    kind: str, reports: int, latency: float = 0.0, jitter: float = 0.0, flood: bool = False
) -> Run:
    """One run of `kind` (a key of KINDS), Telegram `latency` seconds away."""
    fake = FakeTelegram(latency=latency, jitter=jitter)
    if flood:
        fake.enable_flood_limits(FloodLimits())
    await fake.start()
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    db_path = folder / "posko.db"
    users = [fake.add_user(5000 + i, f"P{i}") for i in range(OFFICERS)]
    if kind.startswith("posko"):
        db = await Database.open(db_path)
        for i in range(OFFICERS):
            await MemberRepo(db).save(
                RosterRow(5000 + i, Role.CAMAT, "Bengalon", f"P{i}"), NOW, None
            )
        await db.close()
    script = [a.replace("{kind}", kind) for a in PYARGS] + KINDS[kind]
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DASHBOARD_PORT": "0",  # any free port, never 8080
        "DATABASE_PATH": str(db_path),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(sys.executable, *script, cwd=folder, env=env)
    sampler = None
    if PYSPY:
        sampler = await asyncio.create_subprocess_exec(
            "py-spy",
            "record",
            "-p",
            str(process.pid),
            "-f",
            "raw",
            "-o",
            f"{PYSPY}.{kind}",
            "--threads",
            "-r",
            "200",
        )
    pushed: dict[tuple[int, int], float] = {}
    answered: dict[tuple[int, int], float] = {}
    order: dict[int, list[int]] = {}

    def on_call(method: str, params: dict[str, Any]) -> None:
        reply = params.get("reply_parameters")
        if method == "sendMessage" and isinstance(reply, dict):
            key = (int(params["chat_id"]), int(reply["message_id"]))
            if key not in answered:
                answered[key] = time.perf_counter()
                order.setdefault(key[0], []).append(key[1])

    fake.observers.append(on_call)
    try:
        warm = users[0]
        await warm.send("/lapor aman", wait=False)
        await fake.wait_until(lambda: len(answered) == 1, timeout=60)
        answered.clear()
        order.clear()
        bot_cpu, own_cpu = cpu_seconds(process.pid), time.process_time()
        started = time.perf_counter()
        for i in range(reports):
            user = users[i % OFFICERS]
            update = await user.send(
                "/lapor aman" if i % 2 else "/lapor waspada kerumunan", wait=False
            )
            pushed[(user.id, update["message"]["message_id"])] = time.perf_counter()
        await fake.wait_until(lambda: len(answered) >= reports, timeout=600)
        elapsed = max(answered.values()) - started
        bot_cpu = cpu_seconds(process.pid) - bot_cpu
        own_cpu = time.process_time() - own_cpu
    finally:
        if sampler is not None:
            sampler.send_signal(signal.SIGINT)
            await sampler.wait()
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await fake.stop()
        shutil.rmtree(folder, ignore_errors=True)
    latencies = sorted((answered[key] - pushed[key]) * 1000 for key in pushed)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    sent_order: dict[int, list[int]] = {}
    for chat_id, message_id in pushed:  # insertion order: the order they were sent
        sent_order.setdefault(chat_id, []).append(message_id)
    return Run(
        reports / elapsed,
        statistics.median(latencies),
        p99,
        bot_cpu * 1000 / reports,
        own_cpu * 1000 / reports,
        fake.rejected_429,
        all(order.get(chat) == ids for chat, ids in sent_order.items()),
    )


async def main() -> None:
    """Runs the comparison and prints the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(KINDS))
    add_distance_arguments(parser)
    parser.add_argument("--flood", action="store_true", help="Telegram's flood limits on")
    args = parser.parse_args()
    flood = "on" if args.flood else "off"
    heading = f", flood limits {flood}, {args.reports} reports from {OFFICERS} officers"
    for latency, jitter in distances(args, heading):
        results: dict[str, list[Run]] = {kind: [] for kind in args.kinds}
        for _ in range(args.runs):
            for kind in results:  # interleaved, so machine noise hits all alike
                results[kind].append(
                    await run_once(kind, args.reports, latency, jitter, args.flood)
                )
        report(results)
    print(f"load average after: {os.getloadavg()}")


def report(results: dict[str, list[Run]]) -> None:
    """Prints the medians of each kind, and each kind's ratio to the bare echo bot."""
    print(
        f"{'bot':16s} {'msg/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'bot CPU':>8s} {'emu CPU':>8s}"
        f" {'429':>4s} {'order':>5s}"
    )
    for kind, runs in results.items():
        figures = [
            statistics.median(getattr(r, f) for r in runs)
            for f in ("rate", "p50", "p99", "bot_cpu", "emulator_cpu")
        ]
        rates = [f"{r.rate:.1f}" for r in runs]
        cpus = [f"{r.bot_cpu:.2f}" for r in runs]
        rejected = max(r.rejected_429 for r in runs)
        in_order = "yes" if all(r.in_order for r in runs) else "NO"
        print(
            f"{kind:16s} {figures[0]:8.1f} {figures[1]:8.0f} {figures[2]:8.0f} "
            f"{figures[3]:6.2f}ms {figures[4]:6.2f}ms {rejected:4d} {in_order:>5s}"
            f"  (runs: {', '.join(rates)}; bot CPU {', '.join(cpus)} ms)"
        )
    if "echo" not in results:
        return
    echo = statistics.median(r.rate for r in results["echo"])
    for kind in (kind for kind in results if kind != "echo"):
        ratio = statistics.median(r.rate for r in results[kind]) / echo
        print(f"{kind} / echo throughput: {ratio:.2f} (target >= 0.85)")


if __name__ == "__main__":
    asyncio.run(main())
