"""`/kerawanan`: the vulnerability map with each kecamatan's condition now; admins replace it
with a CSV file captioned `/kerawanan impor` (all or nothing, as `/impor`)."""

from __future__ import annotations

import logging
from collections import Counter

from telegram import Chat, Message, Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import READERS, command_of
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from domain.kerawanan import MapInvalid, parse_map
from domain.parsing import command_args
from domain.roster import RosterFileError
from handlers.registry.impor import csv_name, download_csv

logger = logging.getLogger(__name__)


async def _reply_parts(message: Message, blocks: list[str]) -> None:
    thread = message.message_thread_id if message.is_topic_message else None
    for part in texts.split_messages(blocks):
        await message.reply_text(part, do_quote=False, message_thread_id=thread)


async def kerawanan_cmd(update: Update, context: PoskoContext) -> None:
    """Shows the map (or one kecamatan of it), or imports a map file (admins)."""
    message = update.effective_message
    if message is None or command_of(message, context.bot.username or "") != "kerawanan":
        return
    args = command_args(message.text or message.caption or "")
    word = args.split(maxsplit=1)[0].casefold() if args else ""
    if word == "impor":
        if not context.actor.is_admin or message.chat.type != Chat.PRIVATE:
            await message.reply_text(texts.KERAWANAN_ADMIN_ONLY)
            return
        await _import(context, message)
        return
    if message.document is not None:  # a file captioned /kerawanan alone: say how to import
        await message.reply_text(texts.KERAWANAN_IMPOR_HELP)
        return
    if not args:
        await _show(context, message)
        return
    kecamatan = context.services.region.find(args)
    if kecamatan is None:
        await message.reply_text(texts.KERAWANAN_USAGE)
        return
    await _show_one(context, message, kecamatan)


async def _show(context: PoskoContext, message: Message) -> None:
    """The whole map, grouped by level, each kecamatan with its condition now."""
    services = context.services
    version = await services.kerawanan.latest_version()
    vmap = services.admin_settings.vulnerability
    if version is None or vmap.empty:
        await message.reply_text(texts.KERAWANAN_EMPTY)
        return
    tz = services.settings.timezone
    period = services.rhythm().period_at(services.now())
    blocks = texts.kerawanan_view(
        services.region.district,
        await services.kecamatan_attention(),
        len(vmap.tps),
        version.version,
        version.imported_at.astimezone(tz),
        services.now(),
        texts.period_note(period),
    )
    await _reply_parts(message, blocks)


async def _show_one(context: PoskoContext, message: Message, kecamatan: str) -> None:
    """One kecamatan: level, factors, condition now and its vulnerable TPS."""
    services = context.services
    vmap = services.admin_settings.vulnerability
    if vmap.empty:
        await message.reply_text(texts.KERAWANAN_EMPTY)
        return
    items = {item.name: item for item in await services.kecamatan_attention()}
    blocks = texts.kerawanan_detail(
        kecamatan, vmap.entry(kecamatan), items.get(kecamatan), vmap.tps_of(kecamatan)
    )
    await _reply_parts(message, blocks)


async def _import(context: PoskoContext, message: Message) -> None:
    """Replaces the map with the file's, all or nothing; stored, audited, in force at once."""
    data = await download_csv(context, message, texts.KERAWANAN_IMPOR_HELP)
    if data is None:
        return
    services = context.services
    try:
        parsed = parse_map(data, services.region)
    except RosterFileError as exc:
        await message.reply_text(texts.kerawanan_file_error(exc.finding))
        return
    except MapInvalid as exc:
        await _reply_parts(message, [texts.kerawanan_refused(exc.problems)])
        return
    previous = await services.kerawanan.latest_version()
    stored = await services.kerawanan.store(
        parsed, csv_name(message), context.actor.user_id, services.clock()
    )
    admin_settings = services.admin_settings
    # Two imports at once: the newer version wins in memory as it does in the database.
    if stored.version > admin_settings.vulnerability.version:
        admin_settings.vulnerability = stored
    logger.info(
        "Admin %s imported vulnerability map version %s (%s kecamatan, %s TPS)",
        context.actor.user_id,
        stored.version,
        len(stored.kecamatan),
        len(stored.tps),
    )
    levels = Counter(k.level for k in stored.kecamatan)
    await message.reply_text(
        texts.kerawanan_saved(
            stored.version,
            previous.version if previous is not None else None,
            dict(levels),
            len(stored.tps),
        )
    )


COMMANDS = (
    Command(
        "kerawanan",
        kerawanan_cmd,
        READERS,
        texts.KERAWANAN.menu,
        texts.KERAWANAN.help,
        "the vulnerability map: kecamatan grouped by mapped level (tinggi, sedang, rendah) with "
        "their factors, the number of vulnerable TPS, and each kecamatan's condition in the "
        "current reporting window beside its level; `/kerawanan <kecamatan>` lists its "
        "vulnerable TPS; admins (private chat): a CSV file with caption `/kerawanan impor` "
        "replaces the map (all or nothing, stored, audited; see below)",
        usage="[kecamatan | impor]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/kerawanan`, also as the caption of a map file."""
    add_commands(app, COMMANDS)
    caption = filters.CaptionRegex(r"^/kerawanan(@\w+)?(\s|$)")
    app.add_handler(MessageHandler(filters.Document.ALL & caption, kerawanan_cmd))
