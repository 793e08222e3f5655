"""A realistic Posko database for the benchmarks, generated once and cached.

    python -m benchmarks.dataset [--reports 1000000] [--members 5000] [--days 60] [--path P]

The schema comes from the bot itself (`Database.open` applies the real migrations, so every
index, FTS5 table and trigger of the product is there); the rows are then bulk-inserted with a
plain sqlite3 connection in one transaction. The search index is filled by the product's own
triggers as each report and correction is inserted, exactly as in production.

What is generated (deterministic for a seed):
- members: field officers (Camat, Kapolsek, Danramil in turn) spread over the region's
  kecamatan, 2% of them deactivated, plus koordinator and admins;
- reports spread over `days` WITA days ending at the moment of generation, more by day than at
  night; mostly Aman (most of them nihil, i.e. without text), some Waspada, fewer Rawan and
  Darurat, with hotter and calmer kecamatan; texts are drawn from a Zipf-distributed Indonesian
  vocabulary (domain words first, then a long tail of rarer words), so a search for a common word
  hits a large share of the reports and a rare word a few hundred;
- Rawan and Darurat reports are escalated and, except a few in the last hours, acknowledged;
- corrections on about 1% of the reports with text, photos on 5%, locations on 20%;
- the digest slots of every day already sent, and two days of handled updates in the inbox;
- incidents, derived from the Waspada+ reports by the product's own migration 0010 (the rows
  are written for schema 9 first, then the remaining migrations run and are timed), as in a
  database upgraded in the field: open for the last 24 hours and unacknowledged urgent ones,
  the rest closed "saat pembaruan sistem".

The file is cached by its parameters, the schema version and today's WITA date (the data ends
"today"); a second call reuses it. Generation time is printed.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import os
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.regions import load_region
from domain.enums import FIELD_ROLES, Category, Role
from storage.db import Database, load_migrations, to_sql_time

WITA = ZoneInfo("Asia/Makassar")
CACHE_DIR = Path(os.environ.get("POSKO_BENCH_DIR", "/tmp/posko-bench"))  # noqa: S108
COORDINATION_CHAT_ID = -1001234567890
FIRST_USER_ID = 100_000_000
KOORDINATOR_COUNT, ADMIN_COUNT = 80, 20
# Local hours 0..23: officers report mostly between early morning and late evening.
HOUR_WEIGHTS = (1, 1, 1, 1, 2, 4, 8, 10, 10, 9, 8, 7, 6, 6, 7, 8, 8, 7, 7, 6, 4, 3, 2, 1)
# Per report: Aman 82% (70% of them nihil), Waspada 13%, Rawan 4%, Darurat 1% on average.
LEVEL_SHARES = (0.82, 0.13, 0.04, 0.01)
NIHIL_SHARE = 0.70
CORRECTION_SHARE, PHOTO_SHARE, LOCATION_SHARE = 0.01, 0.05, 0.20
INBOX_DAYS = 2
# The rows are generated for this schema (the last before incidents, migration 0010).
BEFORE_INCIDENTS = 9
REPORT_COLUMNS = (
    "id",
    "officer_id",
    "kecamatan",
    "role",
    "level",
    "category",
    "text",
    "created_at",
    "update_id",
    "source_chat_id",
    "source_message_id",
    "latitude",
    "longitude",
    "escalated_at",
    "escalation_chat_id",
    "escalation_message_id",
    "acked_by",
    "acked_by_name",
    "acked_at",
    "ack_seconds",
    "repage_count",
    "next_repage_at",
)

# Common words of field reports, roughly most frequent first; a long tail of rarer generated
# words follows them in the vocabulary.
_DOMAIN_TEXT = """
warga situasi desa tps petugas pemilih kegiatan terpantau kampanye jalan massa posko
pengamanan lancar koordinasi personel logistik surat suara kotak saksi pasangan calon tim
pendukung kelurahan polsek koramil babinsa bhabinkamtibmas panwascam ppk pps kpps bawaslu kpu
rapat pleno rekapitulasi distribusi hujan banjir longsor jembatan akses sungai perahu listrik
padam sinyal internet isu hoaks berita media sosial spanduk baliho alat peraga pemasangan
penertiban pelanggaran politik uang amplop sembako pembagian netralitas asn kepala perangkat
keributan perkelahian bentrok pemuda kelompok orang malam pagi siang sore hari besok jam pukul
sekitar lokasi rumah balai gedung sekolah lapangan pasar masjid gereja pelabuhan tambang
perusahaan sawit kebun karyawan buruh demo unjuk rasa tuntutan blokade penutupan kendaraan truk
mobil motor kecelakaan kebakaran lahan asap cuaca angin kencang pohon tumbang air pasang genangan
dilaporkan diamankan ditangani dimediasi selesai berjalan normal tertib terkendali dipantau
diminta menunggu tambahan bantuan kurang rusak hilang tertunda terlambat dikirim diterima dicek
ulang segel formulir dpt ktp undangan antrean panjang lansia disabilitas ibu anak tokoh adat
agama masyarakat pertemuan musyawarah kesepakatan provokasi ancaman intimidasi senjata tajam
minuman keras mabuk patroli gabungan tni polri satpol damkar puskesmas ambulans korban luka
ringan berat meninggal evakuasi pengungsi dapur umum dusun kampung simpang swarga teluk lingga
sepaso wahau miau tepian langsat singa geweh marah haloq kaliorang makmur bukit pinang kenyamukan
"""
DOMAIN_WORDS = _DOMAIN_TEXT.split()
_SYLLABLE_TEXT = (
    "ba be bi bu ka ke ki ku la le li lu ma me mi mu na ne ni nu pa pe pi pu ra re ri ru sa se si "
    "su ta te ti tu ga gi gu da di du ja ji ju wa wi ya ngan nang ring long tam bang sung"
)
SYLLABLES = _SYLLABLE_TEXT.split()
TAIL_WORDS = 4000
ZIPF_EXPONENT = 1.2
_FIRST_NAME_TEXT = (
    "Agus Budi Cahya Dedi Eko Fajar Gita Hadi Indra Joko Kurnia Lestari Made Nur Oki Putu Rahmat "
    "Sari Taufik Usman Wahyu Yudi Zainal Andi Bambang Dewi Hendra Irwan Sri Rudi Yanti Fitri"
)
FIRST_NAMES = _FIRST_NAME_TEXT.split()
_LAST_NAME_TEXT = (
    "Santoso Wijaya Pratama Saputra Hidayat Nugroho Kurniawan Setiawan Siregar Lubis Hasibuan "
    "Rahman Syahputra Gunawan Firmansyah Ramadhan Halim Daeng Lasut Tamba Sinaga Wibowo"
)
LAST_NAMES = _LAST_NAME_TEXT.split()
TITLES = {Role.CAMAT: "Drs.", Role.KAPOLSEK: "AKP", Role.DANRAMIL: "Kapten Inf."}


@dataclass(frozen=True)
class Spec:
    """The size and seed of a generated database."""

    reports: int = 1_000_000
    members: int = 5_000
    days: int = 60
    seed: int = 8

    def file_name(self, today: date) -> str:
        """The cache file name: parameters, schema version and the WITA day the data ends on."""
        schema = len(load_migrations())
        return (
            f"posko-{self.reports}r-{self.members}m-{self.days}d-s{self.seed}-v{schema}-"
            f"{today:%Y%m%d}.db"
        )


@dataclass(frozen=True)
class Officer:
    """A generated field officer."""

    user_id: int
    role: Role
    kecamatan: str
    heat: float


@dataclass
class Extras:
    """Rows that refer to reports and are inserted after them."""

    corrections: list[tuple[int, int, str, str]] = field(default_factory=list)
    photos: list[tuple[int, int, str, str]] = field(default_factory=list)
    inbox: list[tuple[int, str, str, str]] = field(default_factory=list)


class Vocabulary:
    """Indonesian-looking words with Zipf frequencies (rank r has weight r ** -1.2)."""

    def __init__(self, rng: random.Random) -> None:
        words = list(dict.fromkeys(DOMAIN_WORDS))
        known = set(words)
        while len(words) < len(DOMAIN_WORDS) + TAIL_WORDS:
            word = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 3, 3, 4))))
            if word not in known and len(word) >= 4:
                known.add(word)
                words.append(word)
        self.words = words
        self._cum = list(
            itertools.accumulate(rank**-ZIPF_EXPONENT for rank in range(1, len(words) + 1))
        )

    def sentence(self, rng: random.Random, length: int) -> str:
        """A report-like text of `length` words."""
        words = rng.choices(self.words, cum_weights=self._cum, k=length)
        text = " ".join(words)
        if rng.random() < 0.2:
            text += f" di TPS {rng.randint(1, 60)}"
        return text[:1].upper() + text[1:] + "."


def default_path(spec: Spec, now: datetime) -> Path:
    """Where the database of `spec` for the WITA day of `now` is cached."""
    return CACHE_DIR / spec.file_name(now.astimezone(WITA).date())


def ensure_dataset(spec: Spec, path: Path | None = None, now: datetime | None = None) -> Path:
    """Returns the cached database of `spec`, generating it first when it is missing."""
    now = now or datetime.now(UTC)
    path = path or default_path(spec, now)
    if path.exists():
        print(f"dataset: cached {path}")
        return path
    started = time.perf_counter()
    generate(spec, path, now)
    size = path.stat().st_size / 2**20
    print(
        f"dataset: generated {spec.reports:,} reports, {spec.members:,} members over "
        f"{spec.days} days in {time.perf_counter() - started:.1f} s ({size:,.0f} MiB) -> {path}"
    )
    return path


def generate(spec: Spec, path: Path, now: datetime) -> None:
    """Writes the database of `spec` to `path` (atomically, via a partial file)."""
    partial = path.with_name(path.name + ".partial")
    for leftover in (partial, *(partial.with_name(partial.name + s) for s in ("-wal", "-shm"))):
        leftover.unlink(missing_ok=True)
    # The rows are written as the schema before incidents had them; the product's own migration
    # then derives the incidents, as it does for a database upgraded in the field.
    asyncio.run(_migrate(partial, BEFORE_INCIDENTS))
    rng = random.Random(spec.seed)  # noqa: S311 - reproducible test data, not secrets
    region = load_region()
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        # Bulk load of a throw-away file: durability of each step does not matter.
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")
        conn.execute("BEGIN")
        officers, staff = _insert_members(conn, rng, spec, region.kecamatan, now)
        extras = Extras()
        vocabulary = Vocabulary(rng)
        conn.executemany(
            f"INSERT INTO reports ({', '.join(REPORT_COLUMNS)}) "  # noqa: S608 - constant names
            f"VALUES ({', '.join('?' * len(REPORT_COLUMNS))})",
            _reports(rng, spec, officers, staff, vocabulary, now, extras),
        )
        conn.executemany(
            "INSERT INTO corrections (report_id, officer_id, text, created_at) "
            "VALUES (?, ?, ?, ?)",
            extras.corrections,
        )
        conn.executemany("INSERT INTO report_photos VALUES (?, ?, ?, ?)", extras.photos)
        conn.executemany("INSERT INTO inbox VALUES (?, ?, ?, ?)", extras.inbox)
        _insert_settings(conn, spec, now)
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    started = time.perf_counter()
    asyncio.run(_migrate(partial, None))
    print(
        f"dataset: upgraded from schema v{BEFORE_INCIDENTS} to v{len(load_migrations())} "
        f"(incidents derived from the reports) in {time.perf_counter() - started:.1f} s"
    )
    os.replace(partial, path)


async def _migrate(path: Path, version: int | None) -> None:
    """Creates or upgrades the schema with the bot's own migrations (up to `version`)."""
    db = await Database.open_at_version(path, version)
    await db.close()


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _insert_members(
    conn: sqlite3.Connection,
    rng: random.Random,
    spec: Spec,
    kecamatan: tuple[str, ...],
    now: datetime,
) -> tuple[list[Officer], list[tuple[int, str]]]:
    """Adds the registry; returns the field officers and the (id, name) of koordinator."""
    joined = to_sql_time(now - timedelta(days=spec.days + 7))
    staff_count = min(KOORDINATOR_COUNT + ADMIN_COUNT, spec.members // 10)
    field_count = spec.members - staff_count
    heat = {name: rng.uniform(0.4, 2.2) for name in kecamatan}
    officers: list[Officer] = []
    staff: list[tuple[int, str]] = []
    rows = []
    for index in range(spec.members):
        user_id = FIRST_USER_ID + index
        phone = f"08{rng.randrange(10**9, 10**10)}" if rng.random() < 0.6 else None
        name = _name(rng)
        if index < field_count:
            role = FIELD_ROLES[index % 3]
            place: str | None = kecamatan[(index // 3) % len(kecamatan)]
            state = "inactive" if rng.random() < 0.02 else "active"
            officers.append(Officer(user_id, role, place or "", heat[place or ""]))
            name = f"{TITLES[role]} {name}"
        else:
            role = Role.ADMIN if index - field_count < staff_count // 5 else Role.KOORDINATOR
            place, state = None, "active"
            staff.append((user_id, name))
        rows.append((user_id, role.value, place, name, phone, state, joined, joined))
    conn.executemany(
        "INSERT INTO members (user_id, role, kecamatan, name, phone, state, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return officers, staff or [(FIRST_USER_ID, "Admin")]


def _report_times(rng: random.Random, spec: Spec, now: datetime) -> Iterator[datetime]:
    """`spec.reports` moments over the WITA days ending now, ascending, weighted by hour."""
    local_now = now.astimezone(WITA)
    first_day = local_now.date() - timedelta(days=spec.days - 1)
    day_weights = [rng.uniform(0.8, 1.2) for _ in range(spec.days)]
    hours_today = local_now.hour + local_now.minute / 60
    covered = sum(HOUR_WEIGHTS[: int(hours_today)]) + HOUR_WEIGHTS[int(hours_today)] * (
        hours_today % 1
    )
    day_weights[-1] *= covered / sum(HOUR_WEIGHTS)
    per_day = [int(spec.reports * w / sum(day_weights)) for w in day_weights]
    per_day[-1] += spec.reports - sum(per_day)
    hour_cum = list(itertools.accumulate(HOUR_WEIGHTS))
    for offset, count in enumerate(per_day):
        midnight = datetime.combine(first_day + timedelta(days=offset), datetime.min.time(), WITA)
        span = (local_now - midnight).total_seconds() if offset == spec.days - 1 else 86400
        seconds: list[int] = []
        while len(seconds) < count:
            hour = bisect.bisect_right(hour_cum, rng.random() * hour_cum[-1])
            second = hour * 3600 + rng.randrange(3600)
            if second < span:
                seconds.append(second)
        for second in sorted(seconds):
            yield (midnight + timedelta(seconds=second)).astimezone(UTC)


def _reports(
    rng: random.Random,
    spec: Spec,
    officers: list[Officer],
    staff: list[tuple[int, str]],
    vocabulary: Vocabulary,
    now: datetime,
    extras: Extras,
) -> Iterator[tuple[object, ...]]:
    """The rows of `reports` in number order; fills `extras` on the way."""
    categories = [c.value for c in Category]
    recent = now - timedelta(hours=3)
    inbox_from = now - timedelta(days=INBOX_DAYS)
    escalation_message = itertools.count(1)
    for number, moment in enumerate(_report_times(rng, spec, now), start=1):
        officer = rng.choice(officers)
        level = _level(rng, officer.heat)
        nihil = level == 0 and rng.random() < NIHIL_SHARE
        text = "" if nihil else vocabulary.sentence(rng, rng.randint(4, 10 + 8 * level))
        created = to_sql_time(moment)
        category = None if nihil or rng.random() < 0.5 else rng.choice(categories)
        location = (
            (rng.uniform(0.3, 1.6), rng.uniform(116.6, 118.2))
            if not nihil and rng.random() < LOCATION_SHARE
            else (None, None)
        )
        escalation: tuple[object, ...] = (None,) * 7 + (0, None)
        if level >= 2:
            escalation = _escalation(rng, moment, staff, moment > recent, escalation_message)
        update_id = 500_000_000 + number
        yield (
            number,
            officer.user_id,
            officer.kecamatan,
            officer.role.value,
            level,
            category,
            text,
            created,
            update_id,
            officer.user_id,
            number,
            *location,
            *escalation,
        )
        if text and rng.random() < CORRECTION_SHARE:
            fix = vocabulary.sentence(rng, rng.randint(3, 12))
            later = to_sql_time(moment + timedelta(minutes=rng.randint(2, 600)))
            extras.corrections.append((number, officer.user_id, fix, later))
        if text and rng.random() < PHOTO_SHARE:
            for position in range(rng.randint(1, 3)):
                file_id = f"AgACAgUAAx0{number:09d}{position}"
                extras.photos.append((number, position, file_id, file_id[-12:]))
        if moment >= inbox_from:
            payload = _update_json(update_id, number, officer.user_id, moment, text)
            extras.inbox.append((update_id, payload, created, created))


def _update_json(
    update_id: int, message_id: int, user_id: int, moment: datetime, text: str
) -> str:
    """The update as Telegram sends it (what the inbox stores) for a quick `/lapor`."""
    sender = {"id": user_id, "is_bot": False, "first_name": "Petugas", "language_code": "id"}
    message = {
        "message_id": message_id,
        "from": sender,
        "chat": {"id": user_id, "type": "private", "first_name": "Petugas"},
        "date": int(moment.timestamp()),
        "text": f"/lapor {text}" if text else "/lapor nihil",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    }
    return json.dumps({"update_id": update_id, "message": message})


def _level(rng: random.Random, heat: float) -> int:
    """A level drawn from LEVEL_SHARES, non-Aman levels scaled by the kecamatan's heat."""
    draw = rng.random()
    for level in (3, 2, 1):
        share = LEVEL_SHARES[level] * heat
        if draw < share:
            return level
        draw -= share
    return 0


def _escalation(
    rng: random.Random,
    moment: datetime,
    staff: list[tuple[int, str]],
    recent: bool,
    message_ids: Iterator[int],
) -> tuple[object, ...]:
    """The escalation columns of a Rawan/Darurat report: posted, and usually acknowledged."""
    posted = to_sql_time(moment + timedelta(seconds=2))
    message_id = next(message_ids)
    if recent and rng.random() < 0.3:  # still waiting for "Diterima"
        return (posted, COORDINATION_CHAT_ID, message_id, None, None, None, None, 3, None)
    who, name = rng.choice(staff)
    seconds = rng.randint(20, 1800)
    acked = to_sql_time(moment + timedelta(seconds=seconds))
    return (posted, COORDINATION_CHAT_ID, message_id, who, name, acked, seconds, 0, None)


def _insert_settings(conn: sqlite3.Connection, spec: Spec, now: datetime) -> None:
    """The bot ran all along: its first start and every digest slot already sent."""
    first = now - timedelta(days=spec.days)
    conn.execute(
        "INSERT INTO bot_settings VALUES ('first_started_at', ?, ?, NULL)",
        (to_sql_time(first), to_sql_time(first)),
    )
    local_now = now.astimezone(WITA)
    slots = []
    for offset in range(spec.days):
        day = local_now.date() - timedelta(days=offset)
        for clock in ("07:00", "19:00"):
            slot = datetime.combine(day, datetime.strptime(clock, "%H:%M").time(), WITA)
            if slot <= local_now:
                stamp = to_sql_time(slot)
                key = f"digest {day:%Y-%m-%d} {clock}"
                slots.append((key, COORDINATION_CHAT_ID, stamp, stamp))
    conn.executemany(
        "INSERT INTO schedule_slots (slot, kind, chat_id, state, parts, parts_sent, claimed_at, "
        "sent_at) VALUES (?, 'digest', ?, 'sent', '[]', 0, ?, ?)",
        slots,
    )


def main() -> None:
    """Generates (or finds) the database and prints where it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=Spec.reports)
    parser.add_argument("--members", type=int, default=Spec.members)
    parser.add_argument("--days", type=int, default=Spec.days)
    parser.add_argument("--seed", type=int, default=Spec.seed)
    parser.add_argument("--path", type=Path, help="database file (default: cached in /tmp)")
    parser.add_argument("--force", action="store_true", help="regenerate even when cached")
    args = parser.parse_args()
    spec = Spec(args.reports, args.members, args.days, args.seed)
    path = args.path or default_path(spec, datetime.now(UTC))
    if args.force:
        path.unlink(missing_ok=True)
    ensure_dataset(spec, path)


if __name__ == "__main__":
    main()
