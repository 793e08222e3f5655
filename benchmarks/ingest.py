"""Ingest: quick /lapor from 50 officers through the full stack, next to a bare echo bot.

    python -m benchmarks.ingest [--reports 1000] [--runs 3]

Both bots run as real processes against the same emulator in the same run; reported are the
medians of the runs: throughput (reports, or echoes, per second from the first update to the last
answer) and p50/p99 latency from an update becoming available to its answer.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.domain import Role
from emulator.server import FakeTelegram
from storage.db import Database
from storage.members import MemberRepo, RosterRow

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.now(UTC)
OFFICERS = 50


async def run_once(kind: str, reports: int) -> tuple[float, float, float]:
    """One run of `kind` ("posko" or "echo"): (per second, p50 ms, p99 ms)."""
    fake = FakeTelegram()
    await fake.start()
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    db_path = folder / "posko.db"
    users = [fake.add_user(5000 + i, f"P{i}") for i in range(OFFICERS)]
    if kind != "echo":
        db = await Database.open(db_path)
        for i in range(OFFICERS):
            await MemberRepo(db).save(
                RosterRow(5000 + i, Role.CAMAT, "Bengalon", f"P{i}"), NOW, None
            )
        await db.close()
    script = {
        "posko": [str(ROOT / "main.py")],
        "posko-unlimited": ["-m", "benchmarks.posko_unlimited"],
        "echo": ["-m", "benchmarks.echo_bot"],
    }[kind]
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(db_path),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    process = await asyncio.create_subprocess_exec(sys.executable, *script, cwd=folder, env=env)
    pushed: dict[tuple[int, int], float] = {}
    answered: dict[tuple[int, int], float] = {}

    def on_call(method: str, params: dict[str, Any]) -> None:
        reply = params.get("reply_parameters")
        if method == "sendMessage" and isinstance(reply, dict):
            answered.setdefault(
                (int(params["chat_id"]), int(reply["message_id"])), time.perf_counter()
            )

    fake.observers.append(on_call)
    try:
        warm = users[0]
        await warm.send("halo" if kind == "echo" else "/lapor aman", wait=False)
        await fake.wait_until(lambda: len(answered) == 1, timeout=60)
        answered.clear()
        started = time.perf_counter()
        for i in range(reports):
            user = users[i % OFFICERS]
            update = await user.send(
                "/lapor aman" if i % 2 else "/lapor waspada kerumunan", wait=False
            )
            pushed[(user.id, update["message"]["message_id"])] = time.perf_counter()
        await fake.wait_until(lambda: len(answered) >= reports, timeout=600)
        elapsed = max(answered.values()) - started
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
        await fake.stop()
    latencies = sorted((answered[key] - pushed[key]) * 1000 for key in pushed)
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    return reports / elapsed, statistics.median(latencies), p99


async def main() -> None:
    """Runs the comparison and prints the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[tuple[float, float, float]]] = {
        "echo": [],
        "posko": [],
        "posko-unlimited": [],
    }
    for _ in range(args.runs):
        for kind in results:  # interleaved, so machine noise hits all alike
            results[kind].append(await run_once(kind, args.reports))
    for kind, runs in results.items():
        rate = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p99 = statistics.median(r[2] for r in runs)
        print(
            f"{kind:6s} {rate:8.1f} msg/s   p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   "
            f"(runs: {', '.join(f'{r[0]:.1f}' for r in runs)})"
        )
    echo = statistics.median(r[0] for r in results["echo"])
    for kind in ("posko", "posko-unlimited"):
        ratio = statistics.median(r[0] for r in results[kind]) / echo
        print(f"{kind} / echo throughput: {ratio:.2f} (target >= 0.85)")


if __name__ == "__main__":
    asyncio.run(main())
