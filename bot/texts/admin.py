"""Administration tools: backups."""

from __future__ import annotations

from datetime import datetime

from bot.texts.common import date_time

# --- backups ----------------------------------------------------------------------------------

BACKUP_TOO_BIG = (
    "Basis data lebih dari 50 MB, terlalu besar untuk dikirim lewat Telegram. "
    "Ambil cadangan harian dari direktori BACKUP_DIR di komputer tempat bot berjalan."
)


def photo_caption(number: int) -> str:
    """Caption of an escalated report's photo or album."""
    return f"📷 Laporan #{number}"


def backup_caption(moment: datetime) -> str:
    """Caption of a /cadangan snapshot."""
    return (
        f"💾 Cadangan basis data Posko, {date_time(moment)}. Simpan di tempat aman; "
        "cara memulihkannya ada di README Posko."
    )
