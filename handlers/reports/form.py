"""The guided `/lapor` form: level, category, narrative, photos, location, summary, send.

State lives in the `drafts` table (not in memory), so an officer halfway through the form when
the bot restarts simply continues. Every button carries the draft's nonce: buttons of an old or
finished form do nothing.

Nothing the officer sends is thrown away: a photo, voice note or video is kept at whatever step
it arrives (its caption counts as narrative), text typed where a button was expected is taken as
narrative (or as the level or category it names), and each answer says the report is not sent
until ✅ Kirim.
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import sqlite3
from collections.abc import Sequence
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
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer, drop_buttons, form_press
from bot.services import Services
from domain.enums import Category, Level
from domain.parsing import MAX_REPORT_TEXT, is_blank, utf16_len
from domain.reports import MediaKind, NewReport, Photo
from handlers.reports.filing import file_report
from handlers.reports.media import MAX_MEDIA, MAX_PHOTOS, Attached, attached_to, split
from storage.drafts import Draft

logger = logging.getLogger(__name__)

FLOW = "lapor"
EDITABLE = ("level", "category", "text", "photos", "location")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def _button(label: str, nonce: str, action: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=f"lapor:{nonce}:{action}")


def _level_keyboard(nonce: str) -> InlineKeyboardMarkup:
    buttons = [_button(texts.level_badge(level), nonce, f"lvl:{int(level)}") for level in Level]
    return InlineKeyboardMarkup([buttons[:2], buttons[2:], [_cancel(nonce)]])


def _aman_keyboard(nonce: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(texts.NIHIL_BUTTON, nonce, "nihil")],
            [_button(texts.MORE_BUTTON, nonce, "more")],
            [_cancel(nonce)],
        ]
    )


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


def _attachments_keyboard(draft: Draft) -> InlineKeyboardMarkup:
    """Selesai once something is attached, Lewati before."""
    nonce = draft.data["nonce"]
    if draft.data.get("photos") or draft.data.get("media"):
        return InlineKeyboardMarkup([[_button(texts.DONE_BUTTON, nonce, "done")]])
    return InlineKeyboardMarkup([[_button(texts.SKIP_BUTTON, nonce, "skip")]])


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


def _media_kinds(data: dict[str, Any]) -> tuple[MediaKind, ...]:
    return tuple(MediaKind(Attached.from_json(item).kind) for item in data.get("media", []))


async def _save(context: PoskoContext, draft: Draft, step: str, **changes: Any) -> Draft:
    updated = Draft(draft.user_id, FLOW, step, {**draft.data, **changes})
    await context.services.drafts.put(updated, context.services.clock())
    return updated


async def start_form(
    update: Update, context: PoskoContext, attachments: tuple[Attached, ...] = ()
) -> None:
    """Opens a new form, keeping what came with the command (a form the officer is filling in
    is kept: they choose to go on with it or start again)."""
    user_id = context.actor.user_id
    if user_id is not None:
        await open_form(context.bot, context.services, user_id, attachments)


async def open_form(
    bot: Bot, services: Services, user_id: int, attachments: tuple[Attached, ...] = ()
) -> None:
    """Sends the level question of a new form and stores the form as a draft.

    A /lapor form already open is never replaced unasked (a reminder's "📝 Lapor kejadian",
    /lapor typed again, an album captioned /lapor): the officer is asked to go on with it
    (▶️ Lanjutkan) or start again (🔄 Mulai baru, which sends back what they had typed), and
    what came with the new /lapor waits in the open form for that choice. Any other dialog is
    replaced, as before.
    """
    current = await services.drafts.get(user_id)
    if current is not None and current.flow == FLOW:
        await _offer_choice(bot, services, current, attachments)
        return
    nonce = secrets.token_hex(4)
    sent = await bot.send_message(user_id, texts.FORM_LEVEL, reply_markup=_level_keyboard(nonce))
    draft = Draft(user_id, FLOW, "level", _new_form(nonce, attachments, sent.message_id))
    busy = await services.drafts.put_unless_open(draft, services.clock(), keeps={FLOW})
    if busy is not None:  # a form was opened meanwhile (e.g. an album finished beside /lapor)
        with contextlib.suppress(TelegramError):
            await bot.edit_message_reply_markup(user_id, sent.message_id, reply_markup=None)
        await _offer_choice(bot, services, busy, attachments)


def _new_form(nonce: str, attachments: Sequence[Attached], message_id: int) -> dict[str, Any]:
    return {
        "nonce": nonce,
        "text": "",
        "photos": [[a.file_id, a.file_unique_id] for a in attachments if a.kind == "photo"],
        "media": [a.as_json() for a in attachments if a.kind != "photo"],
        "form_message_id": message_id,
    }


def attachment_count(data: dict[str, Any]) -> int:
    """Photos and recordings a form holds, with those waiting for the officer's choice."""
    return sum(len(data.get(key, [])) for key in ("photos", "media", "incoming"))


async def _offer_choice(
    bot: Bot, services: Services, draft: Draft, attachments: tuple[Attached, ...]
) -> None:
    """Asks whether to go on with the open form or start again; what came with the new /lapor
    waits in the open form (once each, however often this runs)."""
    data = draft.data
    incoming = list(data.get("incoming", []))
    recordings = [Attached.from_json(item) for item in [*data.get("media", []), *incoming]]
    held = {unique for _, unique in data.get("photos", [])}
    held |= {item.file_unique_id for item in recordings}
    incoming += [a.as_json() for a in attachments if a.file_unique_id not in held]
    if len(incoming) > len(data.get("incoming", [])):
        draft = Draft(draft.user_id, FLOW, draft.step, {**data, "incoming": incoming})
        await services.drafts.put(draft, services.clock())
    nonce = draft.data["nonce"]
    level = _level(draft.data) if draft.data.get("level") is not None else None
    markup = InlineKeyboardMarkup(
        [
            [
                _button(texts.FORM_RESUME_BUTTON, nonce, "resume"),
                _button(texts.FORM_RESTART_BUTTON, nonce, "restart"),
            ]
        ]
    )
    text = texts.form_still_open(
        level,
        str(draft.data.get("text") or ""),
        len(draft.data.get("photos", [])) + len(draft.data.get("media", [])),
        len(incoming),
    )
    await bot.send_message(draft.user_id, text, reply_markup=markup)


async def _resume(update: Update, context: PoskoContext, draft: Draft) -> None:
    """▶️ Lanjutkan: what waited for the choice joins the form; its current step is asked
    again."""
    data = draft.data
    incoming = [Attached.from_json(item) for item in data.get("incoming", [])]
    photos = list(data.get("photos", []))
    photos += [[a.file_id, a.file_unique_id] for a in incoming if a.kind == "photo"]
    media = list(data.get("media", []))
    media += [a.as_json() for a in incoming if a.kind != "photo"]
    draft = await _save(context, draft, draft.step, photos=photos, media=media, incoming=[])
    await _ask_again(update, context, draft)


async def _ask_again(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Sends the question of the step the form is at, with its buttons."""
    bot, nonce, step = context.bot, draft.data["nonce"], draft.step
    user_id = draft.user_id
    if step == "aman" and _holds_attachments(draft.data):
        step = "category"  # photos or recordings are no nihil report
        draft = await _save(context, draft, step)
    if step == "level":
        await bot.send_message(user_id, texts.FORM_LEVEL, reply_markup=_level_keyboard(nonce))
    elif step == "aman":
        await bot.send_message(user_id, texts.FORM_AMAN, reply_markup=_aman_keyboard(nonce))
    elif step == "category":
        text = texts.FORM_CATEGORY.format(level=texts.level_badge(_level(draft.data)))
        await bot.send_message(user_id, text, reply_markup=_category_keyboard(nonce))
    elif step == "text":
        prompt = texts.FORM_TEXT.format(
            level=texts.level_badge(_level(draft.data)),
            category=texts.category_label(draft.data.get("category")),
        )
        await bot.send_message(user_id, prompt)
    elif step == "photos":
        await bot.send_message(
            user_id, texts.FORM_PHOTOS, reply_markup=_attachments_keyboard(draft)
        )
    elif step == "location":
        await bot.send_message(user_id, texts.FORM_LOCATION, reply_markup=_location_keyboard())
    else:  # the summary, or the choice of what to change: the summary again
        await _show_summary(update, context, draft)


async def _restart(context: PoskoContext, draft: Draft) -> None:
    """🔄 Mulai baru: sends back what the open form held, then opens a new one with what came
    with the new /lapor. The old form goes only once its text is delivered."""
    data = draft.data
    level = _level(data) if data.get("level") is not None else None
    await context.bot.send_message(
        draft.user_id,
        texts.form_restarted(
            level,
            str(data.get("text") or ""),
            len(data.get("photos", [])) + len(data.get("media", [])),
        ),
        reply_markup=ReplyKeyboardRemove(),
    )
    incoming = tuple(Attached.from_json(item) for item in data.get("incoming", []))
    nonce = secrets.token_hex(4)
    sent = await context.bot.send_message(
        draft.user_id, texts.FORM_LEVEL, reply_markup=_level_keyboard(nonce)
    )
    new = Draft(draft.user_id, FLOW, "level", _new_form(nonce, incoming, sent.message_id))
    await context.services.drafts.put(new, context.services.clock())


def _holds_attachments(data: dict[str, Any]) -> bool:
    return bool(data.get("photos") or data.get("media"))


async def form_cb(update: Update, context: PoskoContext) -> None:
    """Handles every button of the form."""
    if (press := await form_press(update, context, FLOW)) is None:
        return
    query, user_id, draft, nonce, verb, arg = press
    step = draft.step
    if verb == "cancel":
        await context.services.drafts.delete(user_id)
        await answer(query)
        await drop_buttons(query)
        await context.bot.send_message(
            user_id, texts.FORM_CANCELLED, reply_markup=ReplyKeyboardRemove()
        )
    elif verb == "lvl" and step in ("level", "aman") and arg in {str(int(v)) for v in Level}:
        await answer(query)
        await _level_chosen(update, context, draft, Level(int(arg)))
    elif verb == "nihil" and step == "aman":
        await answer(query)
        await _nihil(update, context, draft)
    elif verb == "resume":
        await answer(query)
        await drop_buttons(query)
        await _resume(update, context, draft)
    elif verb == "restart":
        await answer(query)
        await drop_buttons(query)
        await _restart(context, draft)
    elif verb == "more" and step == "aman":
        await answer(query)
        await _ask_category(update, context, draft)
    elif verb == "cat" and step == "category" and arg in {c.value for c in Category}:
        await answer(query)
        await _category_chosen(update, context, draft, arg)
    elif verb in ("skip", "done") and step == "photos":
        await answer(query)
        await drop_buttons(query)
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
        await drop_buttons(query)
        await _edit_part(update, context, draft, arg)
    else:
        await answer(query, texts.STALE_BUTTON)


async def _show(
    update: Update, context: PoskoContext, draft: Draft, text: str, markup: InlineKeyboardMarkup
) -> None:
    """Puts the next question in place of the pressed button's message, or below a typed answer."""
    query = update.callback_query
    if query is not None:
        await query.edit_message_text(text, reply_markup=markup)
    else:
        await context.bot.send_message(draft.user_id, text, reply_markup=markup)


async def _level_chosen(update: Update, context: PoskoContext, draft: Draft, level: Level) -> None:
    """Stores the level; Aman asks nihil or more, the others ask for a category."""
    nonce = draft.data["nonce"]
    editing = bool(draft.data.get("editing"))
    # Nihil is "nothing happened": with a narrative, photos or recordings it would throw them
    # away, so the form goes on to the category.
    holds = draft.data.get("text") or _holds_attachments(draft.data)
    if level is Level.AMAN and not editing and not holds:
        await _save(context, draft, "aman", level=int(level))
        await _show(update, context, draft, texts.FORM_AMAN, _aman_keyboard(nonce))
        return
    draft = await _save(context, draft, draft.step, level=int(level))
    if editing:
        if update.callback_query is not None:
            await drop_buttons(update.callback_query)
        await _show_summary(update, context, draft)
        return
    await _ask_category(update, context, draft)


async def _ask_category(update: Update, context: PoskoContext, draft: Draft) -> None:
    draft = await _save(context, draft, "category")
    text = texts.FORM_CATEGORY.format(level=texts.level_badge(_level(draft.data)))
    await _show(update, context, draft, text, _category_keyboard(draft.data["nonce"]))


async def _category_chosen(
    update: Update, context: PoskoContext, draft: Draft, category: str
) -> None:
    """Stores the category, then asks for the narrative (unless the officer already wrote it)."""
    query = update.callback_query
    draft = await _save(context, draft, draft.step, category=category)
    if draft.data.get("editing") or draft.data.get("text"):
        if query is not None:
            await drop_buttons(query)
        if draft.data.get("editing"):
            await _show_summary(update, context, draft)
        else:
            await _after(update, context, draft, "text")
        return
    draft = await _save(context, draft, "text")
    prompt = texts.FORM_TEXT.format(
        level=texts.level_badge(_level(draft.data)),
        category=texts.category_label(category),
    )
    if query is not None:
        await query.edit_message_text(prompt)
    else:
        await context.bot.send_message(draft.user_id, prompt)


async def _ask_photos(context: PoskoContext, draft: Draft, *, reset: bool = False) -> None:
    changes: dict[str, Any] = {"photos": [], "media": []} if reset else {}
    draft = await _save(context, draft, "photos", **changes)
    await context.bot.send_message(
        draft.user_id, texts.FORM_PHOTOS, reply_markup=_attachments_keyboard(draft)
    )


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
    elif step == "photos" and draft.data.get("lat") is not None:
        await _show_summary(update, context, draft)  # the location was shared already
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
        _media_kinds(data),
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
        await _ask_photos(context, draft, reset=True)
    elif part == "location":
        await _ask_location(context, draft)


# --- typed answers and whatever else the officer sends -------------------------------------------


async def form_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes typed text, photos, recordings and locations for the step the officer is at."""
    message = update.effective_message
    if message is None:
        return
    attached = attached_to(message)
    if attached is not None:
        await _take_attachment(update, context, draft, attached, message.caption or "")
    elif message.location is not None:
        location = message.location
        draft = await _save(
            context, draft, draft.step, lat=location.latitude, lon=location.longitude
        )
        if draft.step == "location":
            await message.reply_text(texts.FORM_LOCATION_OK, reply_markup=ReplyKeyboardRemove())
            await _show_summary(update, context, draft)
        else:  # shared early: kept, and asked for no more
            await _reply_kept(update, context, draft, texts.FORM_LOCATION_KEPT)
    elif message.text is not None:
        await _take_text(update, context, draft, message.text)
    elif draft.step == "photos":
        await message.reply_text(texts.FORM_PHOTO_HINT, reply_markup=_attachments_keyboard(draft))
    elif draft.step == "location":
        await message.reply_text(texts.FORM_LOCATION_HINT, reply_markup=_location_keyboard())
    elif draft.step == "text":
        await message.reply_text(texts.FORM_TEXT_HINT)
    else:
        await message.reply_text(texts.FORM_USE_BUTTONS)


def _typed_category(text: str) -> str | None:
    """The category a typed word names ("kamtibmas", "Politik Uang"), if any."""
    wanted = " ".join(text.casefold().split())
    for category in Category:
        if wanted in (category.value, texts.CATEGORY_LABEL[category].casefold()):
            return category.value
    return None


async def _take_text(update: Update, context: PoskoContext, draft: Draft, typed: str) -> None:
    """Typed text: the answer the step asks for, or else kept as narrative."""
    message = update.effective_message
    if message is None:
        return
    text = typed.strip()
    word = " ".join(text.casefold().split())
    step = draft.step
    if is_blank(text):
        await message.reply_text(
            texts.FORM_TEXT_EMPTY if step == "text" else texts.FORM_USE_BUTTONS
        )
        return
    if step in ("level", "aman") and (level := Level.parse(word)) is not None:
        await _level_chosen(update, context, draft, level)
    elif step == "aman" and word == "nihil":
        await _nihil(update, context, draft)
    elif step == "category" and (category := _typed_category(word)) is not None:
        await _category_chosen(update, context, draft, category)
    elif step == "text":
        if utf16_len(text) > MAX_REPORT_TEXT:
            await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
            return
        draft = await _save(context, draft, "text", text=text)
        await _after(update, context, draft, "text")
    elif step == "photos" and word in texts.PHOTO_STEP_WORDS:
        await _after(update, context, draft, "photos")
    elif step == "location" and word == texts.LOCATION_SKIP.casefold():
        draft = await _save(context, draft, "location", lat=None, lon=None)
        await message.reply_text(texts.FORM_LOCATION_SKIPPED, reply_markup=ReplyKeyboardRemove())
        await _show_summary(update, context, draft)
    elif step in ("level", "aman", "category") and len(word.split()) < 2:
        # One unknown word where a button was expected is a slip, not a narrative.
        await message.reply_text(
            texts.FORM_LEVEL_UNKNOWN if step == "level" else texts.FORM_USE_BUTTONS
        )
    else:
        await _add_narrative(update, context, draft, text)


async def _add_narrative(update: Update, context: PoskoContext, draft: Draft, text: str) -> None:
    """Keeps text sent where the step asked for something else, as (more) narrative."""
    message = update.effective_message
    if message is None:
        return
    before = draft.data.get("text", "")
    combined = f"{before}\n{text}" if before else text
    if utf16_len(combined) > MAX_REPORT_TEXT:
        await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
        return
    label = texts.FORM_TEXT_ADDED if before else texts.FORM_TEXT_KEPT
    draft = await _save(context, draft, draft.step, text=combined)
    if draft.step == "aman":  # "Ada catatan" in words: on to the category
        await message.reply_text(texts.form_kept(label, texts.FORM_NEXT_CATEGORY))
        await _ask_category(update, context, draft)
        return
    await _reply_kept(update, context, draft, label)


async def _take_attachment(
    update: Update, context: PoskoContext, draft: Draft, item: Attached, caption: str
) -> None:
    """Keeps a photo or recording (its caption as narrative) at any step."""
    message = update.effective_message
    if message is None:
        return
    photos = list(draft.data.get("photos", []))
    media = list(draft.data.get("media", []))
    if item.kind == "photo" and len(photos) >= MAX_PHOTOS:
        await message.reply_text(texts.FORM_PHOTO_LIMIT, reply_markup=_attachments_keyboard(draft))
        return
    if item.kind != "photo" and len(media) >= MAX_MEDIA:
        await message.reply_text(texts.FORM_MEDIA_LIMIT, reply_markup=_attachments_keyboard(draft))
        return
    if item.kind == "photo":
        photos.append([item.file_id, item.file_unique_id])
    else:
        media.append(item.as_json())
    changes: dict[str, Any] = {"photos": photos, "media": media}
    caption = "" if is_blank(caption) else caption.strip()
    if caption:
        before = draft.data.get("text", "")
        combined = f"{before}\n{caption}" if before else caption
        if utf16_len(combined) <= MAX_REPORT_TEXT:
            changes["text"] = combined
    # At the Aman step a photo or recording means something to report: on to the category
    # (the Nihil button of that step is stale from now on).
    step = "category" if draft.step == "aman" else draft.step
    draft = await _save(context, draft, step, **changes)
    if draft.step == "text" and draft.data.get("text"):
        await _after(update, context, draft, "text")  # the caption was the narrative
    elif draft.step == "photos":
        text = texts.form_attachments_kept(item.kind, len(photos), len(media), MAX_PHOTOS)
        await _reply_kept(update, context, draft, "", whole=text)
    else:
        await _reply_kept(update, context, draft, texts.attachment_name(item.kind))


async def _reply_kept(
    update: Update, context: PoskoContext, draft: Draft, what: str, *, whole: str = ""
) -> None:
    """Says what was kept and what to do next, with the step's buttons again.

    The items of an album arrive one message each: the answer to the first is edited for the
    next ones rather than repeated.
    """
    message = update.effective_message
    if message is None:
        return
    step = draft.step
    nonce = draft.data["nonce"]
    markup: Markup = None
    if step in ("summary", "edit"):
        await message.reply_text(texts.form_kept(what, texts.FORM_NEXT_SUMMARY))
        await _show_summary(update, context, draft)
        return
    if step == "level":
        next_step, markup = texts.FORM_NEXT_LEVEL, _level_keyboard(nonce)
    elif step == "aman":
        next_step, markup = texts.FORM_USE_BUTTONS, _aman_keyboard(nonce)
    elif step == "category":
        next_step, markup = texts.FORM_NEXT_CATEGORY, _category_keyboard(nonce)
    elif step == "text":
        next_step = texts.FORM_NEXT_TEXT
    elif step == "photos":
        next_step, markup = texts.FORM_NEXT_ATTACHMENTS, _attachments_keyboard(draft)
    else:
        next_step, markup = texts.FORM_NEXT_LOCATION, _location_keyboard()
    text = whole or texts.form_kept(what, next_step)
    album = message.media_group_id
    earlier = draft.data.get("album_reply") if album and draft.data.get("album") == album else None
    if earlier is not None and not isinstance(markup, ReplyKeyboardMarkup):
        with contextlib.suppress(TelegramError):  # unchanged text: nothing to edit
            await context.bot.edit_message_text(
                text, draft.user_id, int(earlier), reply_markup=markup
            )
        return
    sent = await message.reply_text(text, reply_markup=markup)
    if album:
        await _save(context, draft, step, album=album, album_reply=sent.message_id)


async def _nihil(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Files the form as a nihil report, unless it holds photos or recordings (then the form
    goes on to the category: a nihil report would drop them)."""
    if _holds_attachments(draft.data):
        await _ask_category(update, context, draft)
        return
    await _submit(update, context, draft, nihil=True)


async def _submit(update: Update, context: PoskoContext, draft: Draft, *, nihil: bool) -> None:
    """Files the form's report: committed, then receipted (and escalated when urgent)."""
    officer = context.actor.officer
    if officer is None or officer.kecamatan is None:
        return
    query = update.callback_query
    message = update.effective_message
    services = context.services
    data = draft.data
    if nihil and query is None and message is not None:
        source = message.message_id  # "nihil" typed at the Aman step
    else:
        source = int(data["form_message_id"] if nihil else data["summary_message_id"])
    media = tuple(Attached.from_json(item) for item in data.get("media", []))
    new = NewReport(
        officer_id=officer.user_id,
        kecamatan=officer.kecamatan,
        role=officer.role,
        level=Level.AMAN if nihil else _level(data),
        text="" if nihil else data.get("text", ""),
        created_at=services.clock(),
        source_chat_id=officer.user_id,
        source_message_id=source,
        update_id=update.update_id,
        category=None if nihil else data.get("category"),
        photos=() if nihil else tuple(Photo(f, u) for f, u in data.get("photos", [])),
        latitude=None if nihil else data.get("lat"),
        longitude=None if nihil else data.get("lon"),
        media=() if nihil else split(media)[1],
    )
    try:
        report = await file_report(context.bot, services, officer, new, None)
    except sqlite3.Error:
        logger.exception("Could not store a form report from officer %s", officer.user_id)
        await context.bot.send_message(officer.user_id, texts.FORM_SAVE_FAILED)
        return
    # The report is committed and receipted: nothing below may ask the officer to resend it.
    # A draft left behind is harmless: "Kirim" again is the same message, and the idle sweep
    # clears it.
    try:
        await services.drafts.delete(officer.user_id)
    except sqlite3.Error:
        logger.warning("Form of report #%s not cleared; the idle sweep will", report.number)
    else:
        # Photos or recordings sent with a new /lapor while this form was open: a new form.
        incoming = tuple(Attached.from_json(item) for item in data.get("incoming", []))
        if incoming:
            await open_form(context.bot, services, officer.user_id, incoming)
    try:
        if query is not None:
            await query.edit_message_reply_markup(None)
        else:
            await context.bot.edit_message_reply_markup(
                officer.user_id, int(data["form_message_id"]), reply_markup=None
            )
    except TelegramError:
        logger.info("Form buttons of report #%s already gone", report.number)


def register(app: PoskoApp) -> None:
    """Adds the form's buttons (typed answers and the idle sweep live in handlers.dialogs)."""
    app.add_handler(CallbackQueryHandler(form_cb, pattern=r"^lapor:"))
