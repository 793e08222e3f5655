"""`/arahan`: the form (sasaran, text and attachment, urgency, deadline, group copy), the
one-line form, the preview with ✅ Kirim, and the start of the delivery.

The form lives in the `drafts` table like `/lapor`'s, so it survives a restart; every button
carries the draft's nonce, so buttons of an old or finished form do nothing. ✅ Kirim ends the
form in the transaction that stores the arahan: a second press (or a replay) sends nothing.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import STAFF, Rule
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer, drop_buttons, form_press
from domain.arahan import (
    DEADLINE_CHOICES,
    DEFAULT_DEADLINE_MINUTES,
    MAX_ARAHAN_TEXT,
    Audience,
    AudienceError,
    AudienceInvalid,
    LineError,
    LineInvalid,
    Urgency,
    parse_arahan_line,
    parse_audience,
    parse_minutes,
)
from domain.enums import FIELD_ROLES, Role
from domain.parsing import command_args, is_blank, utf16_len
from handlers.arahan import delivery
from handlers.arahan.reminders import app_of, plan_reminder
from handlers.arahan.runtime import runtime_of, start_round
from storage.arahan import Attachment, NewArahan, NoRecipients
from storage.drafts import Draft

logger = logging.getLogger(__name__)

FLOW = "arahan"
ROLE_BUTTONS = {Role.CAMAT: "Camat", Role.KAPOLSEK: "Kapolsek", Role.DANRAMIL: "Danramil"}


def _button(label: str, nonce: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"arahan:{nonce}:{action}")


def _cancel_row(nonce: str) -> list[InlineKeyboardButton]:
    return [_button(texts.ARAHAN_CANCEL_BUTTON, nonce, "cancel")]


def _mark(label: str, chosen: bool) -> str:
    return texts.ARAHAN_CHOSEN + label if chosen else label


def _roles_keyboard(nonce: str, chosen: list[str]) -> InlineKeyboardMarkup:
    roles = [_button(_mark(ROLE_BUTTONS[r], r.value in chosen), nonce, f"r:{r.value}")
             for r in FIELD_ROLES]  # fmt: skip
    return InlineKeyboardMarkup(
        [
            roles,
            [_button(texts.ARAHAN_ALL_ROLES_BUTTON, nonce, "all")],
            [_button(texts.ARAHAN_NEXT_BUTTON, nonce, "next")],
            _cancel_row(nonce),
        ]
    )


def _kecamatan_keyboard(
    nonce: str, names: tuple[str, ...], chosen: list[str]
) -> InlineKeyboardMarkup:
    buttons = [
        _button(_mark(name, name in chosen), nonce, f"k:{i}") for i, name in enumerate(names)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(
        [
            *rows,
            [_button(texts.ARAHAN_ALL_KECAMATAN_BUTTON, nonce, "kall")],
            [_button(texts.ARAHAN_NEXT_BUTTON, nonce, "next")],
            _cancel_row(nonce),
        ]
    )


def _preview_keyboard(nonce: str, data: dict[str, Any], count: int) -> InlineKeyboardMarkup:
    urgency, minutes, copy = Urgency(data["urgency"]), int(data["minutes"]), data.get("copy")
    rows = [
        [
            _button(texts.urgency_toggle(urgency), nonce, "pu"),
            _button(texts.deadline_toggle(minutes), nonce, "pd"),
        ]
    ]
    if copy is not None:
        rows.append([_button(texts.copy_toggle(bool(copy)), nonce, "pc")])
    last = [_button(texts.ARAHAN_SEND_BUTTON, nonce, "send")] if count else []
    rows.append([*last, _button(texts.ARAHAN_CANCEL_BUTTON, nonce, "cancel")])
    return InlineKeyboardMarkup(rows)


def _audience(data: dict[str, Any], context: PoskoContext) -> Audience:
    return Audience.of(
        (Role(r) for r in data.get("roles", [])),
        data.get("kecamatan", []),
        context.services.region,
    )


async def _save(context: PoskoContext, draft: Draft, step: str, **changes: Any) -> Draft:
    updated = Draft(draft.user_id, FLOW, step, {**draft.data, **changes})
    await context.services.drafts.put(updated, context.services.clock())
    return updated


def _defaults(context: PoskoContext) -> dict[str, Any]:
    has_group = context.services.coordination_chat_id is not None
    return {
        "nonce": secrets.token_hex(4),
        "roles": [],
        "kecamatan": [],
        "text": None,
        "attachment": None,
        "urgency": Urgency.BIASA.value,
        "minutes": DEFAULT_DEADLINE_MINUTES,
        "copy": False if has_group else None,
    }


async def arahan_cmd(update: Update, context: PoskoContext) -> None:
    """Opens the form, or with arguments reads the one-line form and shows its preview."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    args = command_args(message.text or "")
    data = _defaults(context)
    if not args:
        draft = Draft(user_id, FLOW, "roles", data)
        await context.services.drafts.put(draft, context.services.clock())
        await message.reply_text(
            texts.ARAHAN_FORM_ROLES, reply_markup=_roles_keyboard(data["nonce"], [])
        )
        return
    try:
        line = parse_arahan_line(args, context.services.region)
    except LineInvalid as exc:
        await message.reply_text(
            {
                LineError.NO_SEPARATOR: texts.ARAHAN_USAGE,
                LineError.NO_TEXT: texts.ARAHAN_NO_TEXT,
                LineError.TOO_LONG: texts.ARAHAN_TOO_LONG,
            }[exc.reason]
        )
        return
    except AudienceInvalid as exc:
        await message.reply_text(_audience_problem(exc))
        return
    data.update(
        roles=[r.value for r in line.audience.roles],
        kecamatan=list(line.audience.kecamatan),
        text=line.text,
    )
    await _show_preview(context, Draft(user_id, FLOW, "preview", data))


def _audience_problem(exc: AudienceInvalid) -> str:
    if exc.reason is AudienceError.EMPTY:
        return texts.ARAHAN_EMPTY_SASARAN
    return texts.arahan_unknown_sasaran(exc.detail)


async def form_cb(update: Update, context: PoskoContext) -> None:
    """Handles every button of the form and the preview."""
    if (press := await form_press(update, context, FLOW)) is None:
        return
    query, user_id, draft, nonce, verb, arg = press
    step, data = draft.step, draft.data
    names = context.services.region.kecamatan
    if verb == "cancel":
        await context.services.drafts.delete(user_id)
        await answer(query)
        await drop_buttons(query)
        await context.bot.send_message(user_id, texts.ARAHAN_FORM_CANCELLED)
    elif verb == "r" and step == "roles" and arg in {r.value for r in FIELD_ROLES}:
        roles = [r for r in data["roles"] if r != arg] + ([] if arg in data["roles"] else [arg])
        draft = await _save(context, draft, step, roles=roles)
        await answer(query)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(_roles_keyboard(nonce, roles))
    elif verb == "all" and step == "roles":
        await answer(query)
        await drop_buttons(query)
        await _ask_text(context, await _save(context, draft, step, roles=[], kecamatan=[]))
    elif verb == "next" and step == "roles":
        await answer(query)
        await drop_buttons(query)
        draft = await _save(context, draft, "kecamatan")
        label = texts.audience_label(Audience(tuple(Role(r) for r in data["roles"])))
        await context.bot.send_message(
            user_id,
            texts.ARAHAN_FORM_KECAMATAN.format(roles=label),
            reply_markup=_kecamatan_keyboard(nonce, names, data["kecamatan"]),
        )
    elif verb == "k" and step == "kecamatan" and arg.isdigit() and int(arg) < len(names):
        name = names[int(arg)]
        chosen = [k for k in data["kecamatan"] if k != name]
        chosen += [] if name in data["kecamatan"] else [name]
        await _save(context, draft, step, kecamatan=chosen)
        await answer(query)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(_kecamatan_keyboard(nonce, names, chosen))
    elif verb in ("kall", "next") and step == "kecamatan":
        await answer(query)
        await drop_buttons(query)
        if verb == "kall":
            draft = await _save(context, draft, step, kecamatan=[])
        await _ask_text(context, draft)
    elif verb == "skip" and step == "attachment":
        await answer(query)
        await drop_buttons(query)
        await _ask_urgency(context, draft)
    elif verb == "u" and step == "urgency" and arg in {u.value for u in Urgency}:
        await answer(query)
        await drop_buttons(query)
        draft = await _save(context, draft, "deadline", urgency=arg)
        await context.bot.send_message(
            user_id, texts.ARAHAN_FORM_DEADLINE, reply_markup=_deadline_keyboard(nonce)
        )
    elif verb == "d" and step == "deadline" and arg.isdigit() and int(arg) in DEADLINE_CHOICES:
        await answer(query)
        await drop_buttons(query)
        await _after_deadline(context, await _save(context, draft, step, minutes=int(arg)))
    elif verb == "c" and step == "copy" and arg in ("0", "1"):
        await answer(query)
        await drop_buttons(query)
        await _show_preview(context, await _save(context, draft, step, copy=arg == "1"))
    elif verb in ("pu", "pd", "pc") and step == "preview":
        await answer(query)
        await _toggle(context, query, draft, verb)
    elif verb == "send" and step == "preview":
        await _send(context, query, draft)
    else:
        await answer(query, texts.STALE_BUTTON)


def _deadline_keyboard(nonce: str) -> InlineKeyboardMarkup:
    choices = [_button(texts.arahan_deadline_button(m), nonce, f"d:{m}") for m in DEADLINE_CHOICES]
    return InlineKeyboardMarkup([choices, _cancel_row(nonce)])


async def _ask_text(context: PoskoContext, draft: Draft) -> None:
    """Counts who the sasaran reaches, then asks for the text (or back to the sasaran)."""
    audience = _audience(draft.data, context)
    count = await context.services.arahan.count_audience(audience)
    nonce = draft.data["nonce"]
    if not count:
        draft = await _save(context, draft, "roles", roles=[], kecamatan=[])
        await context.bot.send_message(draft.user_id, texts.ARAHAN_NO_RECIPIENTS)
        await context.bot.send_message(
            draft.user_id, texts.ARAHAN_FORM_ROLES, reply_markup=_roles_keyboard(nonce, [])
        )
        return
    await _save(context, draft, "text")
    await context.bot.send_message(
        draft.user_id,
        texts.ARAHAN_FORM_TEXT.format(audience=texts.audience_label(audience), count=count),
        reply_markup=InlineKeyboardMarkup([_cancel_row(nonce)]),
    )


async def _ask_urgency(context: PoskoContext, draft: Draft) -> None:
    nonce = draft.data["nonce"]
    await _save(context, draft, "urgency")
    buttons = [_button(texts.URGENCY_LABEL[u], nonce, f"u:{u.value}") for u in Urgency]
    await context.bot.send_message(
        draft.user_id,
        texts.ARAHAN_FORM_URGENCY,
        reply_markup=InlineKeyboardMarkup([buttons, _cancel_row(nonce)]),
    )


async def _after_deadline(context: PoskoContext, draft: Draft) -> None:
    """Asks about the group copy when there is a group; else shows the preview."""
    if draft.data.get("copy") is None:
        await _show_preview(context, draft)
        return
    nonce = draft.data["nonce"]
    await _save(context, draft, "copy")
    buttons = [
        _button(texts.ARAHAN_COPY_YES, nonce, "c:1"),
        _button(texts.ARAHAN_COPY_NO, nonce, "c:0"),
    ]
    await context.bot.send_message(
        draft.user_id,
        texts.ARAHAN_FORM_COPY,
        reply_markup=InlineKeyboardMarkup([buttons, _cancel_row(nonce)]),
    )


async def _preview(context: PoskoContext, data: dict[str, Any]) -> tuple[str, int]:
    audience = _audience(data, context)
    count = await context.services.arahan.count_audience(audience)
    attachment = data.get("attachment")
    text = texts.arahan_preview(
        audience,
        count,
        data["text"],
        Urgency(data["urgency"]),
        int(data["minutes"]),
        data.get("copy"),
        texts.attachment_label(attachment["kind"], attachment.get("name")) if attachment else None,
    )
    return text, count


async def _show_preview(context: PoskoContext, draft: Draft) -> None:
    text, count = await _preview(context, draft.data)
    await context.services.drafts.put(Draft(draft.user_id, FLOW, "preview", draft.data),
                                      context.services.clock())  # fmt: skip
    await context.bot.send_message(
        draft.user_id, text, reply_markup=_preview_keyboard(draft.data["nonce"], draft.data, count)
    )


async def _toggle(context: PoskoContext, query: CallbackQuery, draft: Draft, verb: str) -> None:
    data = dict(draft.data)
    if verb == "pu":
        data["urgency"] = (
            Urgency.BIASA if data["urgency"] == Urgency.SEGERA.value else Urgency.SEGERA
        ).value
    elif verb == "pd":
        minutes = int(data["minutes"])
        later = [m for m in DEADLINE_CHOICES if m > minutes]
        data["minutes"] = later[0] if later else DEADLINE_CHOICES[0]
    elif data.get("copy") is not None:
        data["copy"] = not data["copy"]
    draft = await _save(context, draft, "preview", **data)
    text, count = await _preview(context, data)
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(
            text, reply_markup=_preview_keyboard(data["nonce"], data, count)
        )


async def _send(context: PoskoContext, query: CallbackQuery, draft: Draft) -> None:
    """Stores the arahan with every recipient (ending the form), then starts delivering."""
    services, actor = context.services, context.actor
    data = draft.data
    member = actor.member
    user = query.from_user
    attachment = data.get("attachment")
    new = NewArahan(
        sender_id=draft.user_id,
        sender_name=member.name if member is not None else user.full_name,
        sender_role=Role.ADMIN if actor.is_admin else Role.KOORDINATOR,
        audience=_audience(data, context),
        text=data["text"],
        urgency=Urgency(data["urgency"]),
        deadline_minutes=int(data["minutes"]),
        copy_group=bool(data.get("copy")),
        attachment=(
            Attachment(attachment["kind"], attachment["file_id"], attachment.get("name"))
            if attachment
            else None
        ),
    )
    try:
        arahan = await services.arahan.create(new, services.clock(), draft=(draft.user_id, FLOW))
    except NoRecipients:
        await answer(query, texts.ARAHAN_NO_RECIPIENTS[:200])
        return
    if arahan is None:  # pressed again: the first press sent it
        await answer(query, texts.STALE_BUTTON)
        return
    await answer(query)
    # The preview becomes the notice (the live tally follows as its own message): one new
    # message in the sender's chat, not two at once.
    with contextlib.suppress(TelegramError):
        await query.edit_message_text(texts.arahan_sent(arahan.number, arahan.recipients))
    logger.info(
        "Arahan #%s by %s to %s recipients", arahan.number, draft.user_id, arahan.recipients
    )
    app = app_of(context)
    plan_reminder(app, services, arahan.number, arahan.next_reminder_at)
    start_round(
        app,
        services,
        delivery.deliver(
            context.bot, services, runtime_of(app.bot_data), arahan.number, lambda: app.running
        ),
    )


async def form_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes typed answers: a sasaran, the text, an attachment, a deadline in minutes."""
    message = update.effective_message
    if message is None:
        return
    step = draft.step
    if step in ("roles", "kecamatan") and message.text:
        try:
            audience = parse_audience(message.text, context.services.region)
        except AudienceInvalid as exc:
            await message.reply_text(_audience_problem(exc))
            return
        draft = await _save(
            context,
            draft,
            step,
            roles=[r.value for r in audience.roles],
            kecamatan=list(audience.kecamatan),
        )
        await _ask_text(context, draft)
    elif step == "text":
        await _text_input(context, message, draft)
    elif step == "attachment":
        found = _attachment_of(message)
        if found is None:
            await message.reply_text(texts.ARAHAN_FORM_FILE_HINT)
            return
        draft = await _save(context, draft, step, attachment=found)
        await _ask_urgency(context, draft)
    elif step == "deadline" and message.text:
        minutes = parse_minutes(message.text)
        if minutes is None:
            await message.reply_text(texts.ARAHAN_FORM_DEADLINE_INVALID)
            return
        await _after_deadline(context, await _save(context, draft, step, minutes=minutes))
    else:
        await message.reply_text(texts.ARAHAN_FORM_USE_BUTTONS)


async def _text_input(context: PoskoContext, message: Message, draft: Draft) -> None:
    found = _attachment_of(message)
    typed = (message.text or message.caption or "").strip()
    if found is not None:
        draft = await _save(context, draft, "text", attachment=found)
    if is_blank(typed):
        await message.reply_text(
            texts.ARAHAN_FORM_TEXT_AFTER_FILE if found else texts.ARAHAN_FORM_TEXT_EMPTY
        )
        return
    if utf16_len(typed) > MAX_ARAHAN_TEXT:
        await message.reply_text(texts.ARAHAN_TOO_LONG)
        return
    draft = await _save(context, draft, "text", text=typed)
    if draft.data.get("attachment"):
        await _ask_urgency(context, draft)
        return
    nonce = draft.data["nonce"]
    await _save(context, draft, "attachment")
    await message.reply_text(
        texts.ARAHAN_FORM_ATTACHMENT,
        reply_markup=InlineKeyboardMarkup(
            [[_button(texts.ARAHAN_SKIP_BUTTON, nonce, "skip")], _cancel_row(nonce)]
        ),
    )


def _attachment_of(message: Message) -> dict[str, Any] | None:
    """The photo (largest size) or document of a message, as the draft keeps it."""
    if message.photo:
        return {"kind": "photo", "file_id": message.photo[-1].file_id, "name": None}
    if message.document is not None:
        return {
            "kind": "document",
            "file_id": message.document.file_id,
            "name": message.document.file_name,
        }
    return None


COMMANDS = (
    Command(
        "arahan",
        arahan_cmd,
        Rule(private=STAFF),
        texts.ARAHAN_COMMAND.menu,
        texts.ARAHAN_COMMAND.help,
        "alone: the form (sasaran by jabatan and kecamatan, text of up to 3,000 characters "
        "with an optional photo or document, urgency Biasa or Segera, confirmation deadline "
        "in minutes, copy to the group), then a preview with the number of recipients and "
        "✅ Kirim; with arguments, the same preview in one line: `sasaran` is `semua`, a "
        "jabatan, kecamatan separated by commas, or a jabatan followed by kecamatan",
        usage="[sasaran | teks]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/arahan` and the form's buttons (typed answers come through handlers.dialogs)."""
    runtime_of(app.bot_data)
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(form_cb, pattern=r"^arahan:"))
