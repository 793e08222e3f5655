"""Delivering an arahan: each recipient exactly once, at Telegram's pace, across restarts.

Every recipient is recorded (`pending`) in the transaction that creates the arahan, before
anything is sent; each copy is marked `delivered` as soon as Telegram took it, or `unreachable`
when Telegram's answer will never change (the officer blocked the bot or never opened it): a
state the sender sees, not an error, and the round goes on. A round therefore never sends a
recorded copy again, and one that was interrupted (a stop, a crash, a database fault) is taken up
by the catch-up from its first pending recipient.

A stop (SIGTERM) starts no new copy and lets those in flight finish and be recorded, so after a
restart each officer has exactly one. The only window no bot can close is a kill -9 between
Telegram taking a copy and the database recording it: the copies in flight at that moment (at
most `WORKERS`) are sent again, as the README documents for digests. A copy Telegram took whose
record the database refused is remembered by the running bot, and only its record is retried.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import ChatMigrated, Forbidden, TelegramError

from bot import texts
from bot.context import PoskoApp
from bot.delivery import is_permanent
from bot.notify import follow_migration, send_group
from bot.services import Services
from handlers.arahan.runtime import ArahanRuntime, paced, start_round
from handlers.arahan.tally import header_of, send_tally, tally_changed
from storage.arahan import Arahan, Recipient

logger = logging.getLogger(__name__)

# A copy that failed this often for reasons that might pass (network, 5xx) is given up.
MAX_ATTEMPTS = 5
# The catch-up resumes interrupted rounds this long after the arahan was sent.
RESUME_WINDOW = timedelta(days=1)

KeepGoing = Callable[[], bool]


def copy_markup(number: int) -> InlineKeyboardMarkup:
    """✅ Dipahami and 💬 Tanggapi under an officer's copy."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.ARAHAN_CONFIRM_BUTTON, callback_data=f"arh:ok:{number}"
                ),
                InlineKeyboardButton(texts.ARAHAN_ANSWER_BUTTON, callback_data=f"arh:re:{number}"),
            ]
        ]
    )


def copy_text(services: Services, arahan: Arahan, recipient: Recipient) -> str:
    """One officer's copy, in local time."""
    tz = services.settings.timezone
    return texts.arahan_copy(
        arahan.number,
        arahan.urgency,
        arahan.sender_name,
        arahan.sender_role,
        arahan.created_at.astimezone(tz),
        arahan.deadline_at.astimezone(tz),
        arahan.text,
        recipient.role,
        recipient.kecamatan,
        services.now(),
    )


async def send_attachment(bot: Bot, chat_id: int, arahan: Arahan) -> Message:
    """The photo or document of an arahan (before its text: captions hold only 1,024)."""
    attachment = arahan.attachment
    if attachment is None:  # pragma: no cover - callers check
        raise ValueError("no attachment")
    caption = texts.attachment_caption(arahan.number)
    if attachment.kind == "photo":
        return await bot.send_photo(chat_id, attachment.file_id, caption=caption)
    return await bot.send_document(chat_id, attachment.file_id, caption=caption)


async def deliver(
    bot: Bot, services: Services, state: ArahanRuntime, number: int, keep_going: KeepGoing
) -> None:
    """Delivers arahan #number to every recipient still pending (one round at a time)."""
    if number in state.rounds:
        return
    state.rounds.add(number)
    try:
        arahan = await services.arahan.get(number)
        if arahan is None or not arahan.sending:
            return
        await send_tally(bot, services, state, arahan)
        if arahan.copy_group:
            await post_group_copy(bot, services, arahan)
        pending = await services.arahan.pending(number)

        async def one(recipient: Recipient) -> None:
            await _deliver_one(bot, services, state, arahan, recipient)

        finished = await paced(pending, one, keep_going, state.workers)
        if finished and await services.arahan.finish(number, services.clock()):
            logger.info("Arahan #%s delivered to %s recipients", number, arahan.recipients)
        elif not finished:
            logger.info("Arahan #%s: delivery paused by a stop; resumed at the next start", number)
        tally_changed(bot, services, state, number)
    finally:
        state.rounds.discard(number)


async def _deliver_one(
    bot: Bot, services: Services, state: ArahanRuntime, arahan: Arahan, recipient: Recipient
) -> None:
    """Sends one recipient their copy (attachment first) and records what Telegram answered."""
    repo, number, user_id = services.arahan, arahan.number, recipient.user_id
    key = (number, user_id)
    try:
        if key in state.unrecorded:  # Telegram took it before; only the record is missing
            if await repo.delivered(number, user_id, state.unrecorded[key], services.clock()):
                logger.info("Arahan #%s to %s recorded late", number, user_id)
            state.unrecorded.pop(key, None)
            return
        try:
            if arahan.attachment is not None and recipient.file_message_id is None:
                sent_file = await send_attachment(bot, user_id, arahan)
                try:
                    await repo.file_sent(number, user_id, sent_file.message_id)
                except sqlite3.Error as exc:  # the text follows all the same, and is recorded
                    logger.warning("Attachment of #%s to %s not recorded: %s", number, user_id,
                                   exc)  # fmt: skip
            sent = await bot.send_message(
                user_id, copy_text(services, arahan, recipient), reply_markup=copy_markup(number)
            )
        except TelegramError as exc:
            await _failed(services, arahan, recipient, exc)
        else:
            state.unrecorded[key] = sent.message_id
            await repo.delivered(number, user_id, sent.message_id, services.clock())
            state.unrecorded.pop(key, None)
    except sqlite3.Error as exc:
        # The recipient stays pending; a copy Telegram took stays in `unrecorded` and is only
        # recorded when the round is resumed, never sent a second time.
        logger.warning("Arahan #%s to %s not recorded: %s", number, user_id, exc)
        return
    tally_changed(bot, services, state, number)


async def _failed(
    services: Services, arahan: Arahan, recipient: Recipient, exc: TelegramError
) -> None:
    """Records a refused copy: unreachable when final, else one more attempt for later."""
    repo, number, user_id = services.arahan, arahan.number, recipient.user_id
    reason = exc.message
    if is_permanent(exc):
        await repo.unreachable(number, user_id, reason, services.clock())
        if isinstance(exc, Forbidden) and "blocked" in exc.message.casefold():
            await services.members.set_blocked(user_id, services.clock())
        logger.info("Arahan #%s: %s unreachable (%s)", number, user_id, type(exc).__name__)
        return
    attempts = await repo.attempt_failed(number, user_id, reason)
    if attempts >= MAX_ATTEMPTS:
        await repo.unreachable(number, user_id, reason, services.clock())
        logger.warning("Arahan #%s: %s given up after %s attempts", number, user_id, attempts)
    else:
        logger.info("Arahan #%s: %s failed (%s), retried later", number, user_id, reason)


async def post_group_copy(bot: Bot, services: Services, arahan: Arahan) -> None:
    """Copies the arahan to the coordination group once (attachment first)."""
    if arahan.group_message_id is not None:
        return
    chat_id = services.coordination_chat_id
    if chat_id is None:
        logger.warning("No coordination group; arahan #%s not copied there", arahan.number)
        return
    try:
        if arahan.attachment is not None and not arahan.group_file_posted:
            try:
                await send_attachment(bot, chat_id, arahan)
            except ChatMigrated as exc:
                await follow_migration(services, chat_id, int(exc.new_chat_id))
                await send_attachment(bot, int(exc.new_chat_id), arahan)
            await services.arahan.group_file_done(arahan.number)
        text = texts.arahan_group_copy(
            header_of(services, arahan), arahan.sender_name, arahan.sender_role, arahan.text
        )
        posted = await send_group(bot, services, text)
    except TelegramError as exc:  # the officers get it all the same
        logger.warning("Arahan #%s not copied to the group: %s", arahan.number, exc)
        return
    if posted is not None:
        await services.arahan.set_group_message(arahan.number, posted.chat_id, posted.message_id)


async def resume(app: PoskoApp, bot: Bot, services: Services, state: ArahanRuntime) -> None:
    """Takes up rounds interrupted by a stop, a crash or a fault (not those running now)."""
    now = services.clock()
    for number in await services.arahan.sending():
        if number in state.rounds:
            continue
        arahan = await services.arahan.get(number)
        if arahan is None:  # pragma: no cover - listed just now
            continue
        if now - arahan.created_at > RESUME_WINDOW:
            await _give_up(services, arahan)
            continue
        logger.info("Arahan #%s: resuming its delivery", number)
        start_round(app, services, deliver(bot, services, state, number, lambda: app.running))


async def _give_up(services: Services, arahan: Arahan) -> None:
    """A round interrupted for over a day: its pending copies are no longer worth sending."""
    for recipient in await services.arahan.pending(arahan.number):
        await services.arahan.unreachable(
            arahan.number, recipient.user_id, texts.ARAHAN_GIVEN_UP, services.clock()
        )
    await services.arahan.finish(arahan.number, services.clock())
    logger.warning("Arahan #%s: delivery given up after a day", arahan.number)
