"""`/logistik`: the officer's chain with buttons, the koordinators' grid, one kecamatan in
detail, `/logistik rencana` (admins plan deadlines) and `/logistik tarik` (withdrawing a
confirmation, with a reason)."""

from __future__ import annotations

import logging
import sqlite3

from telegram import InputMediaPhoto, Message, Update

from bot import texts
from bot.access import STAFF, Access, Rule
from bot.commands import PETUGAS_MENU, STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.notify import tell
from domain.logistics import (
    PlanInvalid,
    Stage,
    WithdrawInvalid,
    corroboration_offer,
    parse_plan_args,
    parse_withdraw_args,
)
from domain.parsing import command_args
from handlers.logistik.confirm import officer_chain, officer_markup

logger = logging.getLogger(__name__)

# An album holds at most 10 photos.
MAX_PHOTOS = 10


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def logistik_cmd(update: Update, context: PoskoContext) -> None:
    """Shows the logistics chain or grid, or plans a deadline, or withdraws a confirmation."""
    message = update.effective_message
    if message is None:
        return
    args = command_args(message.text or "")
    word, _, rest = args.partition(" ")
    if word.casefold() == "rencana":
        await _plan(context, message, rest)
    elif word.casefold() == "tarik":
        await _withdraw(context, message, rest)
    elif context.actor.officer is not None:
        if args:
            await message.reply_text(texts.LOGISTIK_OFFICER_USAGE)
            return
        await _officer_view(context, message)
    elif args:
        await _kecamatan_detail(context, message, args)
    else:
        services = context.services
        board = await services.logistics.board(
            services.logistics_plan, services.region, services.clock()
        )
        grid = texts.logistik_grid(
            board,
            services.region.district,
            services.settings.timezone,
            admin=context.actor.is_admin,
        )
        await message.reply_text(grid, message_thread_id=_thread(message), do_quote=False)


async def _officer_view(context: PoskoContext, message: Message) -> None:
    officer = context.actor.officer
    if officer is None or officer.kecamatan is None:
        return
    services = context.services
    if officer.kecamatan not in services.region.kecamatan:  # the region file changed
        await message.reply_text(texts.LOGISTIK_NO_KECAMATAN)
        return
    chain = await officer_chain(services, officer.kecamatan)
    offer = corroboration_offer(chain, officer.user_id)
    text = texts.logistik_officer_view(
        chain,
        services.clock(),
        services.settings.timezone,
        offer.stage.number if offer is not None else None,
    )
    place = services.region.kecamatan.index(officer.kecamatan)
    await message.reply_text(text, reply_markup=officer_markup(chain, officer.user_id, place))


async def _kecamatan_detail(context: PoskoContext, message: Message, args: str) -> None:
    """One kecamatan's chain for koordinators and admins, then the photos of its confirmations."""
    services = context.services
    kecamatan = services.region.find(args)
    if kecamatan is None:
        await message.reply_text(texts.LOGISTIK_NO_KECAMATAN)
        return
    chain = await officer_chain(services, kecamatan)
    tz = services.settings.timezone
    text = texts.logistik_staff_detail(chain, services.clock(), tz, admin=context.actor.is_admin)
    thread = _thread(message)
    await message.reply_text(text, message_thread_id=thread, do_quote=False)
    photos = [
        InputMediaPhoto(
            c.photo_file_id, caption=texts.logistik_photo_caption(kecamatan, s.stage, c)
        )
        for s in chain.stages
        for c in s.confirmations
        if c.photo_file_id
    ][-MAX_PHOTOS:]
    if len(photos) == 1:
        media = photos[0]
        await context.bot.send_photo(
            message.chat_id, media.media, caption=media.caption, message_thread_id=thread
        )
    elif photos:
        await context.bot.send_media_group(message.chat_id, photos, message_thread_id=thread)


async def _plan(context: PoskoContext, message: Message, args: str) -> None:
    """`/logistik rencana <tahap> <kecamatan|semua> <tanggal> <jam>` (admins)."""
    if not context.actor.is_admin:
        await message.reply_text(texts.LOGISTIK_RENCANA_ADMIN_ONLY)
        return
    services = context.services
    plan, tz = services.logistics_plan, services.settings.timezone
    try:
        parsed = parse_plan_args(args, services.region, len(plan.stages), tz, services.today())
    except PlanInvalid as exc:
        await message.reply_text(texts.logistik_plan_error(exc.reason, plan.stages))
        return
    stage = plan.stage(parsed.stage)
    if stage is None:  # pragma: no cover - the parser checked the range
        return
    place = None if parsed.everywhere else parsed.kecamatan[0]
    due = parsed.due.isoformat() if parsed.due else "hapus"
    detail = f"{stage.key} {place or 'semua'} {due}"
    try:
        await services.logistics.set_deadline(
            stage.key, parsed.kecamatan, parsed.due, context.actor.user_id, services.clock(),
            detail,
        )  # fmt: skip
    except sqlite3.Error:
        logger.exception("Could not store a logistics deadline")
        await message.reply_text(texts.STORAGE_ERROR)
        return
    now = services.clock().astimezone(tz)
    await message.reply_text(texts.logistik_plan_saved(stage, place, parsed.due, now))


async def _withdraw(context: PoskoContext, message: Message, args: str) -> None:
    """`/logistik tarik <tahap> [kecamatan] <alasan>`: an officer their own confirmation, an
    admin every standing confirmation of the stage in that kecamatan."""
    actor = context.actor
    officer = actor.officer
    if officer is None and not actor.is_admin:
        await message.reply_text(texts.LOGISTIK_TARIK_REFUSED)
        return
    services = context.services
    plan = services.logistics_plan
    try:
        parsed = parse_withdraw_args(args, services.region, len(plan.stages))
    except WithdrawInvalid as exc:
        await message.reply_text(texts.logistik_withdraw_error(exc.reason, plan.stages))
        return
    stage = plan.stage(parsed.stage)
    if stage is None:  # pragma: no cover - the parser checked the range
        return
    if officer is not None:
        if parsed.kecamatan not in (None, officer.kecamatan):
            await message.reply_text(texts.LOGISTIK_NOT_OWN)
            return
        kecamatan, only = officer.kecamatan or "", officer.user_id
    elif parsed.kecamatan is None:
        await message.reply_text(texts.LOGISTIK_TARIK_WHERE)
        return
    else:
        kecamatan, only = parsed.kecamatan, None
    name = actor.member.name if actor.member is not None else _sender_name(message)
    try:
        withdrawn = await services.logistics.withdraw(
            kecamatan, stage.key, only, actor.user_id or 0, name, parsed.reason, services.clock()
        )
    except sqlite3.Error:
        logger.exception("Could not withdraw a logistics confirmation")
        await message.reply_text(texts.STORAGE_ERROR)
        return
    if not withdrawn:
        await message.reply_text(texts.logistik_nothing_to_withdraw(stage, kecamatan))
        return
    await message.reply_text(
        texts.logistik_withdrawn(stage, kecamatan, len(withdrawn), parsed.reason)
    )
    await _tell_officers(context, [c.officer_id for c in withdrawn], stage, kecamatan,
                         name, parsed.reason)  # fmt: skip


def _sender_name(message: Message) -> str:
    user = message.from_user
    return user.full_name if user is not None else "-"


async def _tell_officers(
    context: PoskoContext, officer_ids: list[int], stage: Stage, kecamatan: str, admin: str,
    reason: str,
) -> None:  # fmt: skip
    """Tells each officer whose confirmation someone else withdrew."""
    notice = texts.logistik_withdrawn_notice(stage, kecamatan, admin, reason)
    for officer_id in sorted(set(officer_ids) - {context.actor.user_id}):
        await tell(context.bot, officer_id, notice)


COMMANDS = (
    Command(
        "logistik",
        logistik_cmd,
        Rule(private=frozenset({Access.PETUGAS}) | STAFF, coordination=STAFF),
        texts.LOGISTIK.menu,
        texts.LOGISTIK.help,
        "election logistics per stage: officers see their kecamatan's chain and confirm the "
        "next stage with ✅ Sudah (optional photo and TPS count) or report ⚠️ Ada kendala; "
        "koordinators and admins get the grid of every kecamatan (late first), or one "
        "kecamatan with `/logistik <kecamatan>`; `rencana <tahap> <kecamatan|semua> <tanggal> "
        "<jam>` plans a deadline (admin); `tarik <tahap> [kecamatan] <alasan>` withdraws a "
        "confirmation (its officer, or an admin)",
        usage="[kecamatan | rencana ... | tarik ...]",
        menu=PETUGAS_MENU | STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/logistik`."""
    add_commands(app, COMMANDS)
