"""The benchmark code at a tiny scale, so it cannot rot (the real runs are not tests)."""

import os
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from benchmarks.dataset import WITA, Spec, ensure_dataset
from benchmarks.export import child, day_range
from benchmarks.footprint import active_officer, run_once
from benchmarks.queries import commands_for, function_level
from storage.db import load_migrations

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
SPEC = Spec(reports=400, members=60, days=3)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    """A tiny generated database."""
    return ensure_dataset(SPEC, tmp_path / "bench.db", NOW)


def test_the_dataset_is_the_real_schema_with_the_rows_asked_for(dataset: Path) -> None:
    conn = sqlite3.connect(dataset)
    try:
        assert conn.execute("PRAGMA user_version").fetchone() == (len(load_migrations()),)
        assert conn.execute("SELECT COUNT(*) FROM reports").fetchone() == (400,)
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone() == (60,)
        texts = conn.execute("SELECT COUNT(*) FROM reports WHERE text != ''").fetchone()[0]
        corrected = conn.execute(
            "SELECT COUNT(*) FROM reports r WHERE text = '' AND EXISTS "
            "(SELECT 1 FROM corrections c WHERE c.report_id = r.id)"
        ).fetchone()[0]
        indexed = conn.execute("SELECT COUNT(*) FROM search_index").fetchone()[0]
        assert indexed == texts + corrected > 0  # filled by the product's triggers
        notable = conn.execute("SELECT COUNT(*) FROM reports WHERE level >= 1").fetchone()[0]
        assert conn.execute("SELECT COUNT(*) FROM incidents").fetchone() == (notable,)
        assert notable > 0, "the upgrade derived an incident from every Waspada+ report"
        newest = conn.execute("SELECT MAX(created_at) FROM reports").fetchone()[0]
        assert newest <= NOW.strftime("%Y-%m-%d %H:%M:%S")
    finally:
        conn.close()


def test_a_cached_dataset_is_reused(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ensure_dataset(SPEC, dataset, NOW) == dataset
    assert "cached" in capsys.readouterr().out


async def test_the_query_benchmark_runs(dataset: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commands = commands_for(dataset)
    await function_level(dataset, commands, runs=1, profile=False)
    out = capsys.readouterr().out
    for command in commands[1:]:
        assert command in out


def test_the_export_benchmark_runs(dataset: Path) -> None:
    today = NOW.astimezone(WITA).date()
    first, last, count = day_range(dataset, 50, today)
    assert first <= last == today - timedelta(days=1)
    result = child(dataset, first, last)
    assert result["reports"] == count >= 50
    assert result["peak_kib"] > 0
    assert 0 < result["csv_seconds"] <= result["seconds"]
    assert 0 <= result["new_sheets"] <= result["seconds"]


async def test_the_footprint_benchmark_runs(dataset: Path) -> None:
    run = await run_once(dataset, active_officer(dataset), cold=True, idle=0.2)
    assert 0 < run.first_call <= run.polling < run.startup
    assert run.rss_kib > 0
    assert run.menus > 0, "a fresh database has never published its menus"


def run_benchmark(module: str, *args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """`python -m benchmarks.<module> ...` from the project folder, as BENCHMARKS.md runs it."""
    return subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *args],
        cwd=ROOT,
        env={**os.environ, "POSKO_BENCH_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=50,
        check=False,
    )


@pytest.mark.parametrize(
    ("module", "args"),
    [
        ("queries", ("--skip-e2e", "--runs", "1")),
        ("footprint", ("--runs", "1", "--idle", "0.2")),
        ("dashboard", ("--runs", "1", "--screens", "3", "--window", "1", "--rounds", "1")),
    ],
)
def test_a_benchmark_generates_its_dataset_when_not_cached(
    tmp_path: Path, module: str, args: tuple[str, ...]
) -> None:
    """From a fresh clone nothing is cached: the command generates the database, then measures."""
    tiny = ("--reports", "400", "--members", "60", "--days", "3")
    path = tmp_path / "fresh" / "bench.db"
    result = run_benchmark(module, *args, *tiny, "--path", str(path), cache=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "dataset: generated 400 reports, 60 members over 3 days" in result.stdout
    assert path.exists()
    assert "target" in result.stdout  # it went on to measure and report


def test_every_command_in_benchmarks_md_exists_with_its_options(tmp_path: Path) -> None:
    text = (ROOT / "BENCHMARKS.md").read_text("utf-8")
    commands = re.findall(r"`\.venv/bin/python -m benchmarks\.(\w+)((?: \[[^`]*\])*)`", text)
    assert {name for name, _ in commands} >= {
        "ingest",
        "queries",
        "export",
        "broadcast",
        "footprint",
        "dataset",
    }
    for name, options in commands:
        result = run_benchmark(name, "--help", cache=tmp_path)
        assert result.returncode == 0, result.stderr[-3000:]
        for option in re.findall(r"--[a-z-]+", options):
            assert option in result.stdout, f"benchmarks.{name} has no {option}"
