"""`/daftar`: self-registration in a few taps; the request waits for an admin's decision."""

from __future__ import annotations

import contextlib
import logging
from html import escape
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import PEOPLE, Access, Rule, access_of
from bot.commands import Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer
from bot.notify import admin_ids, tell
from bot.services import Services
from bot.texts import commands as help_texts
from domain.enums import FIELD_ROLES, REGISTRATION_FLOW, MemberState, Role
from domain.members import Member, RosterRow
from domain.parsing import clean_name, parse_phone, parse_service_number
from storage.drafts import Draft

logger = logging.getLogger(__name__)

FLOW = REGISTRATION_FLOW
KECAMATAN_COLUMNS = 2


def _role_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.ROLE_NAMES[role], callback_data=f"daftar:role:{role.value}"
                )
                for role in FIELD_ROLES
            ]
        ]
    )


def _kecamatan_keyboard(names: tuple[str, ...]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(name, callback_data=f"daftar:kec:{i}") for i, name in enumerate(names)
    ]
    rows = [buttons[i : i + KECAMATAN_COLUMNS] for i in range(0, len(buttons), KECAMATAN_COLUMNS)]
    return InlineKeyboardMarkup(rows)


def _phone_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(texts.DAFTAR_PHONE_BUTTON, request_contact=True)],
            [KeyboardButton(texts.DAFTAR_SKIP)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


async def daftar_cmd(update: Update, context: PoskoContext) -> None:
    """Starts registration, or explains why it is not needed."""
    message = update.effective_message
    actor = context.actor
    if message is None or actor.user_id is None:
        return
    if actor.access is Access.ADMIN:
        await message.reply_text(texts.DAFTAR_ADMIN)
        return
    if actor.member is not None and actor.access in (Access.PETUGAS, Access.KOORDINATOR):
        title = texts.member_title(actor.member.role, actor.member.kecamatan)
        await message.reply_text(texts.DAFTAR_ALREADY_ACTIVE.format(title=title))
        return
    if actor.access is Access.PENDING:
        await message.reply_text(texts.PENDING_WAIT)
        return
    if actor.access is Access.INACTIVE:
        await message.reply_text(texts.INACTIVE)
        return
    services = context.services
    await services.drafts.put(Draft(actor.user_id, FLOW, "role"), services.clock())
    await message.reply_text(texts.DAFTAR_CHOOSE_ROLE, reply_markup=_role_keyboard())


def _skip_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.DAFTAR_SKIP_BUTTON, callback_data="daftar:skip")]]
    )


def _summary_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(texts.DAFTAR_SEND_BUTTON, callback_data="daftar:send")],
            [
                InlineKeyboardButton(texts.DAFTAR_RESTART_BUTTON, callback_data="daftar:restart"),
                InlineKeyboardButton(texts.DAFTAR_CANCEL_BUTTON, callback_data="daftar:cancel"),
            ],
        ]
    )


async def _put(context: PoskoContext, user_id: int, step: str, data: dict[str, Any]) -> None:
    services = context.services
    await services.drafts.put(Draft(user_id, FLOW, step, data), services.clock())


async def daftar_cb(update: Update, context: PoskoContext) -> None:
    """Takes the jabatan, kecamatan, "Lewati" and the summary's buttons."""
    query = update.callback_query
    user_id = context.actor.user_id
    if query is None or not query.data or user_id is None:
        return
    services = context.services
    draft = await services.drafts.get(user_id)
    _, kind, value = [*query.data.split(":", 2), "", ""][:3]
    if draft is None or draft.flow != FLOW:
        await answer(query, texts.STALE_BUTTON)
        with contextlib.suppress(TelegramError):  # already without buttons
            await query.edit_message_reply_markup(None)
        return
    role = Role.parse(value) if kind == "role" else None
    if draft.step == "role" and role is not None and role.is_field:
        await _put(context, user_id, "kecamatan", {"role": role.value})
        await answer(query)
        await query.edit_message_text(
            texts.DAFTAR_CHOOSE_KECAMATAN.format(role=texts.ROLE_NAMES[role]),
            reply_markup=_kecamatan_keyboard(services.region.kecamatan),
        )
        return
    names = services.region.kecamatan
    valid_index = value.isascii() and value.isdigit() and int(value) < len(names)
    if kind == "kec" and draft.step == "kecamatan" and valid_index:
        data = {**draft.data, "kecamatan": names[int(value)]}
        await _put(context, user_id, "name", data)
        await answer(query)
        role_name = texts.ROLE_NAMES[Role(data["role"])]
        await query.edit_message_text(
            texts.DAFTAR_ASK_NAME.format(role=role_name, kecamatan=escape(data["kecamatan"]))
        )
        return
    if kind == "skip" and draft.step == "nrp":
        await answer(query)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await _ask_phone(context, user_id, {**draft.data, "service_number": None})
        return
    if kind == "send" and draft.step == "summary":
        await answer(query)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await _submit(update, context, draft)
        return
    if kind == "restart" and draft.step == "summary":
        await answer(query)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await _put(context, user_id, "role", {})
        await context.bot.send_message(
            user_id, texts.DAFTAR_CHOOSE_ROLE, reply_markup=_role_keyboard()
        )
        return
    if kind == "cancel" and draft.step == "summary":
        await services.drafts.delete(user_id)
        await answer(query)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        await context.bot.send_message(user_id, texts.DAFTAR_CANCELLED)
        return
    await answer(query, texts.STALE_BUTTON)


async def _ask_phone(context: PoskoContext, user_id: int, data: dict[str, Any]) -> None:
    await _put(context, user_id, "phone", data)
    await context.bot.send_message(user_id, texts.DAFTAR_ASK_PHONE, reply_markup=_phone_keyboard())


async def daftar_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes the typed pangkat and name, the NRP/NIP, then the phone (shared, typed, or
    "Lewati"), and shows the summary."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    typed = (message.text or "").strip()
    skipped = typed.casefold() == texts.DAFTAR_SKIP.casefold()
    if draft.step == "name":
        name = clean_name(message.text or "")
        if name is None:
            await message.reply_text(texts.DAFTAR_BAD_NAME)
            return
        await _put(context, user_id, "nrp", {**draft.data, "name": name})
        await message.reply_text(texts.DAFTAR_ASK_NRP, reply_markup=_skip_keyboard())
        return
    if draft.step == "nrp":
        number = None if skipped else parse_service_number(typed)
        if number is None and not skipped:
            await message.reply_text(texts.DAFTAR_BAD_NRP, reply_markup=_skip_keyboard())
            return
        await _ask_phone(context, user_id, {**draft.data, "service_number": number})
        return
    if draft.step == "phone":
        contact = message.contact
        phone = parse_phone(typed) if typed and not skipped else None
        if contact is not None and contact.user_id == user_id:
            phone = contact.phone_number
        elif contact is not None:
            await message.reply_text(texts.DAFTAR_NOT_OWN_CONTACT, reply_markup=_phone_keyboard())
            return
        elif phone is None and not skipped:
            await message.reply_text(texts.DAFTAR_BAD_PHONE, reply_markup=_phone_keyboard())
            return
        data = {**draft.data, "phone": phone}
        await _put(context, user_id, "summary", data)
        await message.reply_text(
            texts.DAFTAR_PHONE_KEPT if phone else texts.DAFTAR_PHONE_SKIPPED,
            reply_markup=ReplyKeyboardRemove(),
        )
        await message.reply_text(
            texts.daftar_summary(
                Role(data["role"]),
                data["kecamatan"],
                data["name"],
                data.get("service_number"),
                phone,
            ),
            reply_markup=_summary_keyboard(),
        )
        return
    await message.reply_text(texts.DAFTAR_USE_BUTTONS)


async def _submit(update: Update, context: PoskoContext, draft: Draft) -> None:
    user_id = context.actor.user_id
    if user_id is None:
        return
    services = context.services
    data = draft.data
    role, kecamatan, name = Role(data["role"]), data["kecamatan"], data["name"]
    phone, number = data.get("phone"), data.get("service_number")
    # Until every admin's notice is recorded, no decision may take the notices (see decide).
    async with services.member_lock(user_id):
        # An admin's /tambah or /nonaktifkan (or the idle sweep) may have ended the form while
        # this answer waited for the lock: then nothing is filed.
        still_open = await services.drafts.get(user_id) == draft
        entry = RosterRow(user_id, role, kecamatan, name, phone, number)
        member = None
        if still_open:
            member = await services.members.request(entry, services.clock())
            await services.drafts.delete(user_id)
        if member is None:
            await context.bot.send_message(
                user_id, await _state_notice(context, user_id), reply_markup=ReplyKeyboardRemove()
            )
            return
        # The admins first: the applicant's own answer must not hold up the request.
        await tell_admins(context.bot, services, member)
        await context.bot.send_message(user_id, texts.daftar_sent(role, kecamatan, name))
    logger.info("Registration request from %s filed", user_id)


async def request_text(services: Services, member: Member) -> str:
    """A registration request as admins see it, warning of others with that jabatan there."""
    holders = (
        await services.members.holders(member.role, member.kecamatan, member.user_id)
        if member.kecamatan is not None
        else []
    )
    return texts.registration_request(
        member.user_id,
        member.role,
        member.kecamatan,
        member.name,
        member.phone,
        member.service_number,
        [(h.name, h.user_id, h.state) for h in holders],
    )


async def tell_admins(bot: Bot, services: Services, member: Member) -> None:
    """Sends every admin the request with ✅/❌ buttons and remembers each notice."""
    request = await request_text(services, member)
    user_id = member.user_id
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(texts.APPROVE_BUTTON, callback_data=f"reg:ok:{user_id}"),
                # Asks "Ya, tolak" first (handlers.registry.members.decision_cb).
                InlineKeyboardButton(texts.REJECT_BUTTON, callback_data=f"reg:no:{user_id}"),
            ]
        ]
    )
    for admin_id in await admin_ids(services):
        sent = await tell(bot, admin_id, request, buttons)
        if sent is not None:
            await services.config.add_notice(user_id, sent.chat_id, sent.message_id)


async def untold_requests_job(context: PoskoContext) -> None:
    """Tells the admins of requests whose filing was interrupted before anyone was told."""
    services = context.services
    for member in await services.members.pending_untold():
        async with services.member_lock(member.user_id):
            current = await services.members.get(member.user_id)
            if current is None or current.state is not MemberState.PENDING:
                continue  # decided meanwhile
            if not await services.config.has_notices(member.user_id):
                logger.warning("Request of %s was never shown to an admin", member.user_id)
                await tell_admins(context.bot, services, current)


async def _state_notice(context: PoskoContext, user_id: int) -> str:
    """What a finished form that filed nothing tells its user, by their registry state."""
    services = context.services
    current = await services.members.get(user_id)
    access = access_of(current, bootstrap_admin=services.is_bootstrap_admin(user_id))
    if access is Access.ADMIN:
        return texts.DAFTAR_ADMIN
    if access in (Access.PETUGAS, Access.KOORDINATOR) and current is not None:
        title = texts.member_title(current.role, current.kecamatan)
        return texts.DAFTAR_ALREADY_ACTIVE.format(title=title)
    notices = {Access.PENDING: texts.PENDING_WAIT, Access.INACTIVE: texts.INACTIVE}
    return notices.get(access, texts.DAFTAR_ENDED)  # unknown: rejected meanwhile, or never


COMMANDS = (
    Command(
        "daftar",
        daftar_cmd,
        Rule(private=PEOPLE),
        help_texts.DAFTAR.menu,
        help_texts.DAFTAR.help,
        "self-registration: jabatan and kecamatan with buttons, pangkat and name, optional "
        'NRP/NIP and phone (contact button, typed, or "Lewati"), then a summary to send; admins '
        "are warned when that jabatan in that kecamatan is already registered; the request "
        "waits for an admin; `/batal` leaves the form",
        menu=frozenset({Access.UNKNOWN}),
        rank=20,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/daftar` and its buttons (typed answers arrive through handlers.dialogs)."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(daftar_cb, pattern=r"^daftar:"))
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            untold_requests_job, interval=300, first=10, name="untold requests"
        )
