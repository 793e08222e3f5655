from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.digest import (
    DigestSnapshot,
    build_snapshot,
    day_bounds,
    render_digest,
    split_messages,
)
from bot.domain import Level, Role
from bot.regions import Region, load_region
from bot.texts import utf16_len
from storage.reports import GroupCount
from tests.fakebot.html import parse_html

WITA = ZoneInfo("Asia/Makassar")
DAY = date(2024, 11, 27)


def snapshot_at(
    hour: int, counts: list[GroupCount], region: Region | None = None
) -> DigestSnapshot:
    start, _ = day_bounds(DAY, WITA)
    return build_snapshot(region or load_region(), counts, start, start + timedelta(hours=hour))


def test_day_bounds_are_wita_midnights() -> None:
    start, end = day_bounds(DAY, WITA)
    assert start.astimezone(UTC) == datetime(2024, 11, 26, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_snapshot_latest_level_is_the_newest_report_not_the_worst() -> None:
    snapshot = snapshot_at(
        19,
        [
            GroupCount("Bengalon", Role.KAPOLSEK, Level.DARURAT, 2, last_number=5),
            GroupCount("Bengalon", Role.CAMAT, Level.WASPADA, 1, last_number=9),
            GroupCount("Busang", Role.DANRAMIL, Level.AMAN, 3, last_number=7),
        ],
    )
    bengalon = next(k for k in snapshot.kecamatan if k.name == "Bengalon")
    assert bengalon.count == 3
    assert bengalon.latest is Level.WASPADA
    assert bengalon.roles == {Role.KAPOLSEK, Role.CAMAT}
    assert snapshot.total == 6
    assert snapshot.totals == {
        Level.AMAN: 3,
        Level.WASPADA: 1,
        Level.RAWAN: 0,
        Level.DARURAT: 2,
    }
    assert len(snapshot.silent) == 16


def test_render_shows_totals_roles_and_who_has_not_reported() -> None:
    snapshot = snapshot_at(
        19,
        [
            GroupCount("Busang", Role.DANRAMIL, Level.AMAN, 1, last_number=1),
            GroupCount("Bengalon", Role.KAPOLSEK, Level.RAWAN, 2, last_number=3),
            GroupCount("Bengalon", Role.CAMAT, Level.AMAN, 1, last_number=2),
        ],
    )
    [message] = render_digest(snapshot)
    text = parse_html(message)
    assert "Kabupaten Kutai Timur" in text
    assert "Rabu, 27 November 2024" in text
    assert "Periode: 00:00–19:00 WITA" in text
    assert "Total laporan: 4" in text
    assert "🟢 Aman 2 · 🟡 Waspada 0 · 🟠 Rawan 2 · 🔴 Darurat 0" in text
    assert "Kecamatan melapor: 2 dari 18" in text
    lines = text.splitlines()
    bengalon = lines.index("🟠 Bengalon — 3 laporan · C✅ K✅ D❌")
    busang = lines.index("🟢 Busang — 1 laporan · C❌ K❌ D✅")
    assert bengalon < busang, "worst level first"
    assert "Belum lapor (16)" in text
    assert "Batu Ampar, Kaliorang," in text


def test_render_whole_past_day_and_all_reported() -> None:
    region = Region("Kabupaten Uji", ("Satu",))
    start, end = day_bounds(DAY, WITA)
    snapshot = build_snapshot(
        region, [GroupCount("Satu", Role.CAMAT, Level.AMAN, 1, 1)], start, end
    )
    text = parse_html(render_digest(snapshot)[0])
    assert "Periode: 00:00–24:00 WITA" in text
    assert "Semua kecamatan sudah melapor" in text
    assert "Belum lapor" not in text


def test_render_marks_a_late_digest() -> None:
    start, _ = day_bounds(DAY, WITA)
    slot = start + timedelta(hours=7)
    snapshot = build_snapshot(load_region(), [], start, slot, late_slot=slot)
    assert "Terlambat — jadwal 07:00 WITA" in parse_html(render_digest(snapshot)[0])


def test_names_are_escaped() -> None:
    region = Region("Kab <Uji> & Co", ("A<b>", "B & C"))
    snapshot = snapshot_at(12, [GroupCount("A<b>", Role.CAMAT, Level.RAWAN, 1, 1)], region)
    text = parse_html(render_digest(snapshot)[0])
    assert "Kab <Uji> & Co" in text
    assert "🟠 A<b> — 1 laporan" in text
    assert "B & C" in text


@pytest.mark.parametrize("limit", [300, 1000, 4096])
def test_long_digest_is_split_at_kecamatan_lines(limit: int) -> None:
    names = tuple(f"Kecamatan {i:03d} " + "Panjang<&>Sekali " * 5 for i in range(120))
    region = Region("Kabupaten Besar", names)
    counts = [
        GroupCount(name, Role(("camat", "kapolsek", "danramil")[i % 3]), Level(i % 4), i + 1, i)
        for i, name in enumerate(names[:100])
    ]
    messages = render_digest(snapshot_at(19, counts, region), limit=limit)
    assert len(messages) > 1
    plain = [parse_html(m) for m in messages]  # each part is valid HTML on its own
    assert all(utf16_len(m) <= limit for m in messages)
    for i, text in enumerate(plain, 1):
        assert text.endswith(f"({i}/{len(messages)})")
    joined = "\n".join(plain)
    for name in names[:100]:
        lines = [line for line in joined.splitlines() if name.strip() in line]
        assert len(lines) == 1, "every kecamatan line appears once, never cut"
        assert "laporan ·" in lines[0]


def test_split_keeps_blocks_whole_and_numbers_parts() -> None:
    blocks = ["a" * 40, "b" * 40, "c" * 40]
    assert split_messages(blocks, limit=200) == ["\n".join(blocks)]
    parts = split_messages(blocks, limit=80)
    assert parts == ["a" * 40 + "\n(1/3)", "b" * 40 + "\n(2/3)", "c" * 40 + "\n(3/3)"]


def test_split_counts_utf16_units() -> None:
    emoji = "🟢" * 30  # 60 UTF-16 units
    parts = split_messages([emoji, emoji], limit=100)
    assert len(parts) == 2
