"""Export: CSV and XLSX of 100,000 reports, time and peak memory (issue #8, benchmark 3).

    python -m benchmarks.export [--runs 3] [--reports 100000]

The export is what `/ekspor` runs in its worker thread:
`handlers.reading.workbook.build_export` (the CSV, then the XLSX workbook with its Laporan,
Petugas and Ringkasan Harian sheets) on the generated
database of 1,000,000 reports (`benchmarks/dataset.py`), for the most recent whole WITA days that
hold at least `--reports` reports. Each run is a fresh child process that imports the export code,
notes its resident memory, builds the files and reports its wall time and peak resident memory
(`VmHWM`), so the figure belongs to the export alone and not to the benchmark. Targets: under
15 s and under 150 MB peak, medians of the runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.dataset import WITA, Spec, ensure_dataset
from benchmarks.live import ROOT, vm_status
from handlers.reading import workbook as workbook_module
from handlers.reading.workbook import build_export
from storage.db import to_sql_time

TARGET_SECONDS, TARGET_MB = 15.0, 150.0


def megabytes(kib: float) -> float:
    """KiB (as the kernel counts memory) in MB, the unit of the target."""
    return kib * 1024 / 1e6


def day_range(db_path: Path, reports: int, today: date) -> tuple[date, date, int]:
    """The most recent whole days (ending yesterday) holding at least `reports` reports."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        last = today - timedelta(days=1)
        end = to_sql_time(datetime.combine(today, datetime.min.time(), WITA))
        first = last
        while True:
            start = to_sql_time(datetime.combine(first, datetime.min.time(), WITA))
            row = conn.execute(
                "SELECT COUNT(*) FROM reports WHERE created_at >= ? AND created_at < ?",
                (start, end),
            ).fetchone()
            if row[0] >= reports or row[0] == 0:
                return first, last, int(row[0])
            first -= timedelta(days=1)
    finally:
        conn.close()


# The sheets added after issue #8 (incidents, logistics, arahan), timed apart so that the
# figure on the sheets of issue #8 (Laporan, Petugas, Ringkasan Harian) stays comparable.
NEW_SHEETS = ("_incident_sheets", "_logistics_sheet", "write_arahan_sheets")


def child(db_path: Path, first: date, last: date) -> dict[str, Any]:
    """Runs in the child process: one export, measured."""
    before = vm_status(os.getpid())["VmRSS"]
    marks: dict[str, float] = {"new_sheets": 0.0}

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            marks.setdefault("csv_done", begun)  # the first sheet after the report rows
            try:
                return function(*args, **kwargs)
            finally:
                if name in NEW_SHEETS:
                    marks["new_sheets"] += time.perf_counter() - begun

        return wrapper

    originals = {name: getattr(workbook_module, name) for name in ("_members_sheet", *NEW_SHEETS)}
    for name, function in originals.items():
        setattr(workbook_module, name, timed(name, function))
    try:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
            started = time.perf_counter()
            files = build_export(db_path, first, last, WITA, Path(folder))
            seconds = time.perf_counter() - started
            sizes = {
                "csv": files.csv_path.stat().st_size,
                "xlsx": files.xlsx_path.stat().st_size,
            }
    finally:
        for name, function in originals.items():
            setattr(workbook_module, name, function)
    return {
        "seconds": seconds,
        "csv_seconds": marks["csv_done"] - started,
        "new_sheets": marks["new_sheets"],
        "cpu": time.process_time(),
        "reports": files.reports,
        # VmHWM, not ru_maxrss: Linux carries ru_maxrss over an exec from the forked parent,
        # so a benchmark that had just generated the dataset (400 MB) reported that.
        "peak_kib": vm_status(os.getpid())["VmHWM"],
        "before_kib": before,
        "sizes": sizes,
    }


def run_child(db_path: Path, first: date, last: date) -> dict[str, Any]:
    """One export in a fresh interpreter; returns its measurements."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "benchmarks.export",
            "--child",
            str(db_path),
            str(first),
            str(last),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Finds the day range and runs the measured exports."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--path", type=Path, help="database file (default: cached in /tmp)")
    parser.add_argument(
        "--child", nargs=3, metavar=("DB", "FIRST", "LAST"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        db, first_text, last_text = args.child
        result = child(Path(db), date.fromisoformat(first_text), date.fromisoformat(last_text))
        print(json.dumps(result))
        return
    db_path = ensure_dataset(Spec(), args.path)
    first, last, count = day_range(
        db_path, args.reports, datetime.now(UTC).astimezone(WITA).date()
    )
    print(f"export {first}..{last}: {count:,} reports, {args.runs} runs, each in a fresh process")
    print(f"load average before: {os.getloadavg()}")
    runs = [run_child(db_path, first, last) for _ in range(args.runs)]
    print(f"load average after: {os.getloadavg()}")
    seconds = statistics.median(r["seconds"] for r in runs)
    new_sheets = statistics.median(r["new_sheets"] for r in runs)
    csv_seconds = statistics.median(r["csv_seconds"] for r in runs)
    peak = megabytes(statistics.median(r["peak_kib"] for r in runs))
    before = megabytes(statistics.median(r["before_kib"] for r in runs))
    sizes = runs[-1]["sizes"]
    each = ", ".join(
        f"{r['seconds']:.1f} s ({r['new_sheets']:.1f} s new sheets, CPU {r['cpu']:.1f} s) / "
        f"{megabytes(r['peak_kib']):.0f} MB"
        for r in runs
    )
    print(f"runs: {each}")
    print(
        f"files: CSV {sizes['csv'] / 1e6:.1f} MB, XLSX {sizes['xlsx'] / 1e6:.1f} MB; "
        f"resident before the export (interpreter and code) {before:.0f} MB"
    )
    issue8 = seconds - new_sheets
    print(
        f"time, every sheet {seconds:6.1f} s (the CSV complete after {csv_seconds:.1f} s); "
        f"the sheets added since issue #8 {new_sheets:.1f} s"
    )
    print(
        f"time on the sheets of issue #8 {issue8:6.1f} s    target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if issue8 < TARGET_SECONDS else 'MISSED'}"
    )
    print(
        f"peak RSS  {peak:6.1f} MB   target < {TARGET_MB:.0f} MB: "
        f"{'met' if peak < TARGET_MB else 'MISSED'}"
    )


if __name__ == "__main__":
    main()
