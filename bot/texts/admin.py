"""Administration tools: backups."""

from __future__ import annotations

from datetime import datetime

from bot.texts.common import date_time

# --- backups ----------------------------------------------------------------------------------

BACKUP_TOO_BIG = (
    "Basis data lebih dari 50 MB, terlalu besar untuk dikirim lewat Telegram. "
    "Ambil cadangan harian dari folder BACKUP_DIR di server."
)


def photo_caption(number: int) -> str:
    """Caption of an escalated report's photo or album."""
    return f"📷 Laporan #{number}"


def backup_caption(moment: datetime) -> str:
    """Caption of a /cadangan snapshot."""
    return (
        f"💾 Cadangan basis data Posko, {date_time(moment)}. Simpan di tempat aman; "
        "cara memulihkan ada di README (Operations)."
    )
