"""Delivering an arahan: each recipient exactly once, at Telegram's pace, across restarts.

Every recipient is recorded (`pending`) in the transaction that creates the arahan, before
anything is sent; each copy is marked `delivered` as soon as Telegram took it, or `unreachable`
when Telegram's answer will never change (the officer blocked the bot or never opened it): a
state the sender sees, not an error, and the round goes on. A round therefore never sends a
recorded copy again, and one that was interrupted (a stop, a crash, a database fault) is taken up
by the catch-up from its first pending recipient.

Copies go out through the shared broadcaster (bot.broadcast): `IN_FLIGHT` recipients under way
at once, paced by the rate limiter at Telegram's 30 a second. A stop (SIGTERM) starts no new
copy and lets those in flight finish and be recorded, so after a restart each officer has
exactly one. The only window no bot can close is a kill -9 between Telegram taking a copy and
the database recording it: the copies in flight at that moment (at most `IN_FLIGHT`, about
30 a second times the round trip) are sent again, as the README documents for digests. A copy
Telegram took whose record the database refused is remembered by the running bot, and only its
record is retried.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import ChatMigrated, TelegramError

from bot import texts
from bot.broadcast import Delivery, Outcome, blocked_the_bot, broadcast
from bot.context import PoskoApp
from bot.delivery import is_permanent
from bot.logs import redact
from bot.notify import follow_migration, send_group
from bot.services import Services
from handlers.arahan.runtime import ArahanRuntime, start_round
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
        result = await broadcast(
            pending,
            _Copies(bot, services, state, arahan),
            keep_going=keep_going,
            in_flight=state.in_flight,
        )
        if result.finished and await services.arahan.finish(number, services.clock()):
            logger.info("Arahan #%s delivered to %s recipients", number, arahan.recipients)
        elif not result.finished:
            logger.info("Arahan #%s: delivery paused by a stop; resumed at the next start", number)
        tally_changed(bot, services, state, number)
    finally:
        state.rounds.discard(number)


class _Copies(Delivery[Recipient, int]):
    """One recipient's copy (attachment first), recorded as delivered once Telegram took it.

    The recipient was recorded pending with the arahan, before anything was sent: that is the
    claim. Telegram's message id waits in `state.unrecorded` until the record is written.
    """

    def __init__(self, bot: Bot, services: Services, state: ArahanRuntime, arahan: Arahan):
        self.bot, self.services, self.state, self.arahan = bot, services, state, arahan

    def who(self, recipient: Recipient) -> object:
        return recipient.user_id

    async def claim(self, recipient: Recipient) -> bool:
        """False when Telegram took the copy before and only its record was missing (recorded
        now, never sent again)."""
        number, user_id = self.arahan.number, recipient.user_id
        message_id = self.state.unrecorded.get((number, user_id))
        if message_id is None:
            self.state.sending[(number, user_id)] = asyncio.Event()
            return True
        if await self.services.arahan.delivered(number, user_id, message_id, self.clock()):
            logger.info("Arahan #%s to %s recorded late", number, user_id)
        self.state.unrecorded.pop((number, user_id), None)
        tally_changed(self.bot, self.services, self.state, number)
        return False

    async def send(self, recipient: Recipient) -> int:
        arahan, user_id, repo = self.arahan, recipient.user_id, self.services.arahan
        if arahan.attachment is not None and recipient.file_message_id is None:
            sent_file = await send_attachment(self.bot, user_id, arahan)
            try:
                await repo.file_sent(arahan.number, user_id, sent_file.message_id)
            except sqlite3.Error as exc:  # the text follows all the same, and is recorded
                logger.warning("Attachment of #%s to %s not recorded: %s", arahan.number,
                               user_id, exc)  # fmt: skip
        sent = await self.bot.send_message(
            user_id,
            copy_text(self.services, arahan, recipient),
            reply_markup=copy_markup(arahan.number),
        )
        # Until its record is written: a resumed round records it instead of sending again.
        self.state.unrecorded[(arahan.number, user_id)] = sent.message_id
        return sent.message_id

    async def record(self, recipient: Recipient, sent: int) -> None:
        number, user_id = self.arahan.number, recipient.user_id
        await self.services.arahan.delivered(number, user_id, sent, self.clock())
        self.state.unrecorded.pop((number, user_id), None)
        tally_changed(self.bot, self.services, self.state, number)

    async def refused(self, recipient: Recipient, exc: TelegramError) -> Outcome:
        try:
            await _failed(self.services, self.arahan, recipient, exc)
        except sqlite3.Error as exc2:  # stays pending: the resumed round tries again
            logger.warning("Arahan #%s to %s not recorded: %s", self.arahan.number,
                           recipient.user_id, exc2)  # fmt: skip
            return Outcome.FAILED
        tally_changed(self.bot, self.services, self.state, self.arahan.number)
        return Outcome.BLOCKED if blocked_the_bot(exc) else Outcome.FAILED

    def settled(self, recipient: Recipient) -> None:
        event = self.state.sending.pop((self.arahan.number, recipient.user_id), None)
        if event is not None:
            event.set()

    def clock(self) -> datetime:
        return self.services.clock()


async def _failed(
    services: Services, arahan: Arahan, recipient: Recipient, exc: TelegramError
) -> None:
    """Records a refused copy: unreachable when final, else one more attempt for later."""
    repo, number, user_id = services.arahan, arahan.number, recipient.user_id
    reason = redact(exc.message)  # kept and exported: never the URL's token
    if is_permanent(exc):
        await repo.unreachable(number, user_id, reason, services.clock())
        if blocked_the_bot(exc):
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
