"""The registry, for admins: /tambah, /setujui, /tolak, /aktifkan, /nonaktifkan, /petugas."""

from __future__ import annotations

import contextlib
import logging
import math

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import ADMIN_PRIVATE
from bot.commands import ADMIN_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import PAGE_SIZE, answer, pager
from bot.menus import refresh_menu
from bot.notify import tell
from bot.texts import commands as help_texts
from domain.members import Member, RosterRow
from domain.parsing import (
    OfficerArgsError,
    OfficerArgsInvalid,
    command_args,
    parse_officer_args,
    parse_user_id,
)
from handlers.registry.daftar import request_text

logger = logging.getLogger(__name__)


def _tambah_error(reason: OfficerArgsError, valid_kecamatan: tuple[str, ...]) -> str:
    return {
        OfficerArgsError.USAGE: texts.TAMBAH_USAGE,
        OfficerArgsError.USER_ID: texts.TAMBAH_BAD_USER_ID,
        OfficerArgsError.ROLE: texts.TAMBAH_BAD_ROLE,
        OfficerArgsError.KECAMATAN: texts.tambah_bad_kecamatan(valid_kecamatan),
        OfficerArgsError.NAME: texts.TAMBAH_BAD_NAME,
    }[reason]


async def tambah_cmd(update: Update, context: PoskoContext) -> None:
    """Adds or updates a member from `/tambah <id> | <peran> | <kecamatan> | <nama>`."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    try:
        args = parse_officer_args(command_args(message.text or ""), services.region)
    except OfficerArgsInvalid as exc:
        await message.reply_text(_tambah_error(exc.reason, services.region.kecamatan))
        return
    if services.is_bootstrap_admin(args.user_id):
        await message.reply_text(texts.BOOTSTRAP_ADMIN_FIXED)
        return
    async with services.member_lock(args.user_id):
        entry = RosterRow(args.user_id, args.role, args.kecamatan, args.name)
        member, added = await services.members.save(entry, services.clock(), context.actor.user_id)
        # A form begun under the old (or no) registration must not be finished under the new.
        await services.drafts.delete(member.user_id)
        logger.info(
            "Admin %s saved member %s (added=%s)", context.actor.user_id, member.user_id, added
        )
        await message.reply_text(
            texts.officer_saved(
                member.name, member.role, member.kecamatan, member.user_id, added=added
            )
        )
        await tell(
            context.bot, member.user_id, texts.added_for_member(member.role, member.kecamatan)
        )
        await refresh_menu(context.bot, services, context.commands, member.user_id)


async def decide(
    update: Update, context: PoskoContext, user_id: int, approve: bool
) -> Member | None:
    """Applies an admin's decision on a pending request; None when nothing was pending."""
    services = context.services
    admin_id = context.actor.user_id
    if admin_id is None:  # pragma: no cover - the gate lets only admins through
        return None
    async with services.member_lock(user_id):
        now = services.clock()
        member = await services.members.decide(user_id, approve, admin_id, now)
        if member is None:
            return None
        admin = context.actor.member
        user = update.effective_user
        admin_name = admin.name if admin else (user.full_name if user else str(admin_id))
        note = texts.decision_note(approve, admin_name, now.astimezone(services.settings.timezone))
        request = await request_text(services, member)
        for chat_id, message_id in await services.config.take_notices(user_id):
            try:
                await context.bot.edit_message_text(request + note, chat_id, message_id)
            except TelegramError as exc:
                logger.info("Could not update the notice in %s: %s", chat_id, type(exc).__name__)
        outcome = (
            texts.approved_for_member(member.role, member.kecamatan)
            if approve
            else texts.REJECTED_FOR_MEMBER
        )
        await tell(context.bot, user_id, outcome)
        await refresh_menu(context.bot, services, context.commands, user_id)
        return member


async def decision_cmd(update: Update, context: PoskoContext) -> None:
    """`/setujui <user_id>` or `/tolak <user_id>`."""
    message = update.effective_message
    if message is None or not message.text:
        return
    command = message.text.split(maxsplit=1)[0].lstrip("/").split("@")[0].casefold()
    user_id = parse_user_id(command_args(message.text))
    if user_id is None:
        await message.reply_text(texts.USER_ID_USAGE.format(command=command))
        return
    approve = command == "setujui"
    member = await decide(update, context, user_id, approve)
    if member is None:
        await message.reply_text(texts.no_pending(user_id))
        return
    await message.reply_text(texts.decided_reply(approve, member.name, member.user_id))


def decision_markup(user_id: int, *, confirming: bool = False) -> InlineKeyboardMarkup:
    """The buttons of a registration request: approve or reject, and the rejection's
    confirmation (a tap on "Tolak" alone never rejects)."""
    if confirming:
        buttons = [
            InlineKeyboardButton(
                texts.REJECT_CONFIRM_BUTTON, callback_data=f"reg:tolak:{user_id}"
            ),
            InlineKeyboardButton(texts.REJECT_BACK_BUTTON, callback_data=f"reg:back:{user_id}"),
        ]
    else:
        buttons = [
            InlineKeyboardButton(texts.APPROVE_BUTTON, callback_data=f"reg:ok:{user_id}"),
            InlineKeyboardButton(texts.REJECT_BUTTON, callback_data=f"reg:no:{user_id}"),
        ]
    return InlineKeyboardMarkup([buttons])


async def decision_cb(update: Update, context: PoskoContext) -> None:
    """Handles "✅ Setujui", "❌ Tolak" (which asks to confirm) and its confirmation."""
    query = update.callback_query
    if query is None or not query.data:
        return
    _, verdict, user_text = [*query.data.split(":"), "", ""][:3]
    user_id = parse_user_id(user_text)
    if verdict not in ("ok", "no", "tolak", "back") or user_id is None:
        await answer(query, texts.STALE_BUTTON)
        return
    if verdict in ("no", "back"):
        confirming = verdict == "no"
        with contextlib.suppress(TelegramError):  # pressed twice: the buttons are already so
            await query.edit_message_reply_markup(decision_markup(user_id, confirming=confirming))
        await answer(query, texts.REJECT_CONFIRM_ASK if confirming else None)
        return
    approve = verdict == "ok"
    member = await decide(update, context, user_id, approve)
    if member is None:
        await answer(query, texts.ALREADY_DECIDED, show_alert=True)
        return
    await answer(query, texts.decided_answer(approve))  # the decision stands anyway


async def activation_cmd(update: Update, context: PoskoContext) -> None:
    """`/aktifkan <user_id>` or `/nonaktifkan <user_id>`."""
    message = update.effective_message
    if message is None or not message.text:
        return
    services = context.services
    command = message.text.split(maxsplit=1)[0].lstrip("/").split("@")[0].casefold()
    user_id = parse_user_id(command_args(message.text))
    if user_id is None:
        await message.reply_text(texts.USER_ID_USAGE.format(command=command))
        return
    if services.is_bootstrap_admin(user_id):
        await message.reply_text(texts.BOOTSTRAP_ADMIN_FIXED)
        return
    active = command == "aktifkan"
    admin_id = context.actor.user_id or 0
    async with services.member_lock(user_id):
        member = await services.members.set_active(user_id, active, admin_id, services.clock())
        if member is None:
            await message.reply_text(texts.no_member(user_id))
            return
        if not active:  # a stale form (a report, a registration) must not outlive the account
            await services.drafts.delete(user_id)
        await message.reply_text(texts.activation_reply(active, member.name, user_id))
        notice = texts.ACTIVATED_FOR_MEMBER if active else texts.DEACTIVATED_FOR_MEMBER
        await tell(context.bot, user_id, notice)
        await refresh_menu(context.bot, services, context.commands, user_id)


async def directory_view(
    context: PoskoContext, page: int, kecamatan: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The text and buttons of one /petugas page."""
    services = context.services
    entries = await services.members.directory(kecamatan)
    if not entries:
        return texts.DIRECTORY_EMPTY, None
    pages = math.ceil(len(entries) / PAGE_SIZE)
    page = min(max(page, 0), pages - 1)
    tz = services.settings.timezone
    lines = [
        texts.directory_line(
            e.member.name,
            e.member.role,
            e.member.kecamatan,
            e.member.state,
            e.member.user_id,
            e.last_report_at.astimezone(tz) if e.last_report_at else None,
        )
        for e in entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    ]
    text = texts.directory_page(lines, page, pages, len(entries), kecamatan)
    where = services.region.kecamatan.index(kecamatan) if kecamatan else -1
    return text, pager("pg", page, pages, f":{where}")


async def petugas_cmd(update: Update, context: PoskoContext) -> None:
    """Lists members (optionally of one kecamatan), paginated."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    args = command_args(message.text or "")
    kecamatan = services.region.find(args) if args else None
    if args and kecamatan is None:
        await message.reply_text(texts.tambah_bad_kecamatan(services.region.kecamatan))
        return
    text, markup = await directory_view(context, 0, kecamatan)
    await message.reply_text(text, reply_markup=markup)


async def directory_page_cb(update: Update, context: PoskoContext) -> None:
    """Turns a /petugas page in place."""
    query = update.callback_query
    if query is None or not query.data:
        return
    try:
        _, page_text, where_text = query.data.split(":")
        page, where = int(page_text), int(where_text)
        names = context.services.region.kecamatan
        kecamatan = names[where] if 0 <= where < len(names) else None
    except ValueError:
        await answer(query, texts.STALE_BUTTON)
        return
    text, markup = await directory_view(context, page, kecamatan)
    await answer(query)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except TelegramError as exc:
        logger.info("Directory page not updated: %s", exc)


COMMANDS = (
    Command(
        "petugas",
        petugas_cmd,
        ADMIN_PRIVATE,
        help_texts.PETUGAS.menu,
        help_texts.PETUGAS.help,
        "members with jabatan, kecamatan, state and last report time, 10 a page with ⬅️/➡️",
        usage="[kecamatan]",
        menu=ADMIN_MENU,
        rank=60,
    ),
    Command(
        "tambah",
        tambah_cmd,
        ADMIN_PRIVATE,
        help_texts.TAMBAH.menu,
        help_texts.TAMBAH.help,
        "registers or updates someone (jabatan camat, kapolsek, danramil, koordinator or admin; "
        "kecamatan `-` for koordinator and admin) and ends their open forms",
        usage="<user_id> | <jabatan> | <kecamatan> | <nama>",
        menu=ADMIN_MENU,
        rank=60,
    ),
    Command(
        "setujui",
        decision_cmd,
        ADMIN_PRIVATE,
        help_texts.SETUJUI.menu,
        help_texts.SETUJUI.help,
        "approves a pending registration (as the ✅ button every admin receives; the first "
        "decision wins)",
        usage="<user_id>",
        menu=ADMIN_MENU,
        rank=60,
    ),
    Command(
        "tolak",
        decision_cmd,
        ADMIN_PRIVATE,
        help_texts.TOLAK.menu,
        help_texts.TOLAK.help,
        "rejects a pending registration",
        usage="<user_id>",
        menu=ADMIN_MENU,
        rank=60,
    ),
    Command(
        "nonaktifkan",
        activation_cmd,
        ADMIN_PRIVATE,
        help_texts.NONAKTIFKAN.menu,
        help_texts.NONAKTIFKAN.help,
        "a deactivated member can no longer report or query (their reports stay); ends their "
        "open forms",
        usage="<user_id>",
        menu=ADMIN_MENU,
        rank=60,
    ),
    Command(
        "aktifkan",
        activation_cmd,
        ADMIN_PRIVATE,
        help_texts.AKTIFKAN.menu,
        help_texts.AKTIFKAN.help,
        "activates a member again",
        usage="<user_id>",
        menu=ADMIN_MENU,
        rank=60,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds the registry commands and buttons (the gate has already checked the admin role)."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(decision_cb, pattern=r"^reg:"))
    app.add_handler(CallbackQueryHandler(directory_page_cb, pattern=r"^pg:"))
