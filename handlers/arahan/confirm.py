"""The officer's side: "✅ Dipahami" and "💬 Tanggapi".

Callback data can be forged, so a press counts only for the officer who pressed, on a copy (or
reminder) in their own chat that shows that very button: the recipient row is looked up by the
presser's user id, never by anything in the data but the arahan number. A press by anyone else,
or of data its message does not show, changes nothing.

Answers are capped (MAX_ANSWERS per officer and arahan: the group must not be flooded); a relay
that failed is recorded as not done and retried by the catch-up, and the officer is told so.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import keyboards, texts
from bot.context import PoskoApp, PoskoContext
from bot.notify import send_group
from bot.services import Services
from domain.arahan import MAX_ANSWER_TEXT, MAX_ANSWERS, DeliveryState
from domain.parsing import is_blank, utf16_len
from handlers.arahan.runtime import ArahanRuntime, runtime_of
from handlers.arahan.tally import tally_changed
from storage.arahan import Answer, Arahan, Recipient
from storage.drafts import Draft

logger = logging.getLogger(__name__)

ANSWER_FLOW = "tanggapan"
# The catch-up retries a failed relay of an answer this many times (once a minute), and leaves
# answers younger than RELAY_SETTLE to the handler that is relaying them.
RELAY_ATTEMPTS = 30
RELAY_SETTLE = timedelta(minutes=1)
# Seconds a press waits for its copy's record (a round trip, the rate limiter's queue): within
# the 15 seconds Telegram gives a button's answer.
SETTLE_WAIT = 10.0


def confirmed_markup(
    number: int, recipient: Recipient, services: Services
) -> InlineKeyboardMarkup:
    """The buttons once confirmed: "✅ Dipahami pukul 14.05" and 💬 Tanggapi."""
    moment = recipient.confirmed_at or services.clock()
    label = texts.confirmed_button(moment.astimezone(services.settings.timezone))
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=f"arh:ok:{number}")],
            [InlineKeyboardButton(texts.ARAHAN_ANSWER_BUTTON, callback_data=f"arh:re:{number}")],
        ]
    )


async def recipient_cb(update: Update, context: PoskoContext) -> None:
    """✅ Dipahami or 💬 Tanggapi on an officer's copy (the gate let petugas through)."""
    query = update.callback_query
    user_id = context.actor.user_id
    if query is None or not query.data or user_id is None:
        return
    _, action, number_text = [*query.data.split(":", 2), "", ""][:3]
    if not (number_text.isascii() and number_text.isdigit() and len(number_text) < 13):
        await keyboards.answer(query, texts.STALE_BUTTON)
        return
    message = query.message
    if (
        not isinstance(message, Message)
        or message.chat_id != user_id
        or not keyboards.carries(message, query.data)
    ):
        # Only a copy (or reminder) in the presser's own chat, showing this button, is theirs.
        await keyboards.answer(query, texts.ARAHAN_NOT_FOR_YOU)
        return
    number = int(number_text)
    if action == "ok":
        await _confirm(context, query, message, number, user_id)
    elif action == "re":
        await _ask_answer(context, query, number, user_id)
    else:
        await keyboards.answer(query, texts.STALE_BUTTON)


async def _confirm(
    context: PoskoContext, query: CallbackQuery, message: Message, number: int, user_id: int
) -> None:
    services = context.services
    state = runtime_of(context.bot_data)
    await copy_settled(state, number, user_id)
    await record_unrecorded(services, state, number, user_id)
    now = services.clock()
    # A press proves the copy arrived, even one recorded unreachable (storage marks it).
    recipient, changed = await services.arahan.confirm(number, user_id, now, message.message_id)
    if recipient is None:
        await keyboards.answer(query, texts.ARAHAN_NOT_FOR_YOU)
        return
    local = now.astimezone(services.settings.timezone)
    if changed:
        await keyboards.answer(query, texts.confirmed_toast(local, recipient.late))
        tally_changed(context.bot, services, state, number)
        logger.info("Arahan #%s confirmed by %s (late: %s)", number, user_id, recipient.late)
    elif recipient.confirmed_at is not None:
        at = recipient.confirmed_at.astimezone(services.settings.timezone)
        await keyboards.answer(query, texts.already_confirmed_toast(at))
    else:  # pressed in the instant between the copy going out and it being recorded
        await keyboards.answer(query, texts.ARAHAN_NOT_YET)
        return
    markup = confirmed_markup(number, recipient, services)
    with contextlib.suppress(TelegramError):  # already shows it ("not modified")
        await query.edit_message_reply_markup(markup)
    if recipient.message_id is not None and recipient.message_id != message.message_id:
        # Pressed under a reminder: the copy itself shows it too.
        with contextlib.suppress(TelegramError):
            await context.bot.edit_message_reply_markup(
                chat_id=user_id, message_id=recipient.message_id, reply_markup=markup
            )


async def copy_settled(state: ArahanRuntime, number: int, user_id: int) -> None:
    """Waits until the copy on its way to `user_id`, if any, is recorded: Telegram shows the
    officer their copy half a round trip before the bot hears that it was taken, and a press in
    between would otherwise find it not yet delivered."""
    event = state.sending.get((number, user_id))
    if event is not None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SETTLE_WAIT):
                await event.wait()


async def record_unrecorded(
    services: Services, state: ArahanRuntime, number: int, user_id: int
) -> None:
    """Records a copy Telegram took whose record the database refused, if it can now."""
    message_id = state.unrecorded.get((number, user_id))
    if message_id is None or number in state.rounds:
        return  # a running round records its own
    try:
        await services.arahan.delivered(number, user_id, message_id, services.clock())
    except sqlite3.Error as exc:
        logger.warning("Arahan #%s to %s still not recorded: %s", number, user_id, exc)
        return
    state.unrecorded.pop((number, user_id), None)


async def _ask_answer(
    context: PoskoContext, query: CallbackQuery, number: int, user_id: int
) -> None:
    services = context.services
    await copy_settled(runtime_of(context.bot_data), number, user_id)
    recipient = await services.arahan.recipient(number, user_id)
    if recipient is None:
        await keyboards.answer(query, texts.ARAHAN_NOT_FOR_YOU)
        return
    if recipient.state is DeliveryState.PENDING:  # a copy recorded unreachable has arrived
        await keyboards.answer(query, texts.ARAHAN_NOT_YET)
        return
    given = await services.arahan.answers_by(number, user_id)
    await keyboards.answer(query)
    if given >= MAX_ANSWERS:
        await context.bot.send_message(user_id, texts.answer_limit_reached(number))
        return
    # Never replaces a form being filled in (a half-typed /lapor would be lost, and the
    # officer's next message would go to the sender as an answer).
    dialog = Draft(user_id, ANSWER_FLOW, "text", {"arahan": number})
    busy = await services.drafts.put_unless_busy(dialog, services.clock(), replaces={ANSWER_FLOW})
    if busy is not None:
        await context.bot.send_message(user_id, texts.answer_finish_form_first(number))
        return
    await context.bot.send_message(user_id, texts.ask_answer(number, given))


async def answer_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes the one message of an answer and relays it to the sender (and the group)."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None:
        return
    typed = (message.text or message.caption or "").strip()
    if is_blank(typed):
        await message.reply_text(texts.ARAHAN_ANSWER_EMPTY)
        return
    if utf16_len(typed) > MAX_ANSWER_TEXT:
        await message.reply_text(texts.ARAHAN_ANSWER_TOO_LONG)
        return
    services = context.services
    number = int(draft.data.get("arahan", 0))
    arahan = await services.arahan.get(number)
    recipient = await services.arahan.recipient(number, draft.user_id)
    if officer is None or arahan is None or recipient is None:
        await services.drafts.delete(draft.user_id)
        await message.reply_text(texts.ARAHAN_NOT_FOR_YOU)
        return
    answer, _ = await services.arahan.add_answer(
        number,
        draft.user_id,
        typed,
        services.clock(),
        (message.chat_id, message.message_id),
        MAX_ANSWERS,
    )
    if answer is None:  # answered MAX_ANSWERS times meanwhile (another dialog)
        await services.drafts.delete(draft.user_id)
        await message.reply_text(texts.answer_limit_reached(number))
        return
    # Whoever answers has read the arahan: the answer confirms it, if nothing did before.
    confirmed, changed = await services.arahan.confirm(number, draft.user_id, answer.at)
    if changed and confirmed is not None:
        tally_changed(context.bot, services, runtime_of(context.bot_data), number)
        if confirmed.message_id is not None:
            with contextlib.suppress(TelegramError):
                await context.bot.edit_message_reply_markup(
                    chat_id=draft.user_id,
                    message_id=confirmed.message_id,
                    reply_markup=confirmed_markup(number, confirmed, services),
                )
    # A replay after a crash relays only what was not relayed yet; what fails, the catch-up
    # relays later (relay_left_answers).
    relayed = await relay_answer(context.bot, services, arahan, recipient, answer)
    # The dialog ends once the answer is stored (a crash before keeps it for the replay).
    await services.drafts.delete(draft.user_id)
    await message.reply_text(texts.answer_saved(number, relayed.sender, relayed.group))


@dataclass(frozen=True)
class Relayed:
    """Where an answer is now."""

    sender: bool  # the sender has it
    group: bool  # the group has it
    owed: bool  # the group is owed it (the arahan was copied there)

    @property
    def complete(self) -> bool:
        """Everyone owed the answer has it."""
        return self.sender and (self.group or not self.owed)


async def relay_answer(
    bot: Bot, services: Services, arahan: Arahan, recipient: Recipient, answer: Answer
) -> Relayed:
    """Relays an answer to the sender (under their tally) and, when the arahan was copied
    there, to the group under its copy; each relay once, recorded when done."""
    text = texts.answer_relay(
        arahan.number,
        recipient.role,
        recipient.kecamatan,
        recipient.name,
        answer.at.astimezone(services.settings.timezone),
        answer.text,
    )
    sender = answer.sender_relayed
    if not sender:
        below = (
            ReplyParameters(arahan.tally_message_id, allow_sending_without_reply=True)
            if arahan.tally_message_id is not None
            else None
        )
        try:
            await bot.send_message(arahan.sender_id, text, reply_parameters=below)
        except TelegramError as exc:
            logger.info("Answer %s not relayed to the sender: %s", answer.id, type(exc).__name__)
        else:
            await services.arahan.answer_relayed(answer.id, group=False)
            sender = True
    if not arahan.copy_group or arahan.group_message_id is None:
        return Relayed(sender, group=False, owed=False)
    if answer.group_relayed:
        return Relayed(sender, group=True, owed=True)
    same_chat = arahan.group_chat_id == services.coordination_chat_id
    below = (
        ReplyParameters(arahan.group_message_id, allow_sending_without_reply=True)
        if same_chat
        else None
    )
    try:
        posted = await send_group(bot, services, text, reply_parameters=below)
    except TelegramError as exc:
        logger.warning("Answer %s not posted to the group: %s", answer.id, exc)
        return Relayed(sender, group=False, owed=True)
    if posted is None:
        return Relayed(sender, group=False, owed=True)
    await services.arahan.answer_relayed(answer.id, group=True)
    return Relayed(sender, group=True, owed=True)


async def relay_left_answers(bot: Bot, services: Services, since: datetime) -> None:
    """Relays the answers (to arahan sent since `since`) whose relay failed: the catch-up."""
    before = services.clock() - RELAY_SETTLE
    for answer in await services.arahan.unrelayed_answers(since, RELAY_ATTEMPTS):
        if answer.at > before:
            continue  # its handler may be relaying it right now
        arahan = await services.arahan.get(answer.arahan)
        recipient = await services.arahan.recipient(answer.arahan, answer.user_id)
        if arahan is None or recipient is None:  # pragma: no cover - rows are never deleted
            continue
        relayed = await relay_answer(bot, services, arahan, recipient, answer)
        if not relayed.complete:
            await services.arahan.relay_failed(answer.id)


def register(app: PoskoApp) -> None:
    """Adds the officers' buttons (their typed answers come through handlers.dialogs)."""
    runtime_of(app.bot_data)
    app.add_handler(CallbackQueryHandler(recipient_cb, pattern=r"^arh:"))
