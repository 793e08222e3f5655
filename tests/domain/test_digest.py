from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.regions import load_region
from bot.texts import render_digest, split_messages
from domain.digest import DigestSnapshot, OfficerStatus, build_snapshot, day_bounds
from domain.enums import Level, Role
from domain.incidents import Incident, IncidentBrief, IncidentState
from domain.parsing import utf16_len
from domain.regions import Region
from domain.reports import GroupCount
from emulator.html import parse_html

WITA = ZoneInfo("Asia/Makassar")
DAY = date(2024, 11, 27)
START, _ = day_bounds(DAY, WITA)
C, K, D = Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL


def snapshot_at(hour: int, counts: list[GroupCount], region: Region | None = None,
                **extra: object) -> DigestSnapshot:  # fmt: skip
    return build_snapshot(
        region or load_region(),
        counts,
        START,
        START + timedelta(hours=hour),
        **extra,  # type: ignore[arg-type]
    )


def text_of(snapshot: DigestSnapshot) -> str:
    return "\n".join(parse_html(part) for part in render_digest(snapshot))


def section(text: str, title: str) -> list[str]:
    """The lines of one section (up to the next blank line)."""
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i]), len(lines))
    return lines[start:end]


def test_day_bounds_are_wita_midnights() -> None:
    start, end = day_bounds(DAY, WITA)
    assert start.astimezone(UTC) == datetime(2024, 11, 26, 16, 0, tzinfo=UTC)
    assert end - start == timedelta(days=1)


def test_snapshot_condition_is_the_worst_open_incident() -> None:
    counts = [
        GroupCount("Bengalon", K, Level.RAWAN, 2, last_number=5),
        GroupCount("Bengalon", C, Level.WASPADA, 1, last_number=9),
        GroupCount("Busang", D, Level.AMAN, 3, last_number=7),
    ]
    snapshot = snapshot_at(19, counts, open_levels={"Bengalon": Level.RAWAN})
    bengalon = next(k for k in snapshot.kecamatan if k.name == "Bengalon")
    assert (bengalon.count, bengalon.latest, bengalon.roles) == (3, Level.RAWAN,
                                                                 frozenset({K, C}))  # fmt: skip
    assert snapshot.total == 6
    assert snapshot.totals == {Level.AMAN: 3, Level.WASPADA: 1, Level.RAWAN: 2,
                               Level.DARURAT: 0}  # fmt: skip
    assert len(snapshot.silent) == 16


def test_snapshot_without_open_incidents_shows_the_latest_unresolved_level() -> None:
    counts = [
        GroupCount("Bengalon", K, Level.RAWAN, 1, last_number=5),  # its incident is resolved
        GroupCount("Bengalon", C, Level.AMAN, 1, last_number=3),
        GroupCount("Busang", D, Level.WASPADA, 1, last_number=7),  # resolved, nothing else
    ]
    snapshot = snapshot_at(19, counts)
    by_name = {k.name: k.latest for k in snapshot.kecamatan}
    assert (by_name["Bengalon"], by_name["Busang"], by_name["Telen"]) == (
        Level.AMAN, Level.AMAN, None)  # fmt: skip


def test_open_incident_of_an_earlier_day_counts_without_reports_today() -> None:
    snapshot = snapshot_at(19, [], open_levels={"Telen": Level.DARURAT})
    telen = next(k for k in snapshot.kecamatan if k.name == "Telen")
    assert (telen.count, telen.latest) == (0, Level.DARURAT)


def test_header_opens_with_the_count_of_kecamatan_per_condition() -> None:
    text = text_of(snapshot_at(19, [GroupCount("Busang", D, Level.AMAN, 1, 1),
                                    GroupCount("Bengalon", K, Level.RAWAN, 2, 3)],
                               open_levels={"Bengalon": Level.RAWAN},
                               officers=[OfficerStatus("Ani", D, "Busang", Level.AMAN),
                                         OfficerStatus("Eko", C, "Busang", None)]))  # fmt: skip
    assert text.splitlines()[:6] == [
        "📋 Rekap Kondisi Wilayah · Kabupaten Kutai Timur",
        "Rabu, 27 November 2024 · 00.00–19.00 WITA",
        "",
        "🔴 0 · 🟠 1 · 🟡 0 · 🟢 1 · ⚪ 16 belum lapor",
        "3 laporan · 1 dari 2 petugas melapor",
        "",
    ]


def test_only_kecamatan_that_are_not_aman_are_listed_in_detail() -> None:
    text = text_of(snapshot_at(19, [
        GroupCount("Busang", D, Level.AMAN, 1, 1),
        GroupCount("Telen", C, Level.DARURAT, 1, 2),
        GroupCount("Bengalon", K, Level.WASPADA, 2, 3),
        GroupCount("Kaliorang", K, Level.AMAN, 1, 4),
    ], open_levels={"Telen": Level.DARURAT, "Bengalon": Level.WASPADA}))  # fmt: skip
    assert section(text, "Kondisi kecamatan") == [
        "🔴 Telen — Darurat (1 laporan)",
        "🟡 Bengalon — Waspada (2 laporan)",
        "🟢 Aman: Busang, Kaliorang",
    ]


def test_belum_lapor_is_shown_once_with_silent_kecamatan_marked() -> None:
    officers = [
        OfficerStatus("Budi", C, "Bengalon", Level.AMAN),
        OfficerStatus("Joko", D, "Bengalon", None),
        OfficerStatus("Sri", K, "Busang", None),
    ]
    text = text_of(snapshot_at(19, [GroupCount("Bengalon", C, Level.AMAN, 1, 1)],
                               officers=officers))  # fmt: skip
    silent = section(text, "🕓 Belum lapor")
    assert silent[:3] == [
        "⚪ Batu Ampar: (belum ada petugas terdaftar)",
        "Bengalon: Danramil Joko",
        "⚪ Busang: Kapolsek Sri",
    ]
    assert len(silent) == 18  # 17 silent kecamatan, and Bengalon misses one officer
    assert "Cakupan" not in text
    assert text.count("Joko") == 1


def test_disagreement_names_who_said_what() -> None:
    officers = [
        OfficerStatus("Budi", C, "Bengalon", Level.AMAN),
        OfficerStatus("Agus", K, "Bengalon", Level.RAWAN),
        OfficerStatus("Joko", D, "Bengalon", None),
        OfficerStatus("Ani", C, "Busang", Level.AMAN),
        OfficerStatus("Eko", K, "Busang", Level.WASPADA),  # one step: not a disagreement
    ]
    counts = [
        GroupCount("Bengalon", C, Level.AMAN, 1, 1),
        GroupCount("Bengalon", K, Level.RAWAN, 1, 2),
    ]
    text = text_of(snapshot_at(19, counts, officers=officers))
    assert section(text, "⚠️ Perbedaan penilaian") == [
        "Bengalon: Camat Budi 🟢 Aman · Kapolsek Agus 🟠 Rawan"
    ]
    assert section(text, "🕓 Belum lapor")[1] == "Bengalon: Danramil Joko"


def test_crowded_kecamatan_are_counted_not_listed() -> None:
    levels = [Level.AMAN] * 5 + [Level.DARURAT] * 2
    officers = [OfficerStatus(f"P{i}", K, "Bengalon", level) for i, level in enumerate(levels)] + [
        OfficerStatus(f"S{i:02}", C, "Busang", None) for i in range(40)
    ]
    text = text_of(snapshot_at(19, [], officers=officers))
    assert section(text, "⚠️ Perbedaan penilaian") == [
        "Bengalon: 🟢 Aman 5 petugas · 🔴 Darurat 2 petugas"
    ]
    silent = [line for line in section(text, "🕓 Belum lapor") if "Busang" in line]
    assert silent == [
        "⚪ Busang: 40 petugas — Camat S00, Camat S01, Camat S02, Camat S03, Camat S04, "
        "Camat S05, dan 34 lainnya"
    ]


def incident(number: int, kecamatan: str, level: Level, opened_hour: float,
             state: IncidentState = IncidentState.BARU, **extra: object) -> Incident:  # fmt: skip
    opened = START + timedelta(hours=opened_hour)
    return Incident(number, kecamatan, level, "logistik", 1, state, opened, opened,
                    **extra)  # type: ignore[arg-type]  # fmt: skip


def test_open_incidents_worst_then_oldest_with_age_state_and_staleness() -> None:
    open_now = [
        IncidentBrief(incident(7, "Telen", Level.DARURAT, 17), "Kotak <suara> & surat suara "
                      "terbakar di gudang 🔥 " + "kata " * 20),
        IncidentBrief(incident(3, "Busang", Level.WASPADA, 2,
                               IncidentState.DITANGANI), "isu hoaks"),
        IncidentBrief(incident(5, "Bengalon", Level.RAWAN, 16, IncidentState.DITANGANI,
                               last_update_at=START + timedelta(hours=18)), "massa bubar"),
    ]  # fmt: skip
    text = text_of(snapshot_at(19, [], incidents=open_now, incidents_total=20))
    assert section(text, "🚨 Insiden terbuka (20)") == [
        "#7 🔴 Telen · Logistik Pilkada · 2 jam · 🆕 Baru, belum diterima",
        "    Kotak <suara> & surat suara terbakar di gudang 🔥 kata …",
        "#3 🟡 Busang · Logistik Pilkada · 17 jam · 👁 Ditangani · 💤 17 jam tanpa perkembangan",
        "    isu hoaks",
        "#5 🟠 Bengalon · Logistik Pilkada · 3 jam · 👁 Ditangani",
        "    massa bubar",
        "… dan 17 insiden lain. Daftar lengkap: /insiden",
    ]


def test_incidents_resolved_since_the_previous_digest_with_time_to_resolve() -> None:
    closed = incident(9, "Kaliorang", Level.RAWAN, 8, IncidentState.SELESAI,
                      closed_at=START + timedelta(hours=10, minutes=5), closed_by=1,
                      closing_note="Massa sudah <bubar>")  # fmt: skip
    previous = START - timedelta(hours=5)  # yesterday's 19:00 digest
    text = text_of(snapshot_at(12, [], resolved=[IncidentBrief(closed, "blokade")],
                               resolved_since=previous))  # fmt: skip
    assert section(text, "✅ Selesai sejak rekap kemarin 19.00 WITA (1)") == [
        "#9 🟠 Kaliorang · Logistik Pilkada · selesai dalam 2 jam 5 menit: Massa sudah <bubar>"
    ]
    quiet = text_of(snapshot_at(12, []))
    assert "Insiden terbuka" not in quiet
    assert "Selesai sejak" not in quiet


def test_a_normal_day_of_54_officers_fits_in_one_message() -> None:
    """18 kecamatan, three officers each; two incidents open, one resolved, a few silent."""
    region = load_region()
    counts, officers = [], []
    for i, name in enumerate(region.kecamatan):
        for j, role in enumerate((C, K, D)):
            silent = (i + j) % 9 == 0
            level = Level.WASPADA if (i, j) == (3, 1) else Level.AMAN
            if not silent:
                counts.append(GroupCount(name, role, level, 2, i * 3 + j))
            officers.append(OfficerStatus(f"Nama Petugas {i}-{j}", role, name,
                                          None if silent else level))  # fmt: skip
    open_now = [
        IncidentBrief(incident(40, region.kecamatan[3], Level.WASPADA, 9), "isu hoaks " * 8),
        IncidentBrief(incident(41, region.kecamatan[5], Level.RAWAN, 11), "massa " * 12),
    ]
    closed = incident(30, region.kecamatan[7], Level.RAWAN, 6, IncidentState.SELESAI,
                      closed_at=START + timedelta(hours=9), closed_by=1,
                      closing_note="situasi kondusif, massa sudah membubarkan diri")  # fmt: skip
    snapshot = build_snapshot(
        region, counts, START, START + timedelta(hours=19), officers=officers,
        incidents=open_now, resolved=[IncidentBrief(closed, "blokade jalan")],
        open_levels={region.kecamatan[3]: Level.WASPADA, region.kecamatan[5]: Level.RAWAN},
    )  # fmt: skip
    parts = render_digest(snapshot)
    assert len(parts) == 1
    assert utf16_len(parts[0]) <= 4096


def test_whole_past_day_and_all_reported() -> None:
    region = Region("Kabupaten Uji", ("Satu",))
    start, end = day_bounds(DAY, WITA)
    snapshot = build_snapshot(region, [GroupCount("Satu", C, Level.AMAN, 1, 1)], start, end,
                              officers=[OfficerStatus("A", C, "Satu", Level.AMAN)])  # fmt: skip
    text = text_of(snapshot)
    assert "Rabu, 27 November 2024 · 00.00–24.00 WITA" in text.splitlines()
    assert "Semua kecamatan dan petugas sudah melapor" in text
    assert "Belum lapor" not in text


def test_a_late_digest_is_marked() -> None:
    slot = START + timedelta(hours=7)
    snapshot = build_snapshot(load_region(), [], START, slot, late_slot=slot)
    assert "⏰ Terlambat — jadwal 07.00 WITA" in text_of(snapshot)


def test_names_and_texts_are_escaped() -> None:
    region = Region("Kab <Uji> & Co", ("A<b>", "B & C"))
    snapshot = snapshot_at(12, [GroupCount("A<b>", C, Level.RAWAN, 1, 1)], region,
                           open_levels={"A<b>": Level.RAWAN},
                           officers=[OfficerStatus("<i>x</i>", K, "B & C", None)])  # fmt: skip
    text = text_of(snapshot)
    assert "Kab <Uji> & Co" in text
    assert "🟠 A<b> — Rawan (1 laporan)" in text
    assert "B & C: Kapolsek <i>x</i>" in text


def kutai_timur_day() -> DigestSnapshot:
    """All 18 kecamatan, long names, three officers each, notable texts full of < & emoji."""
    names = tuple(f"{name} <Daerah & Perbatasan> 🌴" for name in load_region().kecamatan)
    region = Region("Kabupaten Kutai Timur", names)
    counts, officers, open_now = [], [], []
    for i, name in enumerate(names):
        for j, role in enumerate((C, K, D)):
            level = Level((i + j) % 4)
            counts.append(GroupCount(name, role, level, 3, i * 3 + j))
            officers.append(OfficerStatus(f"Petugas {role.value} {i} <&>", role, name,
                                          level if j else None))  # fmt: skip
            open_now.append(IncidentBrief(incident(i * 3 + j, name, Level.DARURAT, 1),
                                          "<b>bentrok</b> & 🔥 " * 30))  # fmt: skip
    return build_snapshot(region, counts, START, START + timedelta(hours=19), officers=officers,
                          incidents=open_now[:15], incidents_total=len(open_now),
                          open_levels=dict.fromkeys(names, Level.DARURAT))  # fmt: skip


@pytest.mark.parametrize("limit", [700, 1500, 4096])
def test_long_digest_splits_at_boundaries(limit: int) -> None:
    snapshot = kutai_timur_day()
    messages = render_digest(snapshot, limit=limit)
    assert len(messages) > 1
    plain = [parse_html(m) for m in messages]  # every part is valid HTML on its own
    assert all(utf16_len(m) <= limit for m in messages)
    for i, text in enumerate(plain, 1):
        assert text.endswith(f"({i}/{len(messages)})")
    joined = "\n".join(plain)
    for status in snapshot.kecamatan:
        detail = [line for line in joined.splitlines() if line.startswith(f"🔴 {status.name} —")]
        assert len(detail) == 1, "each kecamatan line appears once, never cut"
    titles = ("Kondisi kecamatan", "🚨 Insiden terbuka (54)", "🕓 Belum lapor")
    for part in plain:
        lines = [line for line in part.splitlines() if line]
        assert lines[-2] not in titles, "a section title never ends a part"


def test_split_keeps_blocks_whole_and_numbers_parts() -> None:
    blocks = ["a" * 40, "b" * 40, "c" * 40]
    assert split_messages(blocks, limit=200) == ["\n".join(blocks)]
    parts = split_messages(blocks, limit=80)
    assert parts == ["a" * 40 + "\n(1/3)", "b" * 40 + "\n(2/3)", "c" * 40 + "\n(3/3)"]


def test_split_counts_utf16_units() -> None:
    emoji = "🟢" * 30  # 60 UTF-16 units
    assert len(split_messages([emoji, emoji], limit=100)) == 2
