"""The command menu (`set_my_commands`) each user sees, following their role."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.access import Access, access_of
from bot.services import Services

logger = logging.getLogger(__name__)

_HELP = ("bantuan", "petunjuk penggunaan")
_READING = (
    ("status", "kondisi terkini tiap kecamatan"),
    ("rekap", "rekap kondisi hari ini atau tanggal tertentu"),
    ("belum", "petugas yang belum lapor hari ini"),
    ("laporan", "laporan terbaru"),
    ("lihat", "isi lengkap satu laporan"),
    ("cari", "cari laporan"),
    ("ekspor", "unduh CSV dan Excel"),
    ("grafik", "grafik laporan"),
)
MENUS: dict[Access, tuple[tuple[str, str], ...]] = {
    Access.UNKNOWN: (
        ("start", "mulai dan lihat ID Anda"),
        ("daftar", "daftar sebagai petugas"),
        _HELP,
    ),
    Access.PETUGAS: (
        ("lapor", "kirim laporan situasi"),
        ("riwayat", "10 laporan terakhir Anda"),
        ("ralat", "ralat laporan Anda (24 jam)"),
        ("batal", "batalkan formulir"),
        _HELP,
    ),
    Access.KOORDINATOR: (*_READING, _HELP),
    Access.ADMIN: (
        *_READING,
        ("petugas", "daftar anggota"),
        ("tambah", "daftarkan atau ubah anggota"),
        ("setujui", "setujui pendaftaran"),
        ("tolak", "tolak pendaftaran"),
        ("nonaktifkan", "nonaktifkan anggota"),
        ("aktifkan", "aktifkan kembali anggota"),
        ("impor", "impor anggota dari CSV"),
        ("jadwal", "jadwal rekap dan pengingat"),
        ("cadangan", "unduh cadangan basis data"),
        _HELP,
    ),
}


def commands_for(access: Access) -> list[BotCommand]:
    """The menu of an authorization class (unknown users get the registration menu)."""
    pairs = MENUS.get(access, MENUS[Access.UNKNOWN])
    return [BotCommand(name, description) for name, description in pairs]


async def refresh_menu(bot: Bot, services: Services, user_id: int) -> None:
    """Shows `user_id` the menu of their current role (the default one when they have none)."""
    member = await services.members.get(user_id)
    access = access_of(member, bootstrap_admin=services.is_bootstrap_admin(user_id))
    scope = BotCommandScopeChat(user_id)
    try:
        if access in (Access.PETUGAS, Access.KOORDINATOR, Access.ADMIN):
            await bot.set_my_commands(commands_for(access), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        # A user who never opened the bot has no chat yet; the menu is a convenience.
        logger.info("Menu for %s not updated: %s", user_id, type(exc).__name__)


async def publish_menus(bot: Bot, services: Services) -> None:
    """Sets the default menu and the menu of every active member and bootstrap admin."""
    try:
        await bot.set_my_commands(
            commands_for(Access.UNKNOWN), scope=BotCommandScopeAllPrivateChats()
        )
    except TelegramError as exc:
        logger.warning("Default command menu not published: %s", type(exc).__name__)
    user_ids = {m.user_id for m in await services.members.active()}
    user_ids |= services.settings.admin_ids
    for user_id in sorted(user_ids):
        await refresh_menu(bot, services, user_id)
