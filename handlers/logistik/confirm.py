"""Officers confirm logistics stages ("✅ Sudah", optional photo and count) and report a
"⚠️ Ada kendala", from the buttons of `/logistik`.

Buttons carry the stage key and the kecamatan (its position in the region file), so a button
of another kecamatan, forged or left from before the officer moved, is refused. The dialog state
lives in `drafts` (flow "logistik"), so it survives a restart; its buttons carry the draft's
nonce. A kendala is filed as a real Logistik report through the same path as `/lapor` (number,
incident, receipt, group alert), linked to its stage by the message it came from.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer, drop_buttons
from bot.services import Services
from domain.enums import Category, Level
from domain.logistics import (
    Chain,
    Confirmation,
    ConfirmCheck,
    ConfirmOutcome,
    CountInvalid,
    NewConfirmation,
    Stage,
    TpsCount,
    confirm_check,
    corroboration_offer,
    parse_count,
)
from domain.members import Member
from domain.parsing import MAX_REPORT_TEXT, is_blank, utf16_len
from domain.reports import NewReport, Photo
from handlers.reports import incidents
from handlers.reports.filing import file_report
from storage.drafts import Draft

logger = logging.getLogger(__name__)

FLOW = "logistik"
PREFIX = "lg"
PROOF, KENDALA_LEVEL, KENDALA_TEXT = "bukti", "kendala_tingkat", "kendala_teks"
KENDALA_LEVELS = (Level.WASPADA, Level.RAWAN, Level.DARURAT)
# The open dialogs a logistics button may replace: its own, and a ➕ Perkembangan waiting for
# its one message, in which nothing is typed yet.
REPLACES = frozenset({FLOW, incidents.FLOW})


def _button(label: str, *parts: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=":".join((PREFIX, *map(str, parts))))


def officer_markup(chain: Chain, officer_id: int, place: int) -> InlineKeyboardMarkup | None:
    """The buttons of an officer's view: the next stage's "✅ Sudah" and "⚠️ Ada kendala", and
    "👍 Benarkan" for the last stage another officer confirmed."""
    rows = []
    following = chain.next
    if following is not None:
        key = following.stage.key
        rows.append(
            [
                _button(texts.LOGISTIK_DONE_BUTTON, "ok", key, place),
                _button(texts.LOGISTIK_KENDALA_BUTTON, "kd", key, place),
            ]
        )
    offer = corroboration_offer(chain, officer_id)
    if offer is not None:
        label = texts.logistik_corroborate_button(offer.stage.number)
        rows.append([_button(label, "ok", offer.stage.key, place)])
    return InlineKeyboardMarkup(rows) if rows else None


async def officer_chain(services: Services, kecamatan: str) -> Chain:
    """The chain of one kecamatan as it stands now."""
    board = await services.logistics.board(
        services.logistics_plan, services.region, services.clock(), kecamatan
    )
    chain = board.chain(kecamatan)
    if chain is None:  # pragma: no cover - the board was built for this kecamatan
        raise LookupError(kecamatan)
    return chain


def _stage_and_place(services: Services, key: str, place: str) -> tuple[Stage, str] | None:
    """The stage and kecamatan a button names; None for a button that names neither."""
    stage = services.logistics_plan.by_key(key)
    names = services.region.kecamatan
    if stage is None or not (place.isascii() and place.isdigit() and int(place) < len(names)):
        return None
    return stage, names[int(place)]


async def logistik_cb(update: Update, context: PoskoContext) -> None:
    """Handles every button of the logistics view and its dialogs (officers only: the gate)."""
    query = update.callback_query
    officer = context.actor.officer
    if query is None or not query.data or officer is None or officer.kecamatan is None:
        return
    verb, *args = query.data.split(":")[1:] or [""]
    if verb in ("ok", "kd") and len(args) == 2:
        found = _stage_and_place(context.services, args[0], args[1])
        if found is None:
            await answer(query, texts.STALE_BUTTON)
            return
        stage, kecamatan = found
        if kecamatan != officer.kecamatan:
            await answer(query, texts.LOGISTIK_NOT_OWN)
            return
        if verb == "ok":
            await _start_confirmation(update, context, officer, stage)
        else:
            await _start_kendala(update, context, officer, stage)
        return
    draft = await context.services.drafts.get(officer.user_id)
    if draft is None or draft.flow != FLOW or not args or draft.data.get("nonce") != args[0]:
        await answer(query, texts.STALE_BUTTON)
        await drop_buttons(query)
        return
    if verb == "x":
        await context.services.drafts.delete(officer.user_id)
        await answer(query)
        await drop_buttons(query)
        await context.bot.send_message(officer.user_id, texts.LOGISTIK_CANCELLED)
    elif verb == "sv" and draft.step == PROOF and query.message is not None:
        await answer(query)
        await drop_buttons(query)
        source = (query.message.chat.id, query.message.message_id)
        await _store_confirmation(context, officer, draft, None, None, source)
    elif verb == "lv" and draft.step == KENDALA_LEVEL and len(args) == 2:
        await _level_chosen(update, context, draft, args[1])
    else:
        await answer(query, texts.STALE_BUTTON)


async def _start_confirmation(
    update: Update, context: PoskoContext, officer: Member, stage: Stage
) -> None:
    """Checks the stage may be confirmed by this officer now and asks for the proof."""
    query = update.callback_query
    services = context.services
    kecamatan = officer.kecamatan or ""
    chain = await officer_chain(services, kecamatan)
    check = confirm_check(chain, stage.key, officer.user_id)
    refusal = _refusal(check, chain, stage, officer, services)
    if refusal is not None:
        await answer(query, refusal)
        return
    nonce = secrets.token_hex(4)
    corroborating = check is ConfirmCheck.CORROBORATE
    data = {"nonce": nonce, "stage": stage.key, "kecamatan": kecamatan}
    if not await _open_dialog(context, Draft(officer.user_id, FLOW, PROOF, data), query):
        return
    markup = InlineKeyboardMarkup(
        [[_button(texts.LOGISTIK_SAVE_BUTTON, "sv", nonce)],
         [_button(texts.LOGISTIK_CANCEL_BUTTON, "x", nonce)]]
    )  # fmt: skip
    prompt = texts.logistik_ask_proof(stage, kecamatan, chain.tps, corroborating=corroborating)
    await context.bot.send_message(officer.user_id, prompt, reply_markup=markup)


def _refusal(
    check: ConfirmCheck | None, chain: Chain, stage: Stage, officer: Member, services: Services
) -> str | None:
    """Why this officer may not confirm the stage now (None: they may)."""
    if check is None:
        return texts.STALE_BUTTON
    if check is ConfirmCheck.OUT_OF_ORDER and chain.next is not None:
        return texts.logistik_out_of_order(stage, chain.next.stage)
    if check is ConfirmCheck.ALREADY:
        status = chain.status(stage.key)
        mine = status.confirmed_by(officer.user_id) if status is not None else None
        moment = (mine.at if mine else services.clock()).astimezone(services.settings.timezone)
        return texts.logistik_already(stage, moment)
    return None


async def _open_dialog(context: PoskoContext, dialog: Draft, query: CallbackQuery | None) -> bool:
    """Starts a logistics dialog, replacing an earlier one (or a ➕ Perkembangan waiting for
    its message, which holds nothing typed yet), never a form the officer is filling in (a
    half-typed /lapor would be lost): they are asked to finish or cancel it first."""
    services = context.services
    busy = await services.drafts.put_unless_busy(dialog, services.clock(), replaces=REPLACES)
    await answer(query)
    if busy is not None:
        await context.bot.send_message(dialog.user_id, texts.LOGISTIK_FINISH_FORM_FIRST)
        return False
    return True


async def _start_kendala(
    update: Update, context: PoskoContext, officer: Member, stage: Stage
) -> None:
    """Asks the level of a kendala on a stage."""
    query = update.callback_query
    nonce = secrets.token_hex(4)
    data = {"nonce": nonce, "stage": stage.key, "kecamatan": officer.kecamatan}
    if not await _open_dialog(context, Draft(officer.user_id, FLOW, KENDALA_LEVEL, data), query):
        return
    levels = [_button(texts.level_badge(lv), "lv", nonce, int(lv)) for lv in KENDALA_LEVELS]
    markup = InlineKeyboardMarkup([levels, [_button(texts.LOGISTIK_CANCEL_BUTTON, "x", nonce)]])
    prompt = texts.logistik_ask_level(stage, officer.kecamatan or "")
    await context.bot.send_message(officer.user_id, prompt, reply_markup=markup)


async def _level_chosen(update: Update, context: PoskoContext, draft: Draft, value: str) -> None:
    query = update.callback_query
    services = context.services
    stage = services.logistics_plan.by_key(str(draft.data.get("stage")))
    levels = {str(int(lv)): lv for lv in KENDALA_LEVELS}
    if query is None or stage is None or value not in levels:
        await answer(query, texts.STALE_BUTTON)
        return
    level = levels[value]
    updated = Draft(draft.user_id, FLOW, KENDALA_TEXT, {**draft.data, "level": int(level)})
    await services.drafts.put(updated, services.clock())
    await answer(query)
    try:
        await query.edit_message_text(texts.logistik_ask_kendala(stage, level))
    except TelegramError:
        await context.bot.send_message(draft.user_id, texts.logistik_ask_kendala(stage, level))


# --- typed answers ----------------------------------------------------------------------------


async def logistik_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes the proof of a confirmation (photo, count) or the text of a kendala."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None:
        return
    if officer is None or officer.kecamatan != draft.data.get("kecamatan"):
        # Deactivated, or moved to another kecamatan, since the dialog began.
        await context.services.drafts.delete(draft.user_id)
        await message.reply_text(texts.INACTIVE if officer is None else texts.LOGISTIK_NOT_OWN)
        return
    if draft.step == PROOF:
        await _proof_input(context, officer, draft, message)
    elif draft.step == KENDALA_TEXT:
        await _kendala_input(update, context, officer, draft, message)
    else:
        await message.reply_text(texts.LOGISTIK_USE_BUTTONS)


async def _proof_input(
    context: PoskoContext, officer: Member, draft: Draft, message: Message
) -> None:
    services = context.services
    stage = services.logistics_plan.by_key(str(draft.data.get("stage")))
    kecamatan = officer.kecamatan or ""
    if stage is None:  # the logistics file changed under the dialog
        await services.drafts.delete(draft.user_id)
        await message.reply_text(texts.STALE_BUTTON)
        return
    photo = None
    if message.photo:
        largest = message.photo[-1]
        photo = (largest.file_id, largest.file_unique_id)
        typed = message.caption or ""
    elif message.text is not None:
        typed = message.text
    else:  # a file, voice note, sticker, location...: a photo is a photo
        await message.reply_text(texts.LOGISTIK_PHOTO_ONLY)
        return
    count = None
    if not is_blank(typed) and stage.counted:
        tps = services.logistics_plan.tps.get(kecamatan)
        try:
            count = parse_count(typed, tps)
        except CountInvalid as exc:
            await message.reply_text(texts.logistik_count_error(exc.reason, kecamatan, tps))
            return
    elif not is_blank(typed) and photo is None:
        await message.reply_text(texts.LOGISTIK_NO_COUNT)
        return
    source = (message.chat_id, message.message_id)
    await _store_confirmation(context, officer, draft, count, photo, source)


async def _store_confirmation(
    context: PoskoContext,
    officer: Member,
    draft: Draft,
    count: TpsCount | None,
    photo: tuple[str, str] | None,
    source: tuple[int, int],
) -> None:
    """Stores the confirmation (or corroboration), answers, and ends the dialog."""
    services = context.services
    user_id = officer.user_id
    stage = services.logistics_plan.by_key(str(draft.data.get("stage")))
    kecamatan = officer.kecamatan or ""
    if stage is None or kecamatan != draft.data.get("kecamatan"):
        await services.drafts.delete(user_id)
        await context.bot.send_message(user_id, texts.LOGISTIK_NOT_OWN)
        return
    chain = await officer_chain(services, kecamatan)
    check = confirm_check(chain, stage.key, user_id)
    if check is None or check is ConfirmCheck.OUT_OF_ORDER:
        # (ALREADY goes on to storage: the same message again is answered as the first time.)
        await services.drafts.delete(user_id)
        refusal = _refusal(check, chain, stage, officer, services) or texts.STALE_BUTTON
        await context.bot.send_message(user_id, refusal)
        return
    new = NewConfirmation(
        kecamatan=kecamatan,
        stage=stage.key,
        officer_id=user_id,
        officer_name=officer.name,
        role=officer.role,
        at=services.clock(),
        source=source,
        count=count,
        photo=photo,
    )
    try:
        stored, outcome = await services.logistics.confirm(new)
    except sqlite3.Error:
        logger.exception("Could not store a logistics confirmation from %s", user_id)
        await context.bot.send_message(user_id, texts.STORAGE_ERROR)
        return  # the dialog stays: the next message tries again
    await _finish_confirmation(context, officer, stage, stored, outcome)


async def _finish_confirmation(
    context: PoskoContext,
    officer: Member,
    stage: Stage,
    stored: Confirmation,
    outcome: ConfirmOutcome,
) -> None:
    """What follows a stored confirmation: the answer, then the end of the dialog. In that
    order: killed before the answer, the message handled again still reaches the dialog, is
    recognised as stored, and is answered (a kill in between repeats only the answer)."""
    services = context.services
    user_id, kecamatan = officer.user_id, officer.kecamatan or ""
    tz = services.settings.timezone
    if outcome is ConfirmOutcome.ALREADY:
        moment = stored.at.astimezone(tz)
        await context.bot.send_message(user_id, texts.logistik_already(stage, moment))
    else:
        chain = await officer_chain(services, kecamatan)
        status = chain.status(stage.key)
        following = chain.next
        answer_text = texts.logistik_confirmed(
            stage,
            kecamatan,
            stored,
            tz,
            following.stage if following is not None else None,
            status.first if status is not None else None,
        )
        await context.bot.send_message(user_id, answer_text)
    await services.drafts.delete(user_id)


async def _kendala_input(
    update: Update, context: PoskoContext, officer: Member, draft: Draft, message: Message
) -> None:
    """Files the kendala as a Logistik report linked to its stage, then ends the dialog."""
    services = context.services
    stage = services.logistics_plan.by_key(str(draft.data.get("stage")))
    if stage is None:
        await services.drafts.delete(draft.user_id)
        await message.reply_text(texts.STALE_BUTTON)
        return
    typed = (message.text or message.caption or "").strip()
    if is_blank(typed):
        await message.reply_text(texts.LOGISTIK_KENDALA_EMPTY)
        return
    if utf16_len(typed) > MAX_REPORT_TEXT:
        await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
        return
    photos: tuple[Photo, ...] = ()
    if message.photo:
        largest = message.photo[-1]
        photos = (Photo(largest.file_id, largest.file_unique_id),)
    kecamatan = officer.kecamatan or ""
    source = (message.chat_id, message.message_id)
    new = NewReport(
        officer_id=officer.user_id,
        kecamatan=kecamatan,
        role=officer.role,
        level=Level(int(draft.data.get("level", int(Level.WASPADA)))),
        text=texts.logistik_kendala_report(stage, typed),
        created_at=services.clock(),
        source_chat_id=source[0],
        source_message_id=source[1],
        update_id=update.update_id,
        category=Category.LOGISTIK.value,
        photos=photos,
    )
    try:
        # The link first, keyed by this message: the report filed from it is the kendala.
        await services.logistics.link_kendala(
            source, kecamatan, stage.key, officer.user_id, services.clock()
        )
        report = await file_report(context.bot, services, officer, new, message.message_id)
    except sqlite3.Error:
        logger.exception("Could not store a logistics kendala from %s", officer.user_id)
        await message.reply_text(texts.SAVE_FAILED)
        return  # the dialog stays: the next message tries again
    # Committed and receipted: nothing below may ask the officer to send it again. Answered
    # before the dialog ends, so a crash in between leaves the answer to the replay.
    number = report.incident if report.incident is not None else report.number
    await message.reply_text(texts.logistik_kendala_saved(stage, number))
    try:
        await services.drafts.delete(draft.user_id)
    except sqlite3.Error:
        logger.warning("Kendala dialog of report #%s not cleared", report.number)


def register(app: PoskoApp) -> None:
    """Adds the logistics buttons (typed answers go through handlers.dialogs)."""
    app.add_handler(CallbackQueryHandler(logistik_cb, pattern=rf"^{PREFIX}:"))
