"""The vulnerability map's versions, and the second reminder rounds of `tinggi` kecamatan."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, replace
from datetime import datetime

from domain.kerawanan import EMPTY_MAP, MapLevel, MappedKecamatan, VulnerabilityMap, VulnerableTps
from storage.audit import record
from storage.db import Database, from_sql_time, to_sql_time

# What a second round records per person.
OFFICER, ADMIN = "officer", "admin"


@dataclass(frozen=True)
class MapVersion:
    """One imported map: its version, who imported it, when, and from which file."""

    version: int
    imported_by: int | None
    imported_at: datetime
    file_name: str


@dataclass(frozen=True)
class RepeatRound:
    """The second reminder of one reminder round (`slot`: the first round's key)."""

    slot: str
    state: str
    claimed_at: datetime


def _map_from_rows(
    version: int, kecamatan: list[sqlite3.Row], tps: list[sqlite3.Row]
) -> VulnerabilityMap:
    return VulnerabilityMap(
        tuple(
            MappedKecamatan(
                row["kecamatan"], MapLevel(row["level"]), tuple(json.loads(row["factors"]))
            )
            for row in kecamatan
        ),
        tuple(
            VulnerableTps(row["kecamatan"], row["tps"], row["desa"], row["reason"]) for row in tps
        ),
        version,
    )


class KerawananRepo:
    """Reads and writes `kerawanan_maps`, `kerawanan_kecamatan`, `kerawanan_tps`,
    `kerawanan_rounds` and `kerawanan_reminded`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def current(self) -> tuple[MapVersion | None, VulnerabilityMap]:
        """The map in force and its version; (None, an empty map) before any import."""
        version = await self.latest_version()
        if version is None:
            return None, EMPTY_MAP
        kecamatan = await self._db.fetchall(
            "SELECT * FROM kerawanan_kecamatan WHERE version = ? ORDER BY position",
            (version.version,),
        )
        tps = await self._db.fetchall(
            "SELECT * FROM kerawanan_tps WHERE version = ? ORDER BY position", (version.version,)
        )
        return version, _map_from_rows(version.version, kecamatan, tps)

    async def latest_version(self) -> MapVersion | None:
        """Who imported the map in force, when and from which file; None before any import."""
        row = await self._db.fetchone("SELECT * FROM kerawanan_maps ORDER BY version DESC LIMIT 1")
        if row is None:
            return None
        return MapVersion(
            row["version"], row["imported_by"], from_sql_time(row["imported_at"]), row["file_name"]
        )

    async def store(
        self, vmap: VulnerabilityMap, file_name: str, actor_id: int | None, now: datetime
    ) -> VulnerabilityMap:
        """Stores `vmap` as the map in force (a new version; the old ones stay as history),
        with its audit entry, in one transaction; returns it with its version."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "INSERT INTO kerawanan_maps (imported_by, imported_at, file_name) "
                "VALUES (?, ?, ?) RETURNING version",
                (actor_id, to_sql_time(now), file_name[:200]),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:  # pragma: no cover - RETURNING always gives the row
                raise sqlite3.DatabaseError("map not stored")
            version = int(row[0])
            await conn.executemany(
                "INSERT INTO kerawanan_kecamatan (version, position, kecamatan, level, factors) "
                "VALUES (?, ?, ?, ?, ?)",
                [
                    (version, position, k.name, int(k.level), json.dumps(list(k.factors)))
                    for position, k in enumerate(vmap.kecamatan)
                ],
            )
            await conn.executemany(
                "INSERT INTO kerawanan_tps (version, position, kecamatan, tps, desa, reason) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (version, position, t.kecamatan, t.number, t.desa, t.reason)
                    for position, t in enumerate(vmap.tps)
                ],
            )
            tinggi = len(vmap.tinggi)
            await record(
                conn,
                now,
                actor_id,
                "kerawanan_import",
                version,
                f"version {version}: {len(vmap.kecamatan)} kecamatan ({tinggi} tinggi), "
                f"{len(vmap.tps)} TPS",
            )
        return replace(vmap, version=version)

    # --- second reminder rounds -----------------------------------------------------------

    async def first_rounds(self, since: datetime) -> list[str]:
        """The reminder rounds (keys in `schedule_slots`) started since `since` that reached
        every officer: those a second round may follow."""
        rows = await self._db.fetchall(
            "SELECT slot FROM schedule_slots WHERE kind = 'reminder' AND state = 'sent' "
            "AND claimed_at >= ? ORDER BY slot",
            (to_sql_time(since),),
        )
        return [row["slot"] for row in rows]

    async def round(self, slot: str) -> RepeatRound | None:
        """The second round of reminder round `slot`, if it was ever claimed."""
        row = await self._db.fetchone("SELECT * FROM kerawanan_rounds WHERE slot = ?", (slot,))
        if row is None:
            return None
        return RepeatRound(row["slot"], row["state"], from_sql_time(row["claimed_at"]))

    async def claim_round(self, slot: str, now: datetime) -> bool:
        """Records that the second round of `slot` is being sent; False if already recorded."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                "INSERT INTO kerawanan_rounds (slot, state, claimed_at) VALUES (?, 'sending', ?) "
                "ON CONFLICT (slot) DO NOTHING RETURNING slot",
                (slot, to_sql_time(now)),
            ) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def finish_round(self, slot: str, state: str, now: datetime) -> None:
        """Records a second round as 'sent', or 'skipped' (creating its record if needed)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO kerawanan_rounds (slot, state, claimed_at, sent_at) "
                "VALUES (?, ?, ?, ?) "
                "ON CONFLICT (slot) DO UPDATE SET state = excluded.state, "
                "sent_at = excluded.sent_at",
                (slot, state, to_sql_time(now), to_sql_time(now)),
            )

    async def reminded(self, slot: str, kind: str) -> set[int]:
        """Who was already sent their message (`kind`: OFFICER or ADMIN) in a second round."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM kerawanan_reminded WHERE slot = ? AND kind = ?", (slot, kind)
        )
        return {int(row["user_id"]) for row in rows}

    async def claim_reminded(self, slot: str, kind: str, user_id: int) -> bool:
        """Claims one person's message in a second round; False if it was claimed already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO kerawanan_reminded (slot, kind, user_id) VALUES (?, ?, ?)",
                (slot, kind, user_id),
            )
            return cursor.rowcount == 1


def export_map(conn: sqlite3.Connection) -> VulnerabilityMap:
    """The map in force, read on a synchronous connection (the /ekspor worker thread)."""
    row = conn.execute("SELECT max(version) FROM kerawanan_maps").fetchone()
    if row is None or row[0] is None:
        return EMPTY_MAP
    version = int(row[0])
    kecamatan = conn.execute(
        "SELECT * FROM kerawanan_kecamatan WHERE version = ? ORDER BY position", (version,)
    ).fetchall()
    tps = conn.execute(
        "SELECT * FROM kerawanan_tps WHERE version = ? ORDER BY position", (version,)
    ).fetchall()
    return _map_from_rows(version, kecamatan, tps)
