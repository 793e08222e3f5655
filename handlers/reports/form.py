"""The guided `/lapor` form: level, category, narrative, photos, location, summary, send.

State lives in the `drafts` table (not in memory), so an officer halfway through the form when
the bot restarts simply continues. Every button carries the draft's nonce: buttons of an old or
finished form do nothing.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sqlite3
from typing import Any

from telegram import (
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
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer
from domain.enums import Category, Level
from domain.parsing import MAX_REPORT_TEXT, is_blank, utf16_len
from domain.reports import NewReport, Photo
from handlers.reports.filing import file_report
from storage.drafts import Draft

logger = logging.getLogger(__name__)

FLOW = "lapor"
MAX_PHOTOS = 5
EDITABLE = ("level", "category", "text", "photos", "location")


def _button(label: str, nonce: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"lapor:{nonce}:{action}")


def _level_keyboard(nonce: str) -> InlineKeyboardMarkup:
    buttons = [_button(texts.level_badge(level), nonce, f"lvl:{int(level)}") for level in Level]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:], [_cancel(nonce)]])


def _cancel(nonce: str) -> InlineKeyboardButton:
    return _button(texts.CANCEL_BUTTON, nonce, "cancel")


def _category_keyboard(nonce: str) -> InlineKeyboardMarkup:
    buttons = [_button(texts.CATEGORY_LABEL[c], nonce, f"cat:{c.value}") for c in Category]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup([*rows, [_cancel(nonce)]])


def _summary_keyboard(nonce: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.SEND_BUTTON, nonce, "send")],
            [_button(texts.EDIT_BUTTON, nonce, "edit"), _cancel(nonce)],
        ]
    )


def _edit_keyboard(nonce: str) -> InlineKeyboardMarkup:
    parts = [_button(texts.EDIT_LABELS[p], nonce, f"edit:{p}") for p in EDITABLE]
    return InlineKeyboardMarkup(
        [parts[:3], parts[3:], [_button(texts.BACK_BUTTON, nonce, "back")]]
    )


def _location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(texts.LOCATION_BUTTON, request_location=True)],
            [KeyboardButton(texts.LOCATION_SKIP)],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def _level(data: dict[str, Any]) -> Level:
    return Level(int(data["level"]))


async def _save(context: PoskoContext, draft: Draft, step: str, **changes: Any) -> Draft:
    updated = Draft(draft.user_id, FLOW, step, {**draft.data, **changes})
    await context.services.drafts.put(updated, context.services.clock())
    return updated


async def start_form(update: Update, context: PoskoContext) -> None:
    """Opens a new form (replacing any open one)."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    nonce = secrets.token_hex(4)
    sent = await message.reply_text(texts.FORM_LEVEL, reply_markup=_level_keyboard(nonce))
    data = {"nonce": nonce, "text": "", "photos": [], "form_message_id": sent.message_id}
    await context.services.drafts.put(
        Draft(user_id, FLOW, "level", data), context.services.clock()
    )


async def form_cb(update: Update, context: PoskoContext) -> None:
    """Handles every button of the form."""
    query = update.callback_query
    user_id = context.actor.user_id
    if query is None or not query.data or user_id is None:
        return
    _, nonce, action = [*query.data.split(":", 2), "", ""][:3]
    draft = await context.services.drafts.get(user_id)
    if draft is None or draft.flow != FLOW or draft.data.get("nonce") != nonce:
        await answer(query, texts.STALE_BUTTON)
        await _drop_buttons(query)
        return
    verb, _, arg = action.partition(":")
    step = draft.step
    if verb == "cancel":
        await context.services.drafts.delete(user_id)
        await answer(query)
        await _drop_buttons(query)
        await context.bot.send_message(
            user_id, texts.FORM_CANCELLED, reply_markup=ReplyKeyboardRemove()
        )
    elif verb == "lvl" and step in ("level", "aman") and arg in {str(int(v)) for v in Level}:
        await _level_chosen(update, context, draft, Level(int(arg)))
    elif verb == "nihil" and step == "aman":
        await answer(query)
        await _submit(update, context, draft, nihil=True)
    elif verb == "more" and step == "aman":
        await answer(query)
        await _ask_category(update, context, draft)
    elif verb == "cat" and step == "category" and arg in {c.value for c in Category}:
        await answer(query)
        await _category_chosen(update, context, draft, arg)
    elif verb in ("skip", "done") and step == "photos":
        await answer(query)
        await _drop_buttons(query)
        await _after(update, context, draft, "photos")
    elif verb == "send" and step == "summary":
        await answer(query)
        await _submit(update, context, draft, nihil=False)
    elif verb == "edit" and step == "summary" and not arg:
        await answer(query)
        await _save(context, draft, "edit")
        await query.edit_message_reply_markup(_edit_keyboard(nonce))
    elif verb == "back" and step == "edit":
        await answer(query)
        await _save(context, draft, "summary")
        await query.edit_message_reply_markup(_summary_keyboard(nonce))
    elif verb == "edit" and step == "edit" and arg in EDITABLE:
        await answer(query)
        await _drop_buttons(query)
        await _edit_part(update, context, draft, arg)
    else:
        await answer(query, texts.STALE_BUTTON)


async def _drop_buttons(query: Any) -> None:
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)


async def _level_chosen(update: Update, context: PoskoContext, draft: Draft, level: Level) -> None:
    query = update.callback_query
    if query is None:
        return
    await answer(query)
    nonce = draft.data["nonce"]
    if level is Level.AMAN and not draft.data.get("editing"):
        await _save(context, draft, "aman", level=int(level))
        keyboard = InlineKeyboardMarkup(
            [
                [_button(texts.NIHIL_BUTTON, nonce, "nihil")],
                [_button(texts.MORE_BUTTON, nonce, "more")],
                [_cancel(nonce)],
            ]
        )
        await query.edit_message_text(texts.FORM_AMAN, reply_markup=keyboard)
        return
    draft = await _save(context, draft, draft.step, level=int(level))
    if draft.data.get("editing"):
        await _drop_buttons(query)
        await _show_summary(update, context, draft)
        return
    await _ask_category(update, context, draft)


async def _ask_category(update: Update, context: PoskoContext, draft: Draft) -> None:
    query = update.callback_query
    await _save(context, draft, "category")
    text = texts.FORM_CATEGORY.format(level=texts.level_badge(_level(draft.data)))
    markup = _category_keyboard(draft.data["nonce"])
    if query is not None:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        await context.bot.send_message(draft.user_id, text, reply_markup=markup)


async def _category_chosen(
    update: Update, context: PoskoContext, draft: Draft, category: str
) -> None:
    query = update.callback_query
    draft = await _save(context, draft, draft.step, category=category)
    if draft.data.get("editing"):
        if query is not None:
            await _drop_buttons(query)
        await _show_summary(update, context, draft)
        return
    await _save(context, draft, "text")
    prompt = texts.FORM_TEXT.format(
        level=texts.level_badge(_level(draft.data)),
        category=texts.category_label(category),
    )
    if query is not None:
        await query.edit_message_text(prompt)


async def _ask_photos(context: PoskoContext, draft: Draft) -> None:
    await _save(context, draft, "photos", photos=[])
    markup = InlineKeyboardMarkup([[_button(texts.SKIP_BUTTON, draft.data["nonce"], "skip")]])
    await context.bot.send_message(draft.user_id, texts.FORM_PHOTOS, reply_markup=markup)


async def _ask_location(context: PoskoContext, draft: Draft) -> None:
    await _save(context, draft, "location")
    await context.bot.send_message(
        draft.user_id, texts.FORM_LOCATION, reply_markup=_location_keyboard()
    )


async def _after(update: Update, context: PoskoContext, draft: Draft, step: str) -> None:
    """Moves on from a finished step: to the next one, or back to the summary when editing."""
    draft = await context.services.drafts.get(draft.user_id) or draft
    if draft.data.get("editing") or step == "location":
        await _show_summary(update, context, draft)
    elif step == "text":
        await _ask_photos(context, draft)
    elif step == "photos":
        await _ask_location(context, draft)


async def _show_summary(update: Update, context: PoskoContext, draft: Draft) -> None:
    data = draft.data
    text = texts.form_summary(
        _level(data),
        data.get("category"),
        data.get("text", ""),
        len(data.get("photos", [])),
        data.get("lat") is not None,
    )
    sent = await context.bot.send_message(
        draft.user_id, text, reply_markup=_summary_keyboard(data["nonce"])
    )
    await _save(context, draft, "summary", editing=False, summary_message_id=sent.message_id)


async def _edit_part(update: Update, context: PoskoContext, draft: Draft, part: str) -> None:
    draft = await _save(context, draft, part, editing=True)
    nonce = draft.data["nonce"]
    if part == "level":
        await context.bot.send_message(
            draft.user_id, texts.FORM_LEVEL, reply_markup=_level_keyboard(nonce)
        )
    elif part == "category":
        await context.bot.send_message(
            draft.user_id,
            texts.FORM_CATEGORY.format(level=texts.level_badge(_level(draft.data))),
            reply_markup=_category_keyboard(nonce),
        )
    elif part == "text":
        await context.bot.send_message(
            draft.user_id,
            texts.FORM_TEXT.format(
                level=texts.level_badge(_level(draft.data)),
                category=texts.category_label(draft.data.get("category")),
            ),
        )
    elif part == "photos":
        await _ask_photos(context, draft)
    elif part == "location":
        await _ask_location(context, draft)


async def form_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes typed text, photos and locations for the step the officer is at."""
    message = update.effective_message
    if message is None:
        return
    if draft.step == "text":
        text = (message.text or "").strip()
        if not message.text or is_blank(text):
            await message.reply_text(texts.FORM_TEXT_EMPTY)
            return
        if utf16_len(text) > MAX_REPORT_TEXT:
            await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
            return
        draft = await _save(context, draft, "text", text=text)
        await _after(update, context, draft, "text")
    elif draft.step == "photos":
        photos = list(draft.data.get("photos", []))
        if not message.photo:
            await message.reply_text(texts.FORM_PHOTO_HINT)
            return
        if len(photos) >= MAX_PHOTOS:
            await message.reply_text(texts.FORM_PHOTO_LIMIT)
            return
        largest = message.photo[-1]
        photos.append([largest.file_id, largest.file_unique_id])
        draft = await _save(context, draft, "photos", photos=photos)
        markup = InlineKeyboardMarkup([[_button(texts.DONE_BUTTON, draft.data["nonce"], "done")]])
        await message.reply_text(
            texts.form_photo_received(len(photos), MAX_PHOTOS), reply_markup=markup
        )
    elif draft.step == "location":
        if message.location is not None:
            draft = await _save(
                context,
                draft,
                "location",
                lat=message.location.latitude,
                lon=message.location.longitude,
            )
            await message.reply_text(texts.FORM_LOCATION_OK, reply_markup=ReplyKeyboardRemove())
        elif (message.text or "").strip().casefold() == texts.LOCATION_SKIP.casefold():
            draft = await _save(context, draft, "location", lat=None, lon=None)
            await message.reply_text(
                texts.FORM_LOCATION_SKIPPED, reply_markup=ReplyKeyboardRemove()
            )
        else:
            await message.reply_text(texts.FORM_LOCATION_HINT, reply_markup=_location_keyboard())
            return
        await _show_summary(update, context, draft)
    else:
        await message.reply_text(texts.FORM_USE_BUTTONS)


async def _submit(update: Update, context: PoskoContext, draft: Draft, *, nihil: bool) -> None:
    officer = context.actor.officer
    query = update.callback_query
    if officer is None or officer.kecamatan is None or query is None:
        return
    services = context.services
    data = draft.data
    source = data["form_message_id"] if nihil else data["summary_message_id"]
    new = NewReport(
        officer_id=officer.user_id,
        kecamatan=officer.kecamatan,
        role=officer.role,
        level=Level.AMAN if nihil else _level(data),
        text="" if nihil else data.get("text", ""),
        created_at=services.clock(),
        source_chat_id=officer.user_id,
        source_message_id=int(source),
        update_id=update.update_id,
        category=None if nihil else data.get("category"),
        photos=() if nihil else tuple(Photo(f, u) for f, u in data.get("photos", [])),
        latitude=None if nihil else data.get("lat"),
        longitude=None if nihil else data.get("lon"),
    )
    try:
        report = await file_report(context.bot, services, officer, new, None)
    except sqlite3.Error:
        logger.exception("Could not store a form report from officer %s", officer.user_id)
        await context.bot.send_message(officer.user_id, texts.SAVE_FAILED)
        return
    # The report is committed and receipted: nothing below may ask the officer to resend it.
    # A draft left behind is harmless: "Kirim" again is the same message, and the idle sweep
    # clears it.
    try:
        await services.drafts.delete(officer.user_id)
    except sqlite3.Error:
        logger.warning("Form of report #%s not cleared; the idle sweep will", report.number)
    try:
        await query.edit_message_reply_markup(None)
    except TelegramError:
        logger.info("Form buttons of report #%s already gone", report.number)


def register(app: PoskoApp) -> None:
    """Adds the form's buttons (typed answers and the idle sweep live in handlers.dialogs)."""
    app.add_handler(CallbackQueryHandler(form_cb, pattern=r"^lapor:"))
